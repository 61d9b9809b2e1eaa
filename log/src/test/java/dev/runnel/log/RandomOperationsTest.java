package dev.runnel.log;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random sequences of append, roll, read, ListOffsets, truncate, DeleteRecords, retention, clean restart and
 * crash-restart (with a torn tail) checked after every step against a list of batches. Re-run a failure with
 * {@code -Dseed=<seed>}.
 */
class RandomOperationsTest {
    private static final TopicPartition TP = new TopicPartition("random", 0);

    /** What the model knows of one batch. */
    private record ModelBatch(long baseOffset, int count, long maxTimestamp, int size, long[] timestamps) {
        long lastOffset() {
            return baseOffset + count - 1;
        }
    }

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(10_000_000);
    private final List<ModelBatch> model = new ArrayList<>();
    private long logStartOffset;
    private long logEndOffset;
    private LogResources resources;
    private PartitionLog log;
    private LogConfig config;

    @Test
    void randomOperationsMatchTheModel() throws IOException {
        long seed = Long.getLong("seed", System.nanoTime());
        try {
            run(new Random(seed), 3000);
        } catch (Throwable t) {
            fail("failed with -Dseed=" + seed, t);
        } finally {
            if (log != null && !log.isOffline()) {
                log.close();
            }
            if (resources != null) {
                resources.files().close();
            }
        }
    }

