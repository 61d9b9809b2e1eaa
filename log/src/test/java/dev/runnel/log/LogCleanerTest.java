package dev.runnel.log;

import dev.runnel.log.KeyedLog.Entry;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compaction against a model: the latest value of each key survives at its original offset, older values go,
 * tombstones go only after delete.retention.ms, the active segment is untouched. Randomised tests print their seed
 * and accept {@code -Dseed=<seed>}.
 */
class LogCleanerTest {
    private static final TopicPartition TP = new TopicPartition("compacted", 0);
    private static final long RETENTION = 1_000;

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final LogResources resources = new LogResources(new FileHandles(256), new IndexCache(1 << 20), clock);
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

    static LogConfig compacted(int segmentBytes) {
        return LogConfig.of(Map.of(LogConfig.CLEANUP_POLICY, "compact", LogConfig.SEGMENT_BYTES, String.valueOf(segmentBytes),
                LogConfig.DELETE_RETENTION_MS, String.valueOf(RETENTION), LogConfig.INDEX_INTERVAL_BYTES, "100",
                LogConfig.FILE_DELETE_DELAY_MS, "0"));
    }

    private PartitionLog openLog(LogConfig config, boolean cleanShutdown) {
        PartitionLog log = PartitionLog.open(root.resolve(TP.directoryName()), TP, config, resources, 0, 0, cleanShutdown,
                ProducerStateHook.NONE, null, e -> { });
        open.add(log);
        return log;
    }

    /** Appends {@code count} random batches; returns the model of every record written, by offset. */
    private static Map<Long, Entry> randomWorkload(PartitionLog log, Random random, int count, int keys, Compression compression) {
        Map<Long, Entry> written = new LinkedHashMap<>();
        for (int b = 0; b < count; b++) {
            int n = 1 + random.nextInt(4);
            String[] k = new String[n];
            String[] v = new String[n];
            for (int i = 0; i < n; i++) {
                k[i] = "key-" + random.nextInt(keys);
                v[i] = random.nextInt(8) == 0 ? null : "value-" + b + "-" + i + "-" + random.nextInt(1000);
            }
            AppendResult result = KeyedLog.append(log, KeyedLog.batch(compression, 1_000 + b, k, v));
            for (int i = 0; i < n; i++) {
                written.put(result.baseOffset() + i, new Entry(result.baseOffset() + i, k[i], v[i]));
            }
        }
        return written;
    }

    /** The latest entry of each key among those below {@code end}. */
    private static Map<String, Entry> latestPerKey(Map<Long, Entry> written, long end) {
        Map<String, Entry> latest = new HashMap<>();
        for (Entry e : written.values()) {
            if (e.offset() < end) {
                latest.put(e.key(), e);
            }
        }
        return latest;
    }

    /**
     * Checks a compacted log against the model: every record read is the one written at its offset; below
     * {@code cleanEnd} only the latest of each key remains (tombstones only at or after {@code tombstonesFrom}); at
     * and above it everything written remains.
     */
    private static void assertCompacted(Map<Long, Entry> written, List<Entry> read, long cleanEnd, long tombstonesFrom) {
        Map<String, Entry> latest = latestPerKey(written, cleanEnd);
        List<Entry> expected = new ArrayList<>();
        for (Entry e : written.values()) {
            boolean keep = e.offset() >= cleanEnd
                    || (latest.get(e.key()).equals(e) && (e.value() != null || e.offset() >= tombstonesFrom));
            if (keep) {
                expected.add(e);
            }
        }
        assertEquals(expected, read);
    }

