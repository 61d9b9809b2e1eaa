package dev.runnel.log;

import dev.runnel.log.KeyedLog.Entry;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka's cleaner rules for producers: aborted transactional data goes, markers stay while their transaction's
 * data is still in the log and then until their delete horizon, and a producer's last batch stays (empty if need
 * be) so that its sequence number and epoch survive.
 */
class CompactedTransactionsTest {
    private static final TopicPartition TP = new TopicPartition("txn", 0);
    private static final long RETENTION = 1_000;

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final LogResources resources = new LogResources(new FileHandles(64), new IndexCache(1 << 20), clock);
    private PartitionLog log;

    @AfterEach
    void close() {
        log.close();
        resources.files().close();
    }

    @Test
    void abortedDataGoesMarkersGoAfterTheirHorizonAndLastProducerBatchesStay() throws IOException {
        log = PartitionLog.open(root, TP, LogCleanerTest.compacted(1 << 20), resources, 0, 0, false, ProducerStateHook.NONE, null, e -> { });
        short epoch = 0;
        append(KeyedLog.batch(Compression.NONE, 10, 3L, epoch, 0, false, keys("k5"), values("idempotent"))); // 0
        append(KeyedLog.batch(Compression.NONE, 10, 1L, epoch, 0, true, keys("k1", "k2"), values("a", "b"))); // 1-2
        append(KeyedLog.marker(1L, epoch, true, 10));                                                         // 3
        append(KeyedLog.batch(Compression.lz4().build(), 10, 2L, epoch, 0, true, keys("k1", "k3"), values("x", "y")));  // 4-5
        append(KeyedLog.marker(2L, epoch, false, 10));                                                        // 6
        append(KeyedLog.batch(Compression.NONE, 10, keys("k2", "k5"), values("c", "plain")));                  // 7-8
        append(KeyedLog.batch(Compression.NONE, 10, 2L, epoch, 2, true, keys("k4"), values("z")));            // 9
        append(KeyedLog.marker(2L, epoch, true, 10));                                                         // 10
        log.roll();
        LogCleaner cleaner = new LogCleaner();

        cleaner.clean(log, clock.millis());
        List<RecordBatch> batches = KeyedLog.batches(log);
        assertEquals(List.of(0L, 1L, 3L, 6L, 7L, 9L, 10L), baseOffsets(batches), "the aborted batch is gone");
        assertEquals(0, batches.get(0).countOrNull(), "producer 3's last batch stays, emptied, for its sequence");
        assertEquals(0, batches.get(0).lastOffset());
        assertEquals(3L, batches.get(0).producerId());
        assertEquals(0, batches.get(0).baseSequence());
        assertEquals(List.of(new Entry(1, "k1", "a"), new Entry(7, "k2", "c"), new Entry(8, "k5", "plain"), new Entry(9, "k4", "z")),
                KeyedLog.records(log), "k1=x was aborted, so k1=a is the latest committed value");
        assertEquals(2, batches.get(1).lastOffset(), "the last offset survives the removal of k2=b");
        assertFalse(batches.get(3).deleteHorizonMs().isPresent(), "the abort marker's data was seen in this pass: kept as is");

        // second pass: the abort marker's transaction is empty now, so it gets a delete horizon
        clock.advance(1);
        appendDirtySegment("k6");
        cleaner.clean(log, clock.millis());
        RecordBatch abort = batchAt(KeyedLog.batches(log), 6);
        assertTrue(abort.isControlBatch());
        assertEquals(clock.millis() + RETENTION, abort.deleteHorizonMs().getAsLong());
        assertFalse(batchAt(KeyedLog.batches(log), 3).deleteHorizonMs().isPresent(), "k1=a still belongs to producer 1's commit");

        // third pass, past the horizon: the abort marker goes; the commit markers stay with their data
        clock.advance(RETENTION);
        appendDirtySegment("k7");
        cleaner.clean(log, clock.millis());
        List<Long> bases = baseOffsets(KeyedLog.batches(log));
        assertFalse(bases.contains(6L), "the abort marker is gone after its delete horizon: " + bases);
        assertTrue(bases.containsAll(List.of(0L, 1L, 3L, 7L, 9L, 10L)), bases.toString());
        assertEquals(ControlRecordType.COMMIT, ControlRecordType.parse(batchAt(KeyedLog.batches(log), 10).iterator().next().key()));
    }

    private void appendDirtySegment(String key) {
        append(KeyedLog.batch(Compression.NONE, 20, keys(key), values("1")));
        append(KeyedLog.batch(Compression.NONE, 20, keys(key), values("2")));
        log.roll();
    }

    private void append(io.netty.buffer.ByteBuf batch) {
        KeyedLog.append(log, batch);
    }

    private static RecordBatch batchAt(List<RecordBatch> batches, long base) {
        return batches.stream().filter(b -> b.baseOffset() == base).findFirst().orElseThrow();
    }

    private static List<Long> baseOffsets(List<RecordBatch> batches) {
        List<Long> bases = new ArrayList<>();
        batches.forEach(b -> bases.add(b.baseOffset()));
        return bases;
    }

    private static String[] keys(String... k) {
        return k;
    }

    private static String[] values(String... v) {
        return v;
    }
}
