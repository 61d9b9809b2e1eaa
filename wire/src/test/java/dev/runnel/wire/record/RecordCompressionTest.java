package dev.runnel.wire.record;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.apache.kafka.common.compress.Lz4BlockOutputStream;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our codecs against Kafka's own compression streams, in both directions, plus corrupt and hostile input. */
class RecordCompressionTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final int[] SIZES = {0, 1, 100, 65_535, 65_536, 65_537, 300_000};

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void kafkaDecompressesWhatWeCompress(CompressionType type) {
        Seeds.run(rnd -> {
            for (int size : SIZES) {
                byte[] input = KafkaOracle.bytes(rnd, size);
                ByteBuf compressed = Unpooled.buffer();
                try {
                    RecordCompression.compress(type, type.defaultLevel(), Unpooled.wrappedBuffer(input), compressed);
                    assertArrayEquals(input, kafkaDecompress(type, ByteBufUtil.getBytes(compressed)), type + " size " + size);
                } finally {
                    compressed.release();
                }
            }
        });
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void weDecompressWhatKafkaCompresses(CompressionType type) {
        Seeds.run(rnd -> {
            for (int size : SIZES) {
                byte[] input = KafkaOracle.bytes(rnd, size);
                ByteBuf compressed = Unpooled.wrappedBuffer(kafkaCompress(type, input));
                ByteBuf out = RecordCompression.decompress(type, compressed, size, ALLOC);
                try {
                    assertArrayEquals(input, ByteBufUtil.getBytes(out), type + " size " + size);
                    assertEquals(0, compressed.readerIndex(), "source not consumed");
                } finally {
                    out.release();
                }
            }
        });
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void decompressionBombStopsAtTheLimitWithoutAllocatingMore(CompressionType type) {
        // 32 MiB of zeros compress to a few KiB; the limit is 1 MiB.
        byte[] bomb = kafkaCompressZeros(type, 32 << 20);
        assertTrue(bomb.length < 2 << 20, "bomb is small: " + bomb.length);
        TrackingAllocator alloc = new TrackingAllocator();
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> RecordCompression.decompress(type, Unpooled.wrappedBuffer(bomb), 1 << 20, alloc));
        assertTrue(e.getMessage().contains("limit") || e.getMessage().contains("exceeds"), e.getMessage());
        assertTrue(alloc.largestMaxCapacity <= 1 << 20, "allocated up to " + alloc.largestMaxCapacity);
        // Exactly at the limit is fine.
        ByteBuf out = RecordCompression.decompress(type, Unpooled.wrappedBuffer(bomb), 32 << 20, ALLOC);
        assertEquals(32 << 20, out.readableBytes());
        out.release();
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void corruptOrTruncatedInputFailsOnlyWithInvalidRecordException(CompressionType type) {
        Seeds.run(rnd -> {
            byte[] input = KafkaOracle.bytes(rnd, 70_000);
            byte[] good = kafkaCompress(type, input);
            for (int round = 0; round < 300; round++) {
                byte[] bad = good.clone();
                if (round % 3 == 0) {
                    bad = java.util.Arrays.copyOf(good, rnd.nextInt(good.length));
                } else {
                    for (int flips = 1 + rnd.nextInt(3); flips > 0; flips--) {
                        bad[rnd.nextInt(bad.length)] ^= (byte) (1 + rnd.nextInt(255));
                    }
                }
                try {
                    RecordCompression.decompress(type, Unpooled.wrappedBuffer(bad), 200_000, ALLOC).release();
                } catch (InvalidRecordException expected) {
                    // the only acceptable failure
                }
            }
        });
    }

    @Test
    void lz4ReadsBlockChecksumsAndLargeBlocksAndRejectsKafkasBrokenV0HeaderChecksum() throws IOException {
        byte[] input = KafkaOracle.bytes(new Random(7), 200_000);
        ByteArrayOutputStream checked = new ByteArrayOutputStream();
        try (OutputStream out = new Lz4BlockOutputStream(checked, 7, 9, true, false)) {
            out.write(input);
        }
        assertArrayEquals(input, decompress(CompressionType.LZ4, checked.toByteArray(), input.length));

        byte[] corrupt = checked.toByteArray();
        corrupt[20] ^= 1;
        assertThrows(InvalidRecordException.class, () -> decompress(CompressionType.LZ4, corrupt, input.length));

        // Magic 0 batches had the header checksum over the magic bytes too; magic 2 readers reject it.
        ByteArrayOutputStream broken = new ByteArrayOutputStream();
        try (OutputStream out = new Lz4BlockOutputStream(broken, 9, true)) {
            out.write(input);
        }
        assertThrows(InvalidRecordException.class, () -> decompress(CompressionType.LZ4, broken.toByteArray(), input.length));
    }

    @Test
    void lz4SkipsContentSizeAndContentChecksumOfStandardFrames() throws IOException {
        byte[] input = KafkaOracle.bytes(new Random(8), 150_000);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        try (OutputStream out = new LZ4FrameOutputStream(frame, LZ4FrameOutputStream.BLOCKSIZE.SIZE_256KB, input.length,
                LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.CONTENT_SIZE,
                LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM)) {
            out.write(input);
        }
        assertArrayEquals(input, decompress(CompressionType.LZ4, frame.toByteArray(), input.length));
    }

    @Test
    void lz4RejectsDependentBlocks() throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        try (OutputStream out = new LZ4FrameOutputStream(frame, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB)) {
            out.write(new byte[10]);
        }
        byte[] bytes = frame.toByteArray();
        assertEquals(0x20, bytes[4] & 0x20, "lz4-java writes independent blocks by default");
        bytes[4] &= ~0x20;
        assertThrows(InvalidRecordException.class, () -> decompress(CompressionType.LZ4, bytes, 100));
    }

    @Test
    void snappyReadsRawBlocksAsNonJavaClientsWriteThem() throws IOException {
        byte[] input = KafkaOracle.bytes(new Random(9), 100_000);
        assertArrayEquals(input, decompress(CompressionType.SNAPPY, Snappy.compress(input), input.length));
    }

    @Test
    void snappyReadsConcatenatedXerialStreams() throws IOException {
        byte[] first = KafkaOracle.bytes(new Random(10), 40_000);
        byte[] second = KafkaOracle.bytes(new Random(11), 50_000);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(kafkaCompress(CompressionType.SNAPPY, first));
        both.write(kafkaCompress(CompressionType.SNAPPY, second));
        byte[] expected = new byte[first.length + second.length];
        System.arraycopy(first, 0, expected, 0, first.length);
        System.arraycopy(second, 0, expected, first.length, second.length);
        assertArrayEquals(expected, decompress(CompressionType.SNAPPY, both.toByteArray(), expected.length));
    }

    @Test
    void snappyNeverTrustsDeclaredLengths() throws IOException {
        // A xerial header followed by a chunk that claims 2 GiB.
        ByteArrayOutputStream hostile = new ByteArrayOutputStream();
        try (OutputStream out = new SnappyOutputStream(hostile)) {
            out.flush();
        }
        byte[] header = java.util.Arrays.copyOf(hostile.toByteArray(), 16);
        ByteBuf chunk = Unpooled.buffer().writeBytes(header).writeInt(Integer.MAX_VALUE).writeBytes(new byte[10]);
        assertThrows(InvalidRecordException.class, () -> RecordCompression.decompress(CompressionType.SNAPPY, chunk, 1 << 20, ALLOC));
        chunk.release();
        // A raw block whose varint claims 2^31 - 1 uncompressed bytes.
        byte[] raw = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0, 0};
        TrackingAllocator alloc = new TrackingAllocator();
        assertThrows(InvalidRecordException.class, () -> RecordCompression.decompress(CompressionType.SNAPPY, Unpooled.wrappedBuffer(raw), 1 << 20, alloc));
        assertTrue(alloc.largestMaxCapacity <= 1 << 20);
    }

    @Test
    void uncompressedInputIsBoundedToo() {
        assertThrows(InvalidRecordException.class,
                () -> RecordCompression.decompress(CompressionType.NONE, Unpooled.wrappedBuffer(new byte[11]), 10, ALLOC));
    }

    @Test
    void kafkaNamesAndIds() {
        for (CompressionType type : CompressionType.values()) {
            org.apache.kafka.common.record.internal.CompressionType kafka = org.apache.kafka.common.record.internal.CompressionType.forId(type.id());
            assertEquals(kafka.name, type.kafkaName());
            assertEquals(type, CompressionType.forKafkaName(kafka.name));
            if (type != CompressionType.NONE && type != CompressionType.SNAPPY) {
                assertEquals(kafka.defaultLevel(), type.defaultLevel(), type.name());
                assertEquals(kafka.minLevel(), type.minLevel(), type.name());
                assertEquals(kafka.maxLevel(), type.maxLevel(), type.name());
            }
        }
        assertThrows(InvalidRecordException.class, () -> CompressionType.forId(5));
    }

    private static byte[] decompress(CompressionType type, byte[] compressed, int limit) {
        ByteBuf out = RecordCompression.decompress(type, Unpooled.wrappedBuffer(compressed), limit, ALLOC);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    static byte[] kafkaCompress(CompressionType type, byte[] input) {
        ByteBufferOutputStream buffer = new ByteBufferOutputStream(1024);
        try (OutputStream out = KafkaOracle.kafkaCompression(type).wrapForOutput(buffer, RecordBatch.MAGIC_VALUE_V2)) {
            out.write(input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer written = buffer.buffer().flip();
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);
        return bytes;
    }

    private static byte[] kafkaCompressZeros(CompressionType type, int size) {
        ByteBufferOutputStream buffer = new ByteBufferOutputStream(1024);
        byte[] zeros = new byte[64 * 1024];
        try (OutputStream out = KafkaOracle.kafkaCompression(type).wrapForOutput(buffer, RecordBatch.MAGIC_VALUE_V2)) {
            for (int written = 0; written < size; written += zeros.length) {
                out.write(zeros);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer written = buffer.buffer().flip();
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);
        return bytes;
    }

    static byte[] kafkaDecompress(CompressionType type, byte[] compressed) {
        try (InputStream in = KafkaOracle.kafkaCompression(type).wrapForInput(ByteBuffer.wrap(compressed), RecordBatch.MAGIC_VALUE_V2,
                BufferSupplier.NO_CACHING)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Remembers the largest capacity any buffer may grow to. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        int largestMaxCapacity;

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            largestMaxCapacity = Math.max(largestMaxCapacity, maxCapacity);
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
