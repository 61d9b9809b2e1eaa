package dev.runnel.log;

import dev.runnel.log.KeyedLog.Entry;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A crash at each step of a segment swap leaves a directory that the next open turns into either the log before
 * the clean (crash before the commit point) or the log after it (crash after), never a mix, with no leftovers and
 * valid indexes. Seeded; {@code -Dseed=} replays.
 */
class LogCleanerCrashTest {
    private static final TopicPartition TP = new TopicPartition("compacted", 1);

    @TempDir
    Path root;

    private static final class SimulatedCrash extends RuntimeException {
    }

    @Test
    void recoveryCompletesOrRollsBackAnInterruptedSwap() throws IOException {
        long seed = Long.getLong("seed", System.nanoTime());
        try {
            for (SegmentSwap.Step step : SegmentSwap.Step.values()) {
                crashAt(step, new Random(seed + step.ordinal()));
            }
        } catch (AssertionError | IOException | RuntimeException e) {
            fail("failed with -Dseed=" + seed, e);
        }
    }

    private void crashAt(SegmentSwap.Step step, Random random) throws IOException {
        Path dir = root.resolve(step.name()).resolve(TP.directoryName());
        LogConfig config = LogCleanerTest.compacted(1 << 20);
        ManualClock clock = new ManualClock(1_000_000);
        LogResources resources = new LogResources(new FileHandles(64), new IndexCache(1 << 20), clock);
        PartitionLog log = PartitionLog.open(dir, TP, config, resources, 0, 0, false, ProducerStateHook.NONE, null, e -> { });
        List<Entry> written = new ArrayList<>();
        for (int b = 0; b < 60; b++) {
            String key = "k" + random.nextInt(8);
            String value = random.nextInt(6) == 0 ? null : "v" + b;
            AppendResult r = KeyedLog.append(log, KeyedLog.batch(Compression.NONE, 1_000 + b, new String[] {key}, new String[] {value}));
            written.add(new Entry(r.baseOffset(), key, value));
            if (b % 10 == 9 && b < 50) {
                log.roll();
            }
        }
        long activeBase = log.activeSegment().baseOffset();
        LogCleaner cleaner = new LogCleaner(1000, reached -> {
            if (reached == step) {
                throw new SimulatedCrash();
            }
        });
        assertThrows(SimulatedCrash.class, () -> cleaner.clean(log, clock.millis()));
        resources.files().close(); // the process dies: nothing is closed or flushed cleanly

        LogResources fresh = new LogResources(new FileHandles(64), new IndexCache(1 << 20), clock);
        PartitionLog reopened = PartitionLog.open(dir, TP, config, fresh, 0, 0, false, ProducerStateHook.NONE, null, e -> { });
        try {
            List<Entry> expected = step == SegmentSwap.Step.CLEANED_WRITTEN ? written : compacted(written, activeBase);
            assertEquals(expected, KeyedLog.records(reopened), "after a crash at " + step);
            assertEquals(written.size(), reopened.logEndOffset());
            LogCleanerTest.assertNoLeftovers(dir);
            LogCleanerTest.assertKafkaReadsEverySegment(reopened);
            for (Entry e : expected) { // every offset is found through the (rebuilt) indexes
                List<RecordBatch> batches = Batches.readAndRelease(reopened.read(e.offset(), 1, true, Long.MAX_VALUE));
                assertTrue(batches.get(0).baseOffset() <= e.offset() && batches.get(0).lastOffset() >= e.offset());
            }
            new LogCleaner().clean(reopened, clock.millis()); // and cleaning goes on from there
            assertEquals(compacted(written, activeBase), KeyedLog.records(reopened));
        } finally {
            reopened.close();
            fresh.files().close();
        }
    }

    /** The single-group clean's result: below {@code end}, the latest entry per key (tombstones kept). */
    private static List<Entry> compacted(List<Entry> written, long end) {
        Map<String, Entry> latest = new HashMap<>();
        for (Entry e : written) {
            if (e.offset() < end) {
                latest.put(e.key(), e);
            }
        }
        List<Entry> kept = new ArrayList<>();
        for (Entry e : written) {
            if (e.offset() >= end || latest.get(e.key()).equals(e)) {
                kept.add(e);
            }
        }
        return kept;
    }
}
