package dev.runnel.log.producer;

import dev.runnel.log.producer.ProducerCheck.Outcome;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.CompletedTxn;
import org.apache.kafka.storage.internals.log.ProducerAppendInfo;
import org.apache.kafka.storage.internals.log.ProducerStateEntry;
import org.apache.kafka.storage.internals.log.ProducerStateManager;
import org.apache.kafka.storage.internals.log.ProducerStateManagerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProducerSnapshotTest {
    private static final short EPOCH = 2;
    private static final long NOW = 1_000_000L;

    @TempDir
    Path dir;

    private final TestBatches batches = new TestBatches();

    @AfterEach
    void release() {
        batches.close();
    }

    /** Producer 1: idempotent, 3 batches. 2: transaction open. 3: transaction committed. 4: marker only. */
    private ProducerStateTable sampleTable() {
        ProducerStateTable table = new ProducerStateTable();
        table.replay(batches.idempotent(1L, EPOCH, 0, 2, 0L, NOW - 30));
        table.replay(batches.transactional(2L, (short) 0, 5, 1, 2L, NOW - 20));
        table.replay(batches.idempotent(1L, EPOCH, 2, 3, 3L, NOW - 10));
        table.replay(batches.transactional(3L, (short) 7, 0, 1, 6L, NOW - 9));
        table.replay(batches.marker(true, 3L, (short) 7, 11, 7L, NOW - 8));
        table.replay(batches.idempotent(1L, EPOCH, 5, 1, 8L, NOW - 5));
        table.replay(batches.marker(false, 4L, (short) 1, 3, 9L, NOW - 4));
        return table;
    }

    private static String describe(ProducerEntry entry) {
        List<BatchMetadata> batches = entry.batches();
        return entry.producerId() + "/" + entry.producerEpoch() + "/" + entry.coordinatorEpoch() + "/" + entry.lastTimestamp()
            + "/" + entry.currentTxnFirstOffset() + "/" + (batches.isEmpty() ? "none" : lastBatch(batches.get(batches.size() - 1)));
    }

    /**
     * The last batch as a snapshot keeps it: the file has one timestamp per producer (its last timestamp),
     * so a batch's own timestamp is not compared.
     */
    private static String lastBatch(BatchMetadata batch) {
        return batch.lastSeq() + ".." + batch.lastOffset() + "-" + batch.offsetDelta();
    }

    private static List<String> describe(Iterable<ProducerEntry> entries) {
        List<String> out = new ArrayList<>();
        entries.forEach(e -> out.add(describe(e)));
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private static String describeKafka(ProducerStateEntry entry) {
        List<org.apache.kafka.storage.internals.log.BatchMetadata> batches = new ArrayList<>(entry.batchMetadata());
        String last = "none";
        if (!batches.isEmpty()) {
            var b = batches.get(batches.size() - 1);
            last = lastBatch(new BatchMetadata(b.lastSeq(), b.lastOffset(), b.offsetDelta(), b.timestamp()));
        }
        return entry.producerId() + "/" + entry.producerEpoch() + "/" + entry.coordinatorEpoch() + "/" + entry.lastTimestamp()
            + "/" + entry.currentTxnFirstOffset().orElse(-1L) + "/" + last;
    }

    private static List<String> describeKafka(Iterable<ProducerStateEntry> entries) {
        List<String> out = new ArrayList<>();
        entries.forEach(e -> out.add(describeKafka(e)));
        out.sort(Comparator.naturalOrder());
        return out;
    }

    @Test
    void fileIsNamedWithTwentyDigitOffset() {
        Path file = ProducerSnapshotFile.path(dir, 1234L);
        assertEquals("00000000000000001234.snapshot", file.getFileName().toString());
        assertEquals(1234L, ProducerSnapshotFile.offsetOf(file));
        assertEquals(-1L, ProducerSnapshotFile.offsetOf(dir.resolve("00000000000000001234.snapshot.tmp")));
        assertEquals(-1L, ProducerSnapshotFile.offsetOf(dir.resolve("abc.snapshot")));
        assertEquals(-1L, ProducerSnapshotFile.offsetOf(dir.resolve("00000000000000001234.log")));
    }

    @Test
    void snapshotRoundTripRestoresStateAndOpenTransactions() throws IOException {
        ProducerStateTable table = sampleTable();
        Path file = table.writeSnapshot(dir, 10L);
        assertEquals(ProducerSnapshotFile.HEADER_SIZE + 4 * ProducerSnapshotFile.ENTRY_SIZE, Files.size(file));

        ProducerStateTable restored = new ProducerStateTable();
        assertEquals(10L, restored.loadLatestSnapshot(dir, 0L, NOW));
        assertEquals(describe(table.producers()), describe(restored.producers()));
        assertEquals(OptionalLong.of(2L), restored.firstUnstableOffset());
        assertTrue(restored.hasOngoingTransaction(2L, (short) 0));

        // Only the last batch survives a snapshot: its retry is a duplicate, older retries are not.
        ProducerCheck retry = restored.check(batches.idempotent(1L, EPOCH, 5, 1, 0L, NOW));
        assertEquals(Outcome.DUPLICATE, retry.outcome());
        assertEquals(8L, retry.firstOffset());
        assertEquals(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, restored.check(batches.idempotent(1L, EPOCH, 2, 3, 0L, NOW)).outcome());
        assertSame(ProducerCheck.OK, restored.check(batches.idempotent(1L, EPOCH, 6, 1, 0L, NOW)));
        // A producer with only a marker has an epoch and no sequence: it continues at 0.
        assertSame(ProducerCheck.OK, restored.check(batches.idempotent(4L, (short) 1, 0, 1, 0L, NOW)));
        assertEquals(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, restored.check(batches.idempotent(4L, (short) 1, 3, 1, 0L, NOW)).outcome());
    }

    @Test
    void kafkaReadsOurSnapshotAndWritesTheSameBytes() throws IOException {
        Path ours = sampleTable().writeSnapshot(dir, 10L);
        List<ProducerStateEntry> read = ProducerStateManager.readSnapshot(ours.toFile());
        assertEquals(describe(sampleTable().producers()), describeKafka(read));

        Map<Long, ProducerStateEntry> inOurOrder = new LinkedHashMap<>();
        read.forEach(entry -> inOurOrder.put(entry.producerId(), entry));
        Path theirs = dir.resolve("kafka").resolve(ours.getFileName());
        Files.createDirectories(theirs.getParent());
        ProducerStateManager.writeSnapshot(theirs.toFile(), inOurOrder, true);
        assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours));
    }

    @Test
    void weReadSnapshotsKafkaTakes() throws IOException {
        Path kafkaDir = Files.createDirectories(dir.resolve("kafka"));
        ProducerStateManager kafka = new ProducerStateManager(new TopicPartition("t", 0), kafkaDir.toFile(), 60_000,
            new ProducerStateManagerConfig(86_400_000, false), Time.SYSTEM);
        List<MemoryRecords> log = List.of(
            TestBatches.kafkaData(false, 1L, EPOCH, 0, 2, 0L, NOW - 30),
            TestBatches.kafkaData(true, 2L, (short) 0, 5, 1, 2L, NOW - 20),
            TestBatches.kafkaData(true, 3L, (short) 7, 0, 1, 3L, NOW - 9),
            TestBatches.kafkaMarker(true, 3L, (short) 7, 11, 4L, NOW - 8),
            TestBatches.kafkaData(false, 1L, EPOCH, 2, 1, 5L, NOW - 5));
        for (MemoryRecords records : log) {
            RecordBatch batch = records.batches().iterator().next();
            ProducerAppendInfo append = kafka.prepareUpdate(batch.producerId(), AppendOrigin.REPLICATION);
            Optional<CompletedTxn> completed = append.append(batch, Optional.empty());
            kafka.update(append);
            completed.ifPresent(kafka::completeTxn);
            kafka.updateMapEndOffset(batch.lastOffset() + 1);
        }
        kafka.takeSnapshot();
        Path file = ProducerSnapshotFile.path(kafkaDir, 6L);
        assertTrue(Files.exists(file), "Kafka named its snapshot as we do");
        assertEquals(describeKafka(kafka.activeProducers().values()), describe(ProducerSnapshotFile.read(file)));

        ProducerStateTable table = new ProducerStateTable();
        assertEquals(6L, table.loadLatestSnapshot(kafkaDir, 0L, NOW));
        assertEquals(OptionalLong.of(2L), table.firstUnstableOffset());
    }

    @Test
    void corruptSnapshotIsDeletedAndTheNextOlderOneIsLoaded() throws IOException {
        ProducerStateTable table = sampleTable();
        table.writeSnapshot(dir, 5L);
        List<String> atFive = describe(table.producers());
        table.replay(batches.idempotent(9L, EPOCH, 0, 1, 10L, NOW));
        Path newest = table.writeSnapshot(dir, 11L);
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 3] ^= 0x40;
        Files.write(newest, bytes);
        assertThrows(CorruptSnapshotException.class, () -> ProducerSnapshotFile.read(newest));

        ProducerStateTable restored = new ProducerStateTable();
        assertEquals(5L, restored.loadLatestSnapshot(dir, 0L, NOW));
        assertFalse(Files.exists(newest));
        assertEquals(atFive, describe(restored.producers()));
    }

    @Test
    void truncatedOrUnknownVersionSnapshotsAreCorrupt() throws IOException {
        Path file = sampleTable().writeSnapshot(dir, 3L);
        byte[] bytes = Files.readAllBytes(file);
        assertThrows(CorruptSnapshotException.class,
            () -> ProducerSnapshotFile.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1), file));
        assertThrows(CorruptSnapshotException.class, () -> ProducerSnapshotFile.decode(new byte[4], file));
        byte[] version2 = bytes.clone();
        version2[1] = 2;
        assertThrows(CorruptSnapshotException.class, () -> ProducerSnapshotFile.decode(version2, file));

        Files.write(file, java.util.Arrays.copyOf(bytes, 7));
        ProducerStateTable table = sampleTable();
        assertEquals(0L, table.loadLatestSnapshot(dir, 0L, NOW), "no usable snapshot: replay from the log start");
        assertEquals(0, table.producerCount());
        assertEquals(OptionalLong.empty(), table.firstUnstableOffset());
    }

    @Test
    void truncationDeletesLaterSnapshotsAndReloadsFromAnOlderOne() throws IOException {
        ProducerStateTable table = new ProducerStateTable();
        table.replay(batches.idempotent(1L, EPOCH, 0, 10, 0L, NOW));
        table.writeSnapshot(dir, 10L);
        table.replay(batches.idempotent(1L, EPOCH, 10, 10, 10L, NOW));
        table.writeSnapshot(dir, 20L);
        table.replay(batches.idempotent(1L, EPOCH, 20, 10, 20L, NOW));
        table.writeSnapshot(dir, 30L);

        assertEquals(20L, table.truncateTo(dir, 25L, 0L, NOW));
        assertEquals(List.of(10L, 20L), List.copyOf(ProducerSnapshots.list(dir).keySet()));
        assertEquals(19, table.producer(1L).lastSequence());
        // The log replays what survived the truncation: offsets 20..24.
        table.replay(batches.idempotent(1L, EPOCH, 20, 5, 20L, NOW));
        assertSame(ProducerCheck.OK, table.check(batches.idempotent(1L, EPOCH, 25, 1, 0L, NOW)));

        assertEquals(10L, table.truncateTo(dir, 10L, 0L, NOW), "a snapshot at the truncation offset is kept");
        assertEquals(3L, table.truncateTo(dir, 9L, 3L, NOW), "none left: replay from the log start offset");
        assertEquals(0, table.producerCount());
    }

    @Test
    void loadIgnoresSnapshotsBelowLogStartAndDropsExpiredProducers() throws IOException {
        ProducerStateTable table = new ProducerStateTable(1_000L);
        table.replay(batches.idempotent(1L, EPOCH, 0, 1, 0L, NOW - 5_000));
        table.replay(batches.transactional(2L, EPOCH, 0, 1, 1L, NOW - 5_000));
        table.replay(batches.idempotent(3L, EPOCH, 0, 1, 2L, NOW - 10));
        table.writeSnapshot(dir, 3L);
        table.writeSnapshot(dir, 1L);

        ProducerStateTable restored = new ProducerStateTable(1_000L);
        assertEquals(3L, restored.loadLatestSnapshot(dir, 2L, NOW));
        assertEquals(List.of(2L, 3L), restored.producers().stream().map(ProducerEntry::producerId).sorted().toList());
        Files.delete(ProducerSnapshotFile.path(dir, 3L));
        assertEquals(2L, restored.loadLatestSnapshot(dir, 2L, NOW));
        assertEquals(0, restored.producerCount());
    }

    @Test
    void retentionHelpersDeleteOldSnapshots() throws IOException {
        ProducerStateTable table = sampleTable();
        for (long offset : new long[] {5, 10, 15, 20, 25}) {
            table.writeSnapshot(dir, offset);
        }
        Files.writeString(dir.resolve("00000000000000000000.log"), "not a snapshot");
        ProducerSnapshots.deleteBefore(dir, 10L);
        assertEquals(List.of(10L, 15L, 20L, 25L), List.copyOf(ProducerSnapshots.list(dir).keySet()));
        ProducerSnapshots.retainNewest(dir, 2);
        assertEquals(List.of(20L, 25L), List.copyOf(ProducerSnapshots.list(dir).keySet()));
        ProducerSnapshots.deleteAbove(dir, 20L);
        assertEquals(OptionalLong.of(20L), ProducerSnapshots.latestOffset(dir));
        assertTrue(Files.exists(dir.resolve("00000000000000000000.log")));
        assertEquals(OptionalLong.empty(), ProducerSnapshots.latestOffset(dir.resolve("missing")));
    }
}
