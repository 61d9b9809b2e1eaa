package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conversions between our types and kafka-clients' record classes, which serve as the oracle. */
final class KafkaOracle {
    private KafkaOracle() {
    }

    /** Input for one record, as both builders take it. */
    record Input(long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {
    }

    /** Batch-level options, as both builders take them. */
    record Spec(CompressionType compression, long baseOffset, int partitionLeaderEpoch, long producerId, short producerEpoch,
                int baseSequence, boolean transactional, long logAppendTime) {
        static Spec plain(CompressionType compression) {
            return new Spec(compression, 0, -1, -1, (short) -1, -1, false, -1);
        }

        boolean isLogAppendTime() {
            return logAppendTime >= 0;
        }
    }

    static Spec randomSpec(Random rnd, CompressionType compression) {
        boolean idempotent = rnd.nextBoolean();
        return new Spec(compression, rnd.nextInt(1 << 20) * (rnd.nextBoolean() ? 1L : 1_000_000L), rnd.nextInt(100) - 1,
                idempotent ? rnd.nextInt(1 << 30) : -1, idempotent ? (short) rnd.nextInt(Short.MAX_VALUE) : -1,
                idempotent ? rnd.nextInt(Integer.MAX_VALUE) : -1, idempotent && rnd.nextBoolean(),
                rnd.nextInt(4) == 0 ? 1_700_000_000_000L + rnd.nextInt(1 << 20) : -1);
    }

    /** Random records with consecutive offsets, or with gaps when {@code gaps}; null keys, values and header values included. */
    static List<Input> randomRecords(Random rnd, long baseOffset, int count, boolean gaps) {
        List<Input> records = new ArrayList<>();
        long offset = baseOffset;
        long baseTimestamp = rnd.nextInt(10) == 0 ? -1 : 1_600_000_000_000L + rnd.nextInt(1 << 30);
        for (int i = 0; i < count; i++) {
            long timestamp = baseTimestamp < 0 ? -1 : Math.max(0, baseTimestamp + rnd.nextInt(200_000) - 100_000);
            List<Header> headers = new ArrayList<>();
            for (int h = rnd.nextInt(4); h > 0; h--) {
                headers.add(new Header("h" + rnd.nextInt(1000) + (rnd.nextBoolean() ? "é" : ""), rnd.nextInt(4) == 0 ? null : bytes(rnd, rnd.nextInt(20))));
            }
            records.add(new Input(offset, timestamp, rnd.nextInt(5) == 0 ? null : bytes(rnd, rnd.nextInt(40)),
                    rnd.nextInt(5) == 0 ? null : bytes(rnd, valueSize(rnd)), headers));
            offset += gaps ? 1 + rnd.nextInt(5) : 1;
        }
        return records;
    }

    private static int valueSize(Random rnd) {
        // Mostly small; sometimes big enough to span several 64 KiB lz4 blocks or snappy chunks.
        return rnd.nextInt(20) == 0 ? 50_000 + rnd.nextInt(100_000) : rnd.nextInt(300);
    }

    /** Random but compressible bytes, like real payloads. */
    static byte[] bytes(Random rnd, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + rnd.nextInt(rnd.nextInt(10) == 0 ? 26 : 4));
        }
        return bytes;
    }

    static Compression kafkaCompression(CompressionType type) {
        return switch (type) {
            case NONE -> Compression.NONE;
            case GZIP -> Compression.gzip().build();
            case SNAPPY -> Compression.snappy().build();
            case LZ4 -> Compression.lz4().build();
            case ZSTD -> Compression.zstd().build();
        };
    }

    static org.apache.kafka.common.header.Header[] kafkaHeaders(List<Header> headers) {
        return headers.stream().map(h -> new RecordHeader(h.key(), h.value())).toArray(org.apache.kafka.common.header.Header[]::new);
    }

    /** Kafka's MemoryRecordsBuilder with the same inputs as {@link #ourBatch}. */
    static MemoryRecords kafkaBatch(Spec spec, List<Input> records) {
        MemoryRecordsBuilder builder = new MemoryRecordsBuilder(ByteBuffer.allocate(1024), RecordBatch.MAGIC_VALUE_V2,
                kafkaCompression(spec.compression()),
                spec.isLogAppendTime() ? org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME : org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                spec.baseOffset(), spec.logAppendTime(), spec.producerId(), spec.producerEpoch(), spec.baseSequence(),
                spec.transactional(), false, spec.partitionLeaderEpoch(), Integer.MAX_VALUE);
        for (Input r : records) {
            builder.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), kafkaHeaders(r.headers()));
        }
        return builder.build();
    }

    /** Our builder with the same inputs as {@link #kafkaBatch}. */
    static RecordBatchBuilder ourBatch(Spec spec, List<Input> records) {
        RecordBatchBuilder builder = new RecordBatchBuilder()
                .compression(spec.compression())
                .baseOffset(spec.baseOffset())
                .partitionLeaderEpoch(spec.partitionLeaderEpoch())
                .producer(spec.producerId(), spec.producerEpoch(), spec.baseSequence())
                .transactional(spec.transactional());
        if (spec.isLogAppendTime()) {
            builder.logAppendTime(spec.logAppendTime());
        }
        for (Input r : records) {
            builder.appendWithOffset(r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
        }
        return builder;
    }

    static ByteBuf toByteBuf(MemoryRecords records) {
        return Unpooled.copiedBuffer(records.buffer().duplicate());
    }

    static MemoryRecords toMemoryRecords(ByteBuf buf) {
        return MemoryRecords.readableRecords(ByteBuffer.wrap(ByteBufUtil.getBytes(buf)));
    }

    static MutableRecordBatch onlyBatch(MemoryRecords records) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        records.batches().forEach(batches::add);
        assertEquals(1, batches.size(), "batches");
        return batches.get(0);
    }

    /** Asserts that our view and Kafka's batch agree on every header field. */
    static void assertSameHeader(RecordBatch kafka, RecordBatchView ours) {
        assertEquals(kafka.baseOffset(), ours.baseOffset(), "baseOffset");
        assertEquals(kafka.lastOffset(), ours.lastOffset(), "lastOffset");
        assertEquals(kafka.nextOffset(), ours.nextOffset(), "nextOffset");
        assertEquals(kafka.sizeInBytes(), ours.sizeInBytes(), "sizeInBytes");
        assertEquals(kafka.partitionLeaderEpoch(), ours.partitionLeaderEpoch(), "partitionLeaderEpoch");
        assertEquals(kafka.magic(), ours.magic(), "magic");
        assertEquals(kafka.checksum(), ours.checksum(), "crc");
        assertEquals(kafka.isValid(), ours.isValidChecksum(), "crc valid");
        assertEquals(kafka.compressionType().id, ours.compressionType().id(), "compression");
        assertEquals(kafka.timestampType().name(), ours.timestampType().name(), "timestampType");
        assertEquals(kafka.isTransactional(), ours.isTransactional(), "transactional");
        assertEquals(kafka.isControlBatch(), ours.isControl(), "control");
        assertEquals(kafka.maxTimestamp(), ours.maxTimestamp(), "maxTimestamp");
        assertEquals(kafka.producerId(), ours.producerId(), "producerId");
        assertEquals(kafka.producerEpoch(), ours.producerEpoch(), "producerEpoch");
        assertEquals(kafka.baseSequence(), ours.baseSequence(), "baseSequence");
        assertEquals(kafka.lastSequence(), ours.lastSequence(), "lastSequence");
        assertEquals(kafka.hasProducerId(), ours.hasProducerId(), "hasProducerId");
        assertEquals(kafka.countOrNull(), ours.recordCount(), "recordCount");
        assertEquals(kafka.deleteHorizonMs().isPresent(), ours.hasDeleteHorizon(), "deleteHorizon");
    }

    /** Asserts that our record and Kafka's agree on every field. */
    static void assertSameRecord(org.apache.kafka.common.record.internal.Record kafka, Record ours) {
        assertEquals(kafka.offset(), ours.offset(), "offset");
        assertEquals(kafka.timestamp(), ours.timestamp(), "timestamp");
        assertBytes(kafka.key(), ours.key(), "key");
        assertBytes(kafka.value(), ours.value(), "value");
        assertEquals(kafka.headers().length, ours.headers().size(), "header count");
        for (int i = 0; i < kafka.headers().length; i++) {
            assertEquals(kafka.headers()[i].key(), ours.headers().get(i).key(), "header key");
            assertArrayEquals(kafka.headers()[i].value(), ours.headers().get(i).value(), "header value");
        }
        assertEquals(kafka.sizeInBytes(), ours.sizeInBytes(), "record size");
    }

    private static void assertBytes(ByteBuffer kafka, ByteBuf ours, String what) {
        if (kafka == null) {
            assertNull(ours, what);
            return;
        }
        assertTrue(ours != null, what + " present");
        byte[] expected = new byte[kafka.remaining()];
        kafka.duplicate().get(expected);
        assertArrayEquals(expected, ByteBufUtil.getBytes(ours), what);
    }

    /** Reads all records of {@code view} with our iterator and compares them, one by one, with Kafka's. */
    static void assertSameRecords(RecordBatch kafka, RecordBatchView ours) {
        List<org.apache.kafka.common.record.internal.Record> expected = new ArrayList<>();
        kafka.forEach(expected::add);
        try (RecordIterator records = ours.records(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, 64 << 20)) {
            for (org.apache.kafka.common.record.internal.Record record : expected) {
                assertTrue(records.hasNext(), "more records");
                assertSameRecord(record, records.next());
            }
            assertFalse(records.hasNext(), "no more records");
        }
    }
}