    @Test
    void compactionKeepsTheLatestValueOfEachKeyAtItsOriginalOffset() throws IOException {
        long seed = Long.getLong("seed", System.nanoTime());
        try {
            Random random = new Random(seed);
            PartitionLog log = openLog(compacted(600 + random.nextInt(1500)), false);
            Map<Long, Entry> written = randomWorkload(log, random, 150 + random.nextInt(150), 5 + random.nextInt(40), Compression.NONE);
            long activeBase = log.activeSegment().baseOffset();
            byte[] activeBytes = Files.readAllBytes(log.activeSegment().logFile());
            int segmentsBefore = log.segmentCount();

            LogCleaner.CleanResult result = new LogCleaner().cleanIfNeeded(log, clock.millis());

            assertTrue(result.cleaned(), "a log of duplicates is dirty enough: " + result);
            assertEquals(activeBase, result.firstDirtyOffset(), "everything below the active segment was cleanable");
            assertCompacted(written, KeyedLog.records(log), activeBase, 0);
            assertArrayEquals(activeBytes, Files.readAllBytes(log.activeSegment().logFile()), "the active segment is untouched");
            assertTrue(log.segmentCount() <= segmentsBefore);
            LogCleaner cleaner = new LogCleaner();
            assertFalse(cleaner.cleanIfNeeded(log, clock.millis()).cleaned(), "nothing new is dirty");

            // more dirty data after delete.retention.ms: the first tombstones' horizon has passed, the new ones' not
            clock.advance(RETENTION);
            written.putAll(randomWorkload(log, random, 100, 5 + random.nextInt(40), Compression.NONE));
            long secondActiveBase = log.activeSegment().baseOffset();
            assertTrue(cleaner.clean(log, clock.millis()).cleaned());
            assertCompacted(written, KeyedLog.records(log), secondActiveBase, activeBase);
            assertEquals(written.size(), log.logEndOffset());
            assertNoLeftovers(log.directory());

            // and the cleaned files are what a restart reads back, through rebuilt or kept indexes alike
            log.close();
            open.remove(log);
            PartitionLog reopened = openLog(log.config(), false);
            assertCompacted(written, KeyedLog.records(reopened), secondActiveBase, activeBase);
            assertKafkaReadsEverySegment(reopened);
        } catch (AssertionError | IOException | RuntimeException e) {
            fail("failed with -Dseed=" + seed, e);
        }
    }

    @Test
    void compactedBatchesKeepCodecProducerFieldsAndLastOffset() throws IOException {
        for (CompressionType type : CompressionType.values()) {
            Compression compression = Compression.of(type).build();
            PartitionLog log = openLog(compacted(1 << 20), false);
            KeyedLog.append(log, KeyedLog.batch(compression, 100, 7L, (short) 3, 10, false,
                    new String[] {"a", "b", "a", "c", "b"}, new String[] {"1", "2", "3", "4", null}));
            KeyedLog.append(log, KeyedLog.batch(compression, 200, new String[] {"c"}, new String[] {"5"}));
            log.roll();
            KeyedLog.append(log, KeyedLog.batch(compression, 300, new String[] {"z"}, new String[] {"active"}));

            new LogCleaner().clean(log, clock.millis());

            List<RecordBatch> batches = KeyedLog.batches(log);
            RecordBatch first = batches.get(0);
            assertEquals(type, first.compressionType(), type.name);
            assertEquals(0, first.baseOffset());
            assertEquals(4, first.lastOffset(), "the last offset (and so the last sequence) survives");
            assertEquals(7L, first.producerId());
            assertEquals(3, first.producerEpoch());
            assertEquals(10, first.baseSequence());
            assertEquals(14, first.lastSequence());
            assertTrue(first.deleteHorizonMs().isPresent(), "a kept tombstone sets the delete horizon (KIP-534)");
            assertEquals(clock.millis() + RETENTION, first.deleteHorizonMs().getAsLong());
            List<String> kept = new ArrayList<>();
            for (Record record : first) {
                kept.add(record.offset() + ":" + KeyedLog.string(record.key()) + "=" + KeyedLog.string(record.value())
                        + "@" + record.timestamp());
            }
            assertEquals(List.of("2:a=3@100", "4:b=null@100"), kept, type.name);
            assertEquals(5, batches.get(1).baseOffset());
            assertEquals(6, batches.get(2).baseOffset(), "the active segment's batch");
            log.close();
            open.remove(log);
            deleteRecursively(log.directory());
        }
    }

    @Test
    void compressedWorkloadsOfEveryCodecMatchTheModel() throws IOException {
        long seed = Long.getLong("seed", System.nanoTime());
        try {
            for (CompressionType type : CompressionType.values()) {
                Random random = new Random(seed + type.id);
                PartitionLog log = openLog(compacted(2_000), false);
                Map<Long, Entry> written = randomWorkload(log, random, 80, 10, Compression.of(type).build());
                long activeBase = log.activeSegment().baseOffset();
                new LogCleaner().clean(log, clock.millis());
                assertCompacted(written, KeyedLog.records(log), activeBase, 0);
                for (RecordBatch batch : KeyedLog.batches(log)) {
                    assertEquals(type, batch.compressionType());
                }
                log.close();
                open.remove(log);
                deleteRecursively(log.directory());
            }
        } catch (AssertionError | IOException | RuntimeException e) {
            fail("failed with -Dseed=" + seed, e);
        }
    }

