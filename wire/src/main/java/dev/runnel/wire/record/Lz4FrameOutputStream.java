package dev.runnel.wire.record;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHashFactory;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes the LZ4 frame format exactly as Kafka's producer does (its {@code Lz4BlockOutputStream}) for
 * magic 2 batches, so that every Kafka consumer version can read what the broker writes. Not thread-safe.
 *
 * <pre>
 * magic        4  0x184D2204, little-endian
 * FLG          1  0x60: version 01, independent blocks, no block checksum, no content size or checksum
 * BD           1  0x40: 64 KiB maximum block size
 * HC           1  (xxHash32(FLG, BD; seed 0) &gt;&gt; 8) &amp; 0xFF
 * blocks          int32 LE size (high bit set: stored uncompressed) + data, each at most 64 KiB of input
 * end mark     4  int32 0
 * </pre>
 *
 * The header checksum covers FLG and BD only. Kafka's magic 0 batches had it computed over the magic
 * bytes as well (KAFKA-3160); that quirk never applies to magic 2 and is not reproduced here.
 */
final class Lz4FrameOutputStream extends OutputStream {
    static final int MAGIC = 0x184D2204;
    static final int UNCOMPRESSED_BLOCK_FLAG = 0x80000000;
    private static final byte FLG = 0x60;
    private static final byte BD = 0x40;
    private static final int BLOCK_SIZE = 64 * 1024;

    private final OutputStream out;
    private final LZ4Compressor compressor;
    private final byte[] block = new byte[BLOCK_SIZE];
    private final byte[] compressed;
    private int blockLength;
    private boolean closed;

    Lz4FrameOutputStream(OutputStream out, int level) throws IOException {
        this.out = out;
        LZ4Factory factory = LZ4Factory.fastestInstance();
        // Kafka's choice: the default level means the fast compressor, any other the high one.
        this.compressor = level == CompressionType.LZ4.defaultLevel() ? factory.fastCompressor() : factory.highCompressor(level);
        this.compressed = new byte[compressor.maxCompressedLength(BLOCK_SIZE)];
        byte[] descriptor = {FLG, BD};
        int hash = XXHashFactory.fastestInstance().hash32().hash(descriptor, 0, descriptor.length, 0);
        writeIntLE(MAGIC);
        out.write(FLG);
        out.write(BD);
        out.write((hash >> 8) & 0xFF);
    }

    @Override
    public void write(int b) throws IOException {
        if (blockLength == BLOCK_SIZE) {
            flushBlock();
        }
        block[blockLength++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (blockLength == BLOCK_SIZE) {
                flushBlock();
            }
            int n = Math.min(len, BLOCK_SIZE - blockLength);
            System.arraycopy(b, off, block, blockLength, n);
            blockLength += n;
            off += n;
            len -= n;
        }
    }

    private void flushBlock() throws IOException {
        if (blockLength == 0) {
            return;
        }
        int length = compressor.compress(block, 0, blockLength, compressed, 0, compressed.length);
        if (length >= blockLength) {
            writeIntLE(blockLength | UNCOMPRESSED_BLOCK_FLAG);
            out.write(block, 0, blockLength);
        } else {
            writeIntLE(length);
            out.write(compressed, 0, length);
        }
        blockLength = 0;
    }

    /** Writes the last block and the end mark; does not close the underlying stream. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            flushBlock();
            writeIntLE(0);
            out.flush();
        }
    }

    private void writeIntLE(int value) throws IOException {
        out.write(value);
        out.write(value >>> 8);
        out.write(value >>> 16);
        out.write(value >>> 24);
    }
}
