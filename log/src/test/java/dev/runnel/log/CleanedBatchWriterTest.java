package dev.runnel.log;

import dev.runnel.wire.record.RecordBatchView;
import dev.runnel.wire.record.RecordIterator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Our rewritten batches are byte for byte what Kafka's {@code MemoryRecords.filterTo} (the log cleaner's writer)
 * produces for the same retained records: every codec, tombstones setting the delete horizon, headers, producer
 * fields, LogAppendTime, and empty batches kept for producer state. Seeded; {@code -Dseed=} replays.
 */
class CleanedBatchWriterTest {
    private static final long NOW = 5_000_000;
    private static final long RETENTION = 86_400_000;

    @Test
    void rewrittenBatchesMatchKafkaFilterTo() {
        long seed = Long.getLong("seed", System.nanoTime());
        Random random = new Random(seed);
        try {
            for (int round = 0; round < 200; round++) {
                CompressionType type = CompressionType.values()[random.nextInt(CompressionType.values().length)];
                MemoryRecords original = randomBatch(random, type);
                Set<Integer> keep = new HashSet<>();
                int count = random.nextInt(6) == 0 ? 0 : 1 + random.nextInt(8);
                for (int i = 0; i < 12; i++) {
                    if (random.nextInt(3) > 0 && keep.size() < count) {
                        keep.add(i);
                    }
                }
                boolean retainEmpty = random.nextBoolean();
                assertArrayEquals(kafka(original, keep, retainEmpty), ours(original, keep, retainEmpty),
                        "round " + round + " " + type + " keep " + keep + " retainEmpty " + retainEmpty);
            }
        } catch (AssertionError | RuntimeException e) {
            fail("failed with -Dseed=" + seed, e);
        }
    }

    private static MemoryRecords randomBatch(Random random, CompressionType type) {
        boolean logAppendTime = random.nextInt(4) == 0;
        boolean idempotent = random.nextBoolean();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.of(type).build(), logAppendTime ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
                1000 + random.nextInt(1000), logAppendTime ? 777_777 : RecordBatch.NO_TIMESTAMP,
                idempotent ? 42 : RecordBatch.NO_PRODUCER_ID, idempotent ? (short) 3 : RecordBatch.NO_PRODUCER_EPOCH,
                idempotent ? 100 : RecordBatch.NO_SEQUENCE, false, 7);
        int n = 12;
        for (int i = 0; i < n; i++) {
            byte[] key = ("key-" + random.nextInt(5)).getBytes(StandardCharsets.UTF_8);
            byte[] value = random.nextInt(4) == 0 ? null : ("value-" + random.nextInt(100000)).getBytes(StandardCharsets.UTF_8);
            RecordHeader[] headers = random.nextInt(3) == 0
                    ? new RecordHeader[] {new RecordHeader("h" + i, random.nextBoolean() ? null : new byte[] {1, 2, 3})}
                    : new RecordHeader[0];
            builder.append(500_000 + random.nextInt(1000), key, value, headers);
        }
        return builder.build();
    }

    private static byte[] kafka(MemoryRecords original, Set<Integer> keep, boolean retainEmpty) {
        long base = original.batches().iterator().next().baseOffset();
        MemoryRecords.RecordFilter filter = new MemoryRecords.RecordFilter(NOW, RETENTION) {
            @Override
            protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
                return new BatchRetentionResult(retainEmpty ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY, false);
            }

            @Override
            protected boolean shouldRetainRecord(RecordBatch recordBatch, Record record) {
                return keep.contains((int) (record.offset() - base));
            }
        };
        ByteBuffer out = ByteBuffer.allocate(8192);
        MemoryRecords.FilterResult result = original.filterTo(filter, out, BufferSupplier.NO_CACHING);
        ByteBuffer written = result.outputBuffer();
        written.flip();
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);
        return bytes;
    }

    private static byte[] ours(MemoryRecords original, Set<Integer> keep, boolean retainEmpty) {
        ByteBuf batch = Batches.wrap(original);
        try {
            RecordBatchView view = new RecordBatchView(batch, 0);
            List<dev.runnel.wire.record.Record> retained = new ArrayList<>();
            boolean tombstones = false;
            try (RecordIterator records = view.records(ByteBufAllocator.DEFAULT, 1 << 20)) {
                while (records.hasNext()) {
                    dev.runnel.wire.record.Record record = records.next();
                    if (keep.contains((int) (record.offset() - view.baseOffset()))) {
                        retained.add(record);
                        tombstones |= record.value() == null;
                    }
                }
                ByteBuf out;
                if (retained.isEmpty()) {
                    if (!retainEmpty) {
                        return new byte[0];
                    }
                    out = CleanedBatchWriter.emptyHeader(view, ByteBufAllocator.DEFAULT);
                } else if (retained.size() == view.recordCount() && !tombstones) {
                    return ByteBufUtil.getBytes(batch);
                } else {
                    out = CleanedBatchWriter.rewrite(view, retained, tombstones ? NOW + RETENTION : -1, ByteBufAllocator.DEFAULT);
                }
                try {
                    return ByteBufUtil.getBytes(out);
                } finally {
                    out.release();
                }
            }
        } finally {
            batch.release();
        }
    }
}