    @Test
    void dirtyRatioAndCompactionLagsDecideWhetherToClean() throws IOException {
        LogConfig lazy = compacted(1 << 20).with(Map.of(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.9"));
        PartitionLog log = openLog(lazy, false);
        KeyedLog.append(log, KeyedLog.batch(Compression.NONE, clock.millis(), new String[] {"a", "a"}, new String[] {"1", "2"}));
        log.roll();
        KeyedLog.append(log, KeyedLog.batch(Compression.NONE, clock.millis(), new String[] {"b"}, new String[] {"1"}));
        LogCleaner cleaner = new LogCleaner();
        assertTrue(cleaner.cleanIfNeeded(log, clock.millis()).cleaned(), "the only rolled segment is all dirty: ratio 1");
        assertFalse(cleaner.cleanIfNeeded(log, clock.millis()).cleaned(), "nothing dirty after a clean");

        log.roll();
        LogCleaner.CleanResult skipped = cleaner.cleanIfNeeded(log, clock.millis());
        assertFalse(skipped.cleaned(), "one dirty segment next to one clean one is under 0.9: " + skipped);

        log.updateConfig(lazy.with(Map.of(LogConfig.MAX_COMPACTION_LAG_MS, "60000")));
        assertFalse(cleaner.cleanIfNeeded(log, clock.millis()).cleaned(), "not yet past max.compaction.lag.ms");
        clock.advance(60_001);
        assertTrue(cleaner.cleanIfNeeded(log, clock.millis()).cleaned(), "past max.compaction.lag.ms");

        KeyedLog.append(log, KeyedLog.batch(Compression.NONE, clock.millis(), new String[] {"b"}, new String[] {"2"}));
        log.roll();
        log.updateConfig(compacted(1 << 20).with(Map.of(LogConfig.MIN_COMPACTION_LAG_MS, "10000",
                LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.01")));
        assertFalse(cleaner.cleanIfNeeded(log, clock.millis()).cleaned(), "records younger than min.compaction.lag.ms stay dirty");
        clock.advance(10_001);
        assertTrue(cleaner.cleanIfNeeded(log, clock.millis()).cleaned());
        assertEquals(List.of(new Entry(1, "a", "2"), new Entry(3, "b", "2")), KeyedLog.records(log));
    }

    @Test
    void cleaningStopsAtTheLastStableOffsetAndTheHighWatermark() throws IOException {
        PartitionLog log = openLog(compacted(1 << 20), false);
        KeyedLog.append(log, KeyedLog.batch(Compression.NONE, 1, new String[] {"a", "a"}, new String[] {"1", "2"}));
        log.roll();
        KeyedLog.append(log, KeyedLog.batch(Compression.NONE, 1, new String[] {"a", "a"}, new String[] {"3", "4"}));
        log.roll();
        log.setHighWatermark(2);
        new LogCleaner().clean(log, clock.millis());
        assertEquals(List.of(new Entry(1, "a", "2"), new Entry(2, "a", "3"), new Entry(3, "a", "4")), KeyedLog.records(log));
        assertEquals(2, log.firstDirtyOffset());
    }

    @Test
    void compactDeleteAlsoAppliesRetention() throws IOException {
        LogConfig both = compacted(1 << 20).with(Map.of(LogConfig.CLEANUP_POLICY, "compact,delete", LogConfig.RETENTION_MS, "5000"));
        PartitionLog log = openLog(both, false);
        KeyedLog.append(log, KeyedLog.batch(Compression.NONE, clock.millis(), new String[] {"a", "a"}, new String[] {"1", "2"}));
        log.roll();
        KeyedLog.append(log, KeyedLog.batch(Compression.NONE, clock.millis() + 10_000, new String[] {"b", "b"}, new String[] {"1", "2"}));
        new LogCleaner().clean(log, clock.millis());
        assertEquals(List.of(new Entry(1, "a", "2"), new Entry(2, "b", "1"), new Entry(3, "b", "2")), KeyedLog.records(log));
        clock.advance(6_000);
        assertEquals(1, log.deleteOldSegments());
        assertEquals(2, log.logStartOffset());
        assertEquals(List.of(new Entry(2, "b", "1"), new Entry(3, "b", "2")), KeyedLog.records(log));
    }

    @Test
    void slicesReadBeforeACleanStayReadableAfterIt() throws IOException {
        PartitionLog log = openLog(compacted(1 << 20), false);
        for (int i = 0; i < 20; i++) {
            KeyedLog.append(log, KeyedLog.batch(Compression.NONE, 1, new String[] {"k"}, new String[] {"v" + i}));
        }
        log.roll();
        LogSlice before = log.read(0, 1 << 20, true, Long.MAX_VALUE);
        new LogCleaner().clean(log, clock.millis());
        List<RecordBatch> old = Batches.readAndRelease(before);
        assertEquals(20, old.size(), "the lease keeps the replaced file readable");
        assertEquals(List.of(new Entry(19, "k", "v19")), KeyedLog.records(log));
    }

    @Test
    void readersOnOtherThreadsKeepReadingWhileSegmentsAreSwapped() throws Exception {
        PartitionLog log = openLog(compacted(1 << 20), false);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        KeyedLog.append(log, KeyedLog.batch(Compression.NONE, 1, new String[] {"k"}, new String[] {"v"}));
        Thread reader = new Thread(() -> {
            Random random = new Random(1);
            try {
                while (!done.get()) {
                    long end = log.logEndOffset();
                    long offset = random.nextLong(end);
                    List<RecordBatch> batches = Batches.readAndRelease(log.read(offset, 4096, true, Long.MAX_VALUE));
                    assertFalse(batches.isEmpty(), "offset " + offset + " below the log end " + end);
                    assertTrue(batches.get(batches.size() - 1).lastOffset() >= offset);
                    reads.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        LogCleaner cleaner = new LogCleaner();
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < 20; i++) {
                KeyedLog.append(log, KeyedLog.batch(Compression.NONE, 1, new String[] {"k" + i % 3}, new String[] {"v" + round}));
            }
            log.roll();
            cleaner.clean(log, clock.millis());
        }
        done.set(true);
        reader.join(10_000);
        if (failure.get() != null) {
            throw new AssertionError("reader failed after " + reads.get() + " reads", failure.get());
        }
        assertFalse(log.isOffline());
        assertTrue(reads.get() > 0);
    }

    @Test
    void cleanerCheckpointSurvivesARestart() throws IOException {
        Path dirRoot = root.resolve("dir");
        LogConfig config = compacted(1 << 20);
        LogDirectory directory = LogDirectory.open(dirRoot, resources, tp -> config, (tp, dir) -> ProducerStateHook.NONE, null);
        PartitionLog log = directory.getOrCreate(TP, null, config);
        KeyedLog.append(log, KeyedLog.batch(Compression.NONE, 1, new String[] {"a", "a"}, new String[] {"1", "2"}));
        log.roll();
        new LogCleaner().clean(log, clock.millis());
        directory.close();
        assertTrue(Files.readString(dirRoot.resolve(LogDirectory.CLEANER_OFFSET_CHECKPOINT)).contains("compacted 0 2"));
        LogDirectory reopened = LogDirectory.open(dirRoot, resources, tp -> config, (tp, dir) -> ProducerStateHook.NONE, null);
        assertEquals(2, reopened.log(TP).firstDirtyOffset());
        reopened.close();
    }

    static void assertNoLeftovers(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> {
                String name = f.getFileName().toString();
                assertFalse(name.endsWith(LogFiles.CLEANED_SUFFIX) || name.endsWith(LogFiles.SWAP_SUFFIX), name);
            });
        }
    }

    /** Kafka's FileRecords parses and CRC-checks every batch of every segment file. */
    static void assertKafkaReadsEverySegment(PartitionLog log) throws IOException {
        for (long base : log.segmentBaseOffsets()) {
            for (RecordBatch batch : Batches.segmentFile(LogFiles.logFile(log.directory(), base))) {
                assertTrue(batch.baseOffset() >= base);
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }
}