    private void run(Random random, int steps) throws IOException {
        config = LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "600", LogConfig.INDEX_INTERVAL_BYTES, "120",
                LogConfig.RETENTION_BYTES, "-1", LogConfig.FILE_DELETE_DELAY_MS, "0"));
        reopen(true);
        for (int step = 0; step < steps; step++) {
            int op = random.nextInt(100);
            if (op < 45) {
                append(random);
            } else if (op < 65) {
                read(random);
            } else if (op < 70) {
                log.roll();
            } else if (op < 75) {
                listOffsets(random);
            } else if (op < 80) {
                truncate(random);
            } else if (op < 84) {
                deleteRecords(random);
            } else if (op < 88) {
                retention(random);
            } else if (op < 92) {
                log.close();
                resources.files().close();
                reopen(true);
            } else {
                crash(random);
            }
            assertEquals(logEndOffset, log.logEndOffset(), "log end offset at step " + step);
            assertEquals(logStartOffset, log.logStartOffset(), "log start offset at step " + step);
        }
    }

    private void reopen(boolean clean) {
        resources = new LogResources(new FileHandles(8), new IndexCache(4096), clock);
        log = PartitionLog.open(root.resolve(TP.directoryName()), TP, config, resources, 0, logStartOffset, clean,
                ProducerStateHook.NONE, null, e -> { });
    }

    private void append(Random random) {
        int count = 1 + random.nextInt(5);
        long[] timestamps = new long[count];
        long max = -1;
        for (int i = 0; i < count; i++) {
            timestamps[i] = clock.millis() - random.nextInt(10_000);
            max = Math.max(max, timestamps[i]);
        }
        ByteBuf batch = Batches.batch(count, timestamps);
        int size = batch.readableBytes();
        try {
            AppendResult result = log.appendAsLeader(batch, 0);
            assertEquals(logEndOffset, result.baseOffset());
        } finally {
            batch.release();
        }
        model.add(new ModelBatch(logEndOffset, count, max, size, timestamps));
        logEndOffset += count;
        clock.advance(random.nextInt(100));
    }

    private List<ModelBatch> visible() {
        return model.stream().filter(b -> b.lastOffset() >= logStartOffset).toList();
    }

    private void read(Random random) throws IOException {
        long offset = logStartOffset + (long) (random.nextDouble() * (logEndOffset - logStartOffset + 1));
        long maxOffset = random.nextBoolean() ? Long.MAX_VALUE : offset + random.nextInt(20);
        int maxBytes = random.nextInt(1500);
        boolean minOne = random.nextBoolean();
        List<RecordBatch> batches = Batches.readAndRelease(log.read(offset, maxBytes, minOne, maxOffset));
        List<ModelBatch> expected = new ArrayList<>();
        int bytes = 0;
        long segmentEnd = Long.MAX_VALUE; // a read returns data of one segment, as in Kafka
        for (ModelBatch b : visible()) {
            if (b.lastOffset() < offset || offset >= logEndOffset || offset >= maxOffset) {
                continue;
            }
            if (expected.isEmpty()) {
                Long next = log.segments().higherKey(b.baseOffset());
                segmentEnd = next == null ? Long.MAX_VALUE : next;
            }
            if (b.lastOffset() >= maxOffset || b.baseOffset() >= segmentEnd) {
                break;
            }
            if (bytes + b.size() > maxBytes && !(minOne && expected.isEmpty())) {
                break;
            }
            expected.add(b);
            bytes += b.size();
        }
        assertEquals(expected.size(), batches.size(), "batches read at " + offset + " max " + maxBytes + "/" + maxOffset);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).baseOffset(), batches.get(i).baseOffset());
            assertEquals(expected.get(i).maxTimestamp(), batches.get(i).maxTimestamp());
            batches.get(i).ensureValid();
        }
    }

    private void listOffsets(Random random) {
        long target = clock.millis() - random.nextInt(12_000);
        TimestampAndOffset found = log.offsetForTimestamp(target, Long.MAX_VALUE);
        TimestampAndOffset expected = TimestampAndOffset.NONE;
        search:
        for (ModelBatch batch : visible()) {
            for (int i = 0; i < batch.count(); i++) {
                if (batch.baseOffset() + i >= logStartOffset && batch.timestamps()[i] >= target) {
                    expected = new TimestampAndOffset(batch.timestamps()[i], batch.baseOffset() + i);
                    break search;
                }
            }
        }
        assertEquals(expected, found, "ListOffsets(" + target + ")");
    }

    private void truncate(Random random) {
        List<ModelBatch> candidates = visible().stream().filter(b -> b.baseOffset() >= logStartOffset).toList();
        if (candidates.isEmpty()) {
            return;
        }
        long offset = candidates.get(random.nextInt(candidates.size())).baseOffset();
        boolean restartsLog = log.segmentBaseOffsets().iterator().next() >= offset;
        log.truncateTo(offset);
        model.removeIf(b -> b.lastOffset() >= offset);
        logEndOffset = offset;
        if (restartsLog) {
            logStartOffset = offset;
        }
    }

    private void deleteRecords(Random random) {
        long offset = logStartOffset + (long) (random.nextDouble() * (log.highWatermark() - logStartOffset + 1));
        assertEquals(Math.max(offset, logStartOffset), log.deleteRecordsBefore(offset));
        logStartOffset = Math.max(offset, logStartOffset);
    }

    private void retention(Random random) {
        config = LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "600", LogConfig.INDEX_INTERVAL_BYTES, "120",
                LogConfig.RETENTION_BYTES, String.valueOf(500 + random.nextInt(3000)), LogConfig.FILE_DELETE_DELAY_MS, "0"));
        log.updateConfig(config);
        long sizeBefore = log.size();
        log.deleteOldSegments();
        assertTrue(log.logStartOffset() >= logStartOffset);
        assertTrue(log.size() <= sizeBefore);
        logStartOffset = log.logStartOffset();
        assertTrue(log.segmentBaseOffsets().iterator().next() <= logStartOffset);
    }

    private void crash(Random random) throws IOException {
        resources.files().close(); // no close(): no final time index entry, no flush, no checkpoint
        boolean tear = random.nextBoolean() && !model.isEmpty() && model.get(model.size() - 1).baseOffset() >= logStartOffset;
        if (tear) {
            ModelBatch last = model.get(model.size() - 1);
            Path file = LogFiles.logFile(root.resolve(TP.directoryName()), log.segments().lastKey());
            long size = Files.size(file);
            if (size >= last.size()) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(size - 1 - random.nextInt(last.size()));
                }
                model.remove(model.size() - 1);
                logEndOffset = last.baseOffset();
            }
        }
        reopen(false);
    }
}
