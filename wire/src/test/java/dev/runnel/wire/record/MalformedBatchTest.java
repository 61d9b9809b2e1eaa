package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Corrupt, truncated and hostile batches fail with InvalidRecordException where Kafka also rejects them. */
class MalformedBatchTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void crcCatchesEveryFlippedByteItCovers(CompressionType compression) {
        Seeds.run(rnd -> {
            KafkaOracle.Spec spec = KafkaOracle.randomSpec(rnd, compression);
            ByteBuf batch = KafkaOracle.ourBatch(spec, KafkaOracle.randomRecords(rnd, spec.baseOffset(), 5, false)).build(ALLOC);
            try {
                RecordBatchView view = new RecordBatchView(batch, 0);
                // Every header byte, then a sample of the records: each check is a CRC over the whole batch.
                int size = batch.readableBytes();
                int positions = Math.min(size, RecordBatchView.HEADER_SIZE + 300);
                for (int p = 0; p < positions; p++) {
                    int i = p < RecordBatchView.HEADER_SIZE ? p : RecordBatchView.HEADER_SIZE + rnd.nextInt(size - RecordBatchView.HEADER_SIZE);
                    byte original = batch.getByte(i);
                    batch.setByte(i, original ^ (1 << rnd.nextInt(8)));
                    boolean covered = i >= RecordBatchView.CRC_OFFSET;
                    boolean structural = i >= RecordBatchView.LENGTH_OFFSET && i < RecordBatchView.PARTITION_LEADER_EPOCH_OFFSET
                            || i == RecordBatchView.MAGIC_OFFSET;
                    if (covered) {
                        assertFalse(view.isValidChecksum(), "flip at " + i);
                        assertFalse(KafkaOracle.onlyBatch(MemoryRecords.readableRecords(batch.nioBuffer())).isValid(), "Kafka agrees at " + i);
                    }
                    if (covered || structural) {
                        assertThrows(InvalidRecordException.class, () -> view.validate(size), "flip at " + i);
                    } else {
                        view.validate(size); // baseOffset and partitionLeaderEpoch lie outside the CRC
                    }
                    batch.setByte(i, original);
                }
                view.validate(batch.readableBytes());
            } finally {
                batch.release();
            }
        });
    }

    @Test
    void truncatedBatchFailsValidationAndStopsTheIteratorCleanly() {
        ByteBuf batch = new RecordBatchBuilder().append(1, "k".getBytes(), "v".getBytes()).append(2, null, new byte[30]).build(ALLOC);
        try {
            int size = batch.readableBytes();
            for (int cut = 0; cut < size; cut++) {
                int length = cut;
                assertThrows(InvalidRecordException.class, () -> new RecordBatchView(batch, 0).validate(length), "cut at " + cut);
                RecordBatchIterator iterator = new RecordBatchIterator(batch, 0, cut);
                assertFalse(iterator.hasNext(), "cut at " + cut);
                assertEquals(cut > 0, iterator.hasPartialTail());
                assertEquals(0, iterator.position());
            }
        } finally {
            batch.release();
        }
    }

    @Test
    void lengthTooSmallForAHeaderIsCorruption() {
        ByteBuf buf = Unpooled.buffer().writeLong(0).writeInt(10).writeZero(100);
        try {
            assertThrows(InvalidRecordException.class, () -> new RecordBatchIterator(buf).hasNext());
        } finally {
            buf.release();
        }
    }

    @Test
    void malformedRecordsAreInvalidForUsAndForKafka() {
        List<Consumer<ByteBuf>> cases = List.of(
                r -> r.writeBytes(new byte[] {-1, -1, -1, -1, -1, 1}),                  // record length varint too long
                r -> { Varint.writeVarint(r, 100); r.writeZero(10); },                  // length beyond the batch
                r -> { Varint.writeVarint(r, -5); r.writeZero(10); },                   // negative length
                r -> record(r, 1000, -1, 0, 0),                                         // key longer than its record
                r -> record(r, -1, -1, -3, 0),                                          // negative header count
                r -> record(r, -1, -1, 1_000_000, 0),                                   // header count beyond the bytes
                r -> record(r, -1, -1, 1, -2),                                          // negative header key length
                r -> { Varint.writeVarint(r, 9); r.writeByte(0); Varint.writeVarlong(r, 0); Varint.writeVarint(r, 0);
                       Varint.writeVarint(r, -1); Varint.writeVarint(r, -1); Varint.writeVarint(r, 0); r.writeZero(3); }, // trailing bytes in a record
                r -> { Varint.writeVarint(r, 6); r.writeByte(0); r.writeBytes(new byte[] {-1, -1, -1, -1, -1}); }); // truncated varlong
        for (int i = 0; i < cases.size(); i++) {
            ByteBuf records = Unpooled.buffer();
            cases.get(i).accept(records);
            assertBothReject(records, 1, "case " + i);
        }
    }

    @Test
    void recordCountMustMatchTheRecordsPresent() {
        ByteBuf two = Unpooled.buffer();
        record(two, 1, 1, 0, 0);
        record(two, 1, 1, 0, 0);
        assertBothReject(two.retainedDuplicate(), 3, "fewer records than declared");
        assertBothReject(two, 1, "more records than declared");
    }

    @Test
    void compressedBatchBoundedWhenReadingRecords() {
        for (CompressionType type : List.of(CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4, CompressionType.ZSTD)) {
            ByteBuf batch = new RecordBatchBuilder().compression(type).append(0, null, new byte[8 << 20]).build(ALLOC);
            try {
                RecordBatchView view = new RecordBatchView(batch, 0);
                view.validate(batch.readableBytes());
                assertTrue(batch.readableBytes() < 1 << 20, type + " compresses zeros");
                assertThrows(InvalidRecordException.class, () -> view.records(ALLOC, 1 << 20), type.name());
                assertThrows(InvalidRecordException.class, () -> view.allRecordsHaveKeys(ALLOC, 1 << 20), type.name());
                assertFalse(view.allRecordsHaveKeys(ALLOC, 9 << 20));
            } finally {
                batch.release();
            }
        }
    }

    @Test
    void unknownCodecIsInvalid() {
        ByteBuf batch = rawBatch(Unpooled.buffer().writeZero(4), 1, 5);
        try {
            assertThrows(InvalidRecordException.class, () -> new RecordBatchView(batch, 0).validate(batch.readableBytes()));
            assertThrows(InvalidRecordException.class, () -> new RecordBatchView(batch, 0).records(ALLOC, 1 << 20));
        } finally {
            batch.release();
        }
    }

    /** Writes a record with the given key/value lengths (bytes as zeros, -1 for null) and headers. */
    private static void record(ByteBuf out, int keyLength, int valueLength, int headerCount, int headerKeyLength) {
        ByteBuf body = Unpooled.buffer();
        body.writeByte(0);
        Varint.writeVarlong(body, 0);
        Varint.writeVarint(body, 0);
        Varint.writeVarint(body, keyLength);
        body.writeZero(Math.max(0, Math.min(keyLength, 10)));
        Varint.writeVarint(body, valueLength);
        body.writeZero(Math.max(0, valueLength));
        Varint.writeVarint(body, headerCount);
        if (headerCount > 0) {
            Varint.writeVarint(body, headerKeyLength);
            Varint.writeVarint(body, -1);
        }
        Varint.writeVarint(out, body.readableBytes());
        out.writeBytes(body);
        body.release();
    }

    /** A v2 batch around the given records section (taking ownership of it), with a correct CRC. */
    private static ByteBuf rawBatch(ByteBuf records, int count, int codec) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeLong(0).writeInt(RecordBatchView.HEADER_SIZE - RecordBatchView.LOG_OVERHEAD + records.readableBytes())
                .writeInt(-1).writeByte(RecordBatchView.MAGIC).writeInt(0).writeShort(codec).writeInt(count - 1)
                .writeLong(0).writeLong(0).writeLong(-1).writeShort(-1).writeInt(-1).writeInt(count).writeBytes(records);
        records.release();
        buf.setInt(RecordBatchView.CRC_OFFSET, (int) new RecordBatchView(buf, 0).computeChecksum());
        return buf;
    }

    private static void assertBothReject(ByteBuf records, int count, String what) {
        ByteBuf batch = rawBatch(records, count, 0);
        try {
            RecordBatchView view = new RecordBatchView(batch, 0);
            view.validate(batch.readableBytes());
            assertThrows(InvalidRecordException.class, () -> {
                try (RecordIterator iterator = view.records(ALLOC, 1 << 20)) {
                    while (iterator.hasNext()) {
                        iterator.next();
                    }
                }
            }, what);
            MutableRecordBatch kafka = KafkaOracle.onlyBatch(KafkaOracle.toMemoryRecords(batch));
            assertThrows(RuntimeException.class, () -> kafka.forEach(r -> new ArrayList<>().add(r)), "Kafka rejects " + what);
        } finally {
            batch.release();
        }
    }
}
