package dev.runnel.log;

import dev.runnel.wire.record.InvalidRecordException;
import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionLogTest {
    private static final TopicPartition TP = new TopicPartition("orders", 3);

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final LogResources resources = new LogResources(new FileHandles(64), new IndexCache(1 << 20), clock);
    private final List<PartitionLog> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(log -> {
            if (!log.isOffline()) {
                log.close();
            }
        });
        resources.files().close();
    }

    private PartitionLog openLog(LogConfig config) {
        PartitionLog log = PartitionLog.open(root.resolve(TP.directoryName()), TP, config, resources, 0, 0, false,
                ProducerStateHook.NONE, null, e -> { });
        open.add(log);
        return log;
    }

    private static AppendResult append(PartitionLog log, ByteBuf batch, int epoch) {
        try {
            return log.appendAsLeader(batch, epoch);
        } finally {
            batch.release();
        }
    }

    @Test
    void appendAssignsOffsetsAndReadReturnsTheBatchesKafkaCanParse() throws IOException {
        PartitionLog log = openLog(LogConfig.DEFAULT);
        AppendResult first = append(log, Batches.batch(3, 10, 11, 12), 5);
        AppendResult second = append(log, Batches.batch(2, 20), 5);

        assertEquals(0, first.baseOffset());
        assertEquals(2, first.lastOffset());
        assertEquals(3, second.baseOffset());
        assertEquals(4, second.lastOffset());
        assertEquals(-1, second.logAppendTime());
        assertEquals(5, log.logEndOffset());
        assertEquals(5, log.highWatermark());

        List<RecordBatch> batches = Batches.readAndRelease(log.read(0, 1 << 20, false, Long.MAX_VALUE));
        assertEquals(2, batches.size());
        assertEquals(0, batches.get(0).baseOffset());
        assertEquals(3, batches.get(1).baseOffset());
        assertEquals(5, batches.get(1).partitionLeaderEpoch());
        batches.forEach(RecordBatch::ensureValid);
        List<Long> offsets = new ArrayList<>();
        for (RecordBatch batch : batches) {
            for (Record record : batch) {
                offsets.add(record.offset());
            }
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), offsets);
        assertEquals(Batches.segmentFile(LogFiles.logFile(log.directory(), 0)).size(), 2);
    }

    @Test
    void fetchInsideABatchReturnsTheWholeBatch() throws IOException {
        PartitionLog log = openLog(LogConfig.DEFAULT);
        append(log, Batches.batch(5), 0);
        append(log, Batches.batch(5), 0);
        LogSlice slice = log.read(7, 1 << 20, true, Long.MAX_VALUE);
        assertEquals(5, slice.firstBatchBaseOffset());
        List<RecordBatch> batches = Batches.readAndRelease(slice);
        assertEquals(1, batches.size());
        assertEquals(5, batches.get(0).baseOffset());
    }

    @Test
    void readsStopAtMaxOffsetAndOutOfRangeIsSignalled() throws IOException {
        PartitionLog log = openLog(LogConfig.DEFAULT);
        append(log, Batches.batch(2), 0);
        append(log, Batches.batch(2), 0);
        log.setHighWatermark(2);
        append(log, Batches.batch(2), 0);
        assertEquals(2, log.highWatermark(), "after setHighWatermark appends leave it to replication");

        List<RecordBatch> visible = Batches.readAndRelease(log.read(0, 1 << 20, false, log.highWatermark()));
        assertEquals(1, visible.size());
        assertTrue(log.read(2, 1 << 20, false, log.highWatermark()).isEmpty());
        assertTrue(log.read(6, 1 << 20, false, Long.MAX_VALUE).isEmpty(), "fetch at log end is empty");
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(7, 100, false, Long.MAX_VALUE));
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(-1, 100, false, Long.MAX_VALUE));
    }

    @Test
    void maxBytesCutsTheSliceButMinOneBatchReturnsAWholeFirstBatch() throws IOException {
        PartitionLog log = openLog(LogConfig.DEFAULT);
        append(log, Batches.batch(10), 0);
        append(log, Batches.batch(10), 0);
        LogSlice tiny = log.read(0, 10, false, Long.MAX_VALUE);
        assertEquals(10, tiny.size());
        assertEquals(List.of(), Batches.readAndRelease(tiny));
        List<RecordBatch> one = Batches.readAndRelease(log.read(0, 10, true, Long.MAX_VALUE));
        assertEquals(1, one.size());
        assertEquals(9, one.get(0).lastOffset());
    }

    @Test
    void logAppendTimeRewritesTimestampAndCrc() throws IOException {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime")));
        AppendResult result = append(log, Batches.batch(3, 5), 0);
        assertEquals(clock.millis(), result.logAppendTime());
        RecordBatch batch = Batches.readAndRelease(log.read(0, 1 << 20, false, Long.MAX_VALUE)).get(0);
        batch.ensureValid();
        assertEquals(TimestampType.LOG_APPEND_TIME, batch.timestampType());
        assertEquals(clock.millis(), batch.maxTimestamp());
    }

    @Test
    void invalidBatchesAreRejectedWithoutChangingTheLog() {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.MAX_MESSAGE_BYTES, "200")));
        append(log, Batches.batch(1), 0);
        ByteBuf corrupt = Batches.batch(2);
        corrupt.setByte(corrupt.writerIndex() - 1, corrupt.getByte(corrupt.writerIndex() - 1) ^ 1);
        assertThrows(InvalidRecordException.class, () -> append(log, corrupt, 0));
        ByteBuf torn = Batches.batch(2);
        torn.writerIndex(torn.writerIndex() - 1);
        assertThrows(InvalidRecordException.class, () -> append(log, torn, 0));
        RecordTooLargeException tooLarge = assertThrows(RecordTooLargeException.class, () -> append(log, Batches.batch(50), 0));
        assertFalse(tooLarge.wholeRequest());
        assertEquals(1, log.logEndOffset());
        assertEquals(1, log.size() > 0 ? log.logEndOffset() : -1);
    }

    @Test
    void rollsOnSegmentBytesAndIndexesEveryBatchOfEverySegment() throws IOException {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "2000", LogConfig.INDEX_INTERVAL_BYTES, "150")));
        for (int i = 0; i < 100; i++) {
            append(log, Batches.batch(1 + i % 3, 1000 + i), 0);
        }
        assertTrue(log.segmentCount() >= 4, "rolled into " + log.segmentCount());
        log.flush(log.logEndOffset()); // the active segment's index entries reach its file on flush, roll or close
        for (long base : log.segmentBaseOffsets()) {
            assertTrue(Files.size(LogFiles.offsetIndexFile(log.directory(), base)) > 0, "index entries in segment " + base);
        }
        for (long offset = 0; offset < log.logEndOffset(); offset++) {
            LogSlice slice = log.read(offset, 1, true, Long.MAX_VALUE);
            RecordBatch batch = Batches.readAndRelease(slice).get(0);
            assertTrue(batch.baseOffset() <= offset && offset <= batch.lastOffset(), "offset " + offset);
        }
        assertIndexesPointAtBatches(log);
    }

    /** Every .index entry names a batch's last offset and its position; .timeindex entries a real max so far. */
    static void assertIndexesPointAtBatches(PartitionLog log) throws IOException {
        for (long base : log.segmentBaseOffsets()) {
            List<RecordBatch> batches = Batches.segmentFile(LogFiles.logFile(log.directory(), base));
            List<long[]> positions = new ArrayList<>();
            long position = 0;
            for (RecordBatch batch : batches) {
                positions.add(new long[] {batch.lastOffset(), position});
                position += batch.sizeInBytes();
            }
            ByteBuffer index = ByteBuffer.wrap(Files.readAllBytes(LogFiles.offsetIndexFile(log.directory(), base)));
            while (index.hasRemaining()) {
                long offset = base + index.getInt();
                long pos = index.getInt();
                assertTrue(positions.stream().anyMatch(p -> p[0] == offset && p[1] == pos), "index entry " + offset + "@" + pos);
            }
            ByteBuffer timeIndex = ByteBuffer.wrap(Files.readAllBytes(LogFiles.timeIndexFile(log.directory(), base)));
            while (timeIndex.hasRemaining()) {
                long timestamp = timeIndex.getLong();
                long offset = base + timeIndex.getInt();
                long max = batches.stream().filter(b -> b.lastOffset() <= offset).mapToLong(RecordBatch::maxTimestamp).max().orElse(-1);
                assertEquals(max, timestamp, "time index entry at " + offset);
            }
        }
    }

    @Test
    void rollsOnSegmentMsMeasuredFromTheFirstBatchTimestamp() {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.SEGMENT_MS, "1000")));
        append(log, Batches.batch(1, 10_000), 0);
        append(log, Batches.batch(1, 10_900), 0);
        assertEquals(1, log.segmentCount());
        append(log, Batches.batch(1, 11_001), 0);
        assertEquals(2, log.segmentCount());
        assertEquals(List.of(0L, 2L), List.copyOf(log.segmentBaseOffsets()));
    }

    @Test
    void rollsWhenTheIndexIsFull() {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.SEGMENT_INDEX_BYTES, "24", LogConfig.INDEX_INTERVAL_BYTES, "0")));
        for (int i = 0; i < 20; i++) {
            append(log, Batches.batch(1, 100 + i), 0);
        }
        assertTrue(log.segmentCount() >= 5, "segments: " + log.segmentCount());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"none", "gzip", "zstd"})
    void listOffsetsByTimestampFindsTheFirstRecordAtOrAfterTheTarget(String codec) {
        org.apache.kafka.common.compress.Compression compression = switch (codec) {
            case "gzip" -> org.apache.kafka.common.compress.Compression.gzip().build();
            case "zstd" -> org.apache.kafka.common.compress.Compression.zstd().build();
            default -> org.apache.kafka.common.compress.Compression.NONE;
        };
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "1000", LogConfig.INDEX_INTERVAL_BYTES, "100")));
        List<Long> timestamps = new ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 60; i++) {
            long[] ts = {random.nextInt(5000), random.nextInt(5000), random.nextInt(5000)};
            append(log, Batches.wrap(Batches.memoryRecords(compression, 3, ts)), 0);
            for (long t : ts) {
                timestamps.add(t);
            }
        }
        for (long target = -0; target <= 5001; target += 37) {
            long expectedOffset = -1;
            long expectedTs = -1;
            for (int i = 0; i < timestamps.size(); i++) {
                if (timestamps.get(i) >= target) {
                    expectedOffset = i;
                    expectedTs = timestamps.get(i);
                    break;
                }
            }
            TimestampAndOffset found = log.offsetForTimestamp(target, Long.MAX_VALUE);
            assertEquals(new TimestampAndOffset(expectedTs, expectedOffset), found, "target " + target);
        }
        long max = timestamps.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertEquals(new TimestampAndOffset(max, timestamps.indexOf(max)), log.offsetForTimestamp(PartitionLog.MAX_TIMESTAMP, Long.MAX_VALUE));
        assertEquals(new TimestampAndOffset(-1, 0), log.offsetForTimestamp(PartitionLog.EARLIEST_TIMESTAMP, Long.MAX_VALUE));
        assertEquals(new TimestampAndOffset(-1, 180), log.offsetForTimestamp(PartitionLog.LATEST_TIMESTAMP, Long.MAX_VALUE));
        assertEquals(TimestampAndOffset.NONE, log.offsetForTimestamp(5001, Long.MAX_VALUE));
    }

    @Test
    void listOffsetsInsideACompressedBatchFindsTheExactRecordAsKafkaDoes() {
        PartitionLog log = openLog(LogConfig.DEFAULT);
        append(log, Batches.wrap(Batches.memoryRecords(Compression.gzip().build(), 4, 10, 20, 30, 40)), 0);
        assertEquals(new TimestampAndOffset(30, 2), log.offsetForTimestamp(25, Long.MAX_VALUE));
        assertEquals(new TimestampAndOffset(40, 3), log.offsetForTimestamp(PartitionLog.MAX_TIMESTAMP, Long.MAX_VALUE));
    }

    @Test
    void truncateRemovesTheTailAcrossSegments() throws IOException {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "500")));
        for (int i = 0; i < 30; i++) {
            append(log, Batches.batch(2, 100 + i), i / 10);
        }
        log.truncateTo(21);
        assertEquals(20, log.logEndOffset(), "a batch holding the truncation offset goes whole");
        assertEquals(20, log.highWatermark());
        append(log, Batches.batch(1), 7);
        List<RecordBatch> tail = Batches.readAndRelease(log.read(18, 1 << 20, false, Long.MAX_VALUE));
        assertEquals(18, tail.get(0).baseOffset());
        assertEquals(20, tail.get(tail.size() - 1).baseOffset());
        assertEquals(7, log.leaderEpochCache().latestEpoch());
        // epoch 1 started at offset 20 and was truncated away; epoch 7 now starts there
        assertEquals(List.of(new LeaderEpochCache.EpochEntry(0, 0), new LeaderEpochCache.EpochEntry(7, 20)),
                log.leaderEpochCache().entries());
        assertIndexesPointAtBatches(log);
    }

    @Test
    void deleteRecordsMovesTheLogStartOffsetAndDropsWholeSegments() {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "500")));
        for (int i = 0; i < 30; i++) {
            append(log, Batches.batch(2), 0);
        }
        int before = log.segmentCount();
        assertEquals(25, log.deleteRecordsBefore(25));
        assertEquals(25, log.logStartOffset());
        assertTrue(log.segmentCount() < before);
        assertTrue(log.segmentBaseOffsets().iterator().next() <= 25);
        assertThrows(OffsetOutOfRangeException.class, () -> log.read(24, 100, false, Long.MAX_VALUE));
        assertThrows(OffsetOutOfRangeException.class, () -> log.deleteRecordsBefore(61));
        assertEquals(new TimestampAndOffset(-1, 25), log.offsetForTimestamp(PartitionLog.EARLIEST_TIMESTAMP, Long.MAX_VALUE));
    }

    @Test
    void retentionMsDeletesOldSegmentsAndTheirFilesAfterTheDelay() throws IOException {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "500", LogConfig.RETENTION_MS, "10000",
                LogConfig.FILE_DELETE_DELAY_MS, "5000")));
        long now = clock.millis();
        for (int i = 0; i < 10; i++) {
            append(log, Batches.batch(2, now - 20_000), 0);
        }
        for (int i = 0; i < 10; i++) {
            append(log, Batches.batch(2, now), 0);
        }
        int deleted = log.deleteOldSegments();
        assertTrue(deleted > 0);
        long start = log.logStartOffset();
        assertTrue(start > 0 && start <= 20, "log start " + start);
        assertTrue(Files.list(log.directory()).anyMatch(p -> p.toString().endsWith(".deleted")));
        clock.advance(5000);
        log.deleteOldSegments();
        assertFalse(Files.list(log.directory()).anyMatch(p -> p.toString().endsWith(".deleted")));
        clock.advance(20_000);
        log.deleteOldSegments();
        assertEquals(40, log.logStartOffset(), "everything expired: a fresh empty active segment remains");
        assertEquals(1, log.segmentCount());
        assertEquals(40, log.logEndOffset());
    }

    @Test
    void retentionBytesKeepsTheLogUnderTheLimit() {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "500", LogConfig.RETENTION_BYTES, "1000")));
        for (int i = 0; i < 40; i++) {
            append(log, Batches.batch(2), 0);
        }
        log.deleteOldSegments();
        assertTrue(log.size() <= 1000 + 500, "size " + log.size());
        assertTrue(log.size() > 1000 - 500);
    }

    @Test
    void retentionNeverDeletesAboveTheHighWatermark() {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "500", LogConfig.RETENTION_MS, "1")));
        for (int i = 0; i < 20; i++) {
            append(log, Batches.batch(2, 1), 0);
        }
        log.setHighWatermark(0);
        assertEquals(0, log.deleteOldSegments());
        log.setHighWatermark(log.logEndOffset());
        assertTrue(log.deleteOldSegments() > 0);
    }

    @Test
    void flushAdvancesTheRecoveryPointAndFlushMessagesForcesIt() {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.FLUSH_MESSAGES, "4")));
        append(log, Batches.batch(3), 0);
        assertEquals(0, log.recoveryPoint());
        append(log, Batches.batch(1), 0);
        assertEquals(4, log.recoveryPoint());
        append(log, Batches.batch(1), 0);
        log.flushAsync(5).join();
        assertEquals(5, log.recoveryPoint());
    }

    @Test
    void groupCommitFlusherCompletesEveryQueuedRequest() throws Exception {
        try (GroupCommitFlusher flusher = new GroupCommitFlusher("flusher")) {
            PartitionLog log = PartitionLog.open(root.resolve("g-0"), new TopicPartition("g", 0), LogConfig.DEFAULT,
                    resources, 0, 0, false, ProducerStateHook.NONE, flusher, e -> { });
            open.add(log);
            List<java.util.concurrent.CompletableFuture<Void>> futures = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                append(log, Batches.batch(1), 0);
                futures.add(log.flushAsync(log.logEndOffset()));
            }
            java.util.concurrent.CompletableFuture.allOf(futures.toArray(new java.util.concurrent.CompletableFuture[0]))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(50, log.recoveryPoint());
        }
    }

    @Test
    void anAppendTheFlushPolicyWantsOnDiskIsVisibleAndDurableOnlyAfterItsGroupCommit() throws Exception {
        try (GroupCommitFlusher flusher = new GroupCommitFlusher("flusher")) {
            PartitionLog log = PartitionLog.open(root.resolve("d-0"), new TopicPartition("d", 0),
                    LogConfig.of(Map.of(LogConfig.FLUSH_MESSAGES, "3")), resources, 0, 0, false, ProducerStateHook.NONE,
                    flusher, e -> { });
            open.add(log);
            append(log, Batches.batch(1), 0); // below flush.messages: readable and acknowledged at once, as in Kafka
            assertEquals(1, log.highWatermark());
            assertTrue(log.whenDurable(1).isDone());
            java.util.concurrent.CompletableFuture<Void> durable;
            synchronized (log) { // the flusher needs the log's monitor to publish its flush, so it waits for us
                append(log, Batches.batch(2), 0);
                durable = log.whenDurable(3);
                assertEquals(3, log.logEndOffset());
                assertEquals(1, log.highWatermark(), "records waiting for their fsync are not readable yet");
                assertFalse(durable.isDone());
            }
            durable.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(3, log.recoveryPoint());
            assertEquals(3, log.highWatermark());
            assertTrue(log.whenDurable(3).isDone());
        }
    }

    @Test
    void sliceLeaseKeepsTheFileReadableAfterItsSegmentIsDeleted() throws IOException {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "300", LogConfig.FILE_DELETE_DELAY_MS, "0")));
        for (int i = 0; i < 10; i++) {
            append(log, Batches.batch(2), 0);
        }
        LogSlice slice = log.read(0, 1 << 20, false, Long.MAX_VALUE);
        log.deleteRecordsBefore(log.logEndOffset());
        log.deleteOldSegments();
        resources.files().close(); // even evicting every cached handle
        List<RecordBatch> batches = Batches.readAndRelease(slice);
        assertEquals(0, batches.get(0).baseOffset());
    }

    @Test
    void checkpointAndMetadataFilesUseKafkasTextFormats() throws IOException {
        PartitionLog log = openLog(LogConfig.DEFAULT);
        append(log, Batches.batch(2), 3);
        append(log, Batches.batch(2), 9);
        assertEquals("0\n2\n3 0\n9 2\n", Files.readString(log.directory().resolve(LeaderEpochCache.FILE_NAME)));
        java.util.UUID id = new java.util.UUID(0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L);
        PartitionMetadataFile.write(log.directory(), id);
        String expectedId = org.apache.kafka.common.Uuid.fromString(PartitionMetadataFile.encode(id)).toString();
        assertEquals(new org.apache.kafka.common.Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits()).toString(), expectedId);
        assertEquals("version: 0\ntopic_id: " + expectedId, Files.readString(log.directory().resolve(PartitionMetadataFile.FILE_NAME)));
        assertEquals(id, PartitionMetadataFile.read(log.directory()));
    }

    @Test
    void openFilesStayBoundedByTheHandleCache() throws IOException {
        LogResources small = new LogResources(new FileHandles(4), new IndexCache(256), clock);
        PartitionLog log = PartitionLog.open(root.resolve("small-0"), new TopicPartition("small", 0),
                LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "300", LogConfig.INDEX_INTERVAL_BYTES, "50")), small, 0, 0,
                false, ProducerStateHook.NONE, null, e -> { });
        for (int i = 0; i < 60; i++) {
            append(log, Batches.batch(2, i), 0);
        }
        assertTrue(log.segmentCount() > 10);
        for (long offset = 0; offset < log.logEndOffset(); offset++) {
            assertEquals(offset - offset % 2, Batches.readAndRelease(log.read(offset, 1, true, Long.MAX_VALUE)).get(0).baseOffset());
        }
        assertTrue(small.files().openFiles() <= 4, "open files " + small.files().openFiles());
        log.close();
        small.files().close();
    }

    @Test
    void readersOnAnotherThreadSeeOnlyCompleteBatches() throws Exception {
        PartitionLog log = openLog(LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "2000")));
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> error = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                while (!done.get()) {
                    long end = log.logEndOffset();
                    long next = 0;
                    while (next < end) {
                        List<RecordBatch> batches = Batches.readAndRelease(log.read(next, 1 << 16, true, end));
                        for (RecordBatch batch : batches) {
                            batch.ensureValid();
                            assertEquals(next, batch.baseOffset());
                            next = batch.nextOffset();
                        }
                    }
                }
            } catch (Throwable t) {
                error.set(t);
            }
        });
        reader.start();
        for (int i = 0; i < 2000; i++) {
            append(log, Batches.batch(1 + i % 4, i), 0);
        }
        done.set(true);
        reader.join(30_000);
        assertFalse(reader.isAlive());
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }
    }
}
