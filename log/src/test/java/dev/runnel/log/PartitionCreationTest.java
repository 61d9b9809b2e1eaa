package dev.runnel.log;

import dev.runnel.log.producer.ProducerStateLogHook;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Creating a partition costs its directory, its log file and {@code partition.metadata}, nothing forced; opening
 * idle partitions reads nothing it can skip; what a crash may lose of that is rebuilt at the next open.
 */
class PartitionCreationTest {
    private static final LogConfig CONFIG = LogConfig.of(Map.of(LogConfig.INDEX_INTERVAL_BYTES, "100"));
    private static final TopicPartition TP = new TopicPartition("orders", 3);

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(5_000_000);

    private LogResources resources() {
        return new LogResources(new FileHandles(16), new IndexCache(1 << 20), clock);
    }

    private LogDirectory open(LogResources resources) throws IOException {
        return LogDirectory.open(root, resources, tp -> CONFIG, (tp, d) -> new ProducerStateLogHook(d, 86_400_000L, clock), null);
    }

    private static Set<String> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static void append(PartitionLog log, int batches) {
        for (int i = 0; i < batches; i++) {
            ByteBuf batch = Batches.batch(2, 1_000 + i);
            log.appendAsLeader(batch, 0);
            batch.release();
        }
    }

    @Test
    void aNewPartitionHasItsLogAndTopicIdAndNothingToForce() throws IOException {
        LogResources resources = resources();
        LogDirectory directory = open(resources);
        UUID topicId = UUID.randomUUID();
        PartitionLog log = directory.getOrCreate(TP, topicId, CONFIG);

        assertEquals(Set.of("00000000000000000000.log", PartitionMetadataFile.FILE_NAME), files(log.directory()));
        assertEquals(topicId, directory.topicId(TP));
        assertFalse(log.activeSegment().unflushed(), "an empty new file needs no fsync");
        assertEquals(0, log.logEndOffset());

        append(log, 5); // past index.interval.bytes: the index files appear with their first entry
        log.flush(log.logEndOffset());
        assertFalse(log.partitionMetadataUnflushed(), "forced before the data, if the background had not yet");
        assertTrue(files(log.directory()).containsAll(Set.of("00000000000000000000.index", "00000000000000000000.timeindex")));
        PartitionLogTest.assertIndexesPointAtBatches(log);
        directory.close();
        resources.files().close();
    }

    @Test
    void idlePartitionsCloseInKafkasLayoutAndReopenWithoutReadingIndexesOrEpochCheckpoint() throws IOException {
        LogResources resources = resources();
        LogDirectory directory = open(resources);
        PartitionLog created = directory.getOrCreate(TP, UUID.randomUUID(), CONFIG);
        directory.close();
        assertFalse(created.partitionMetadataUnflushed(), "a clean shutdown leaves the topic id on disk");

        directory = open(resources); // clean
        PartitionLog log = directory.log(TP);
        assertEquals(Set.of("00000000000000000000.log", "00000000000000000000.index", "00000000000000000000.timeindex",
                PartitionMetadataFile.FILE_NAME), files(log.directory()), "a clean close leaves Kafka's layout, empty indexes too");
        assertEquals(0, Files.size(log.directory().resolve("00000000000000000000.index")));
        assertEquals(-1, log.leaderEpochCache().latestEpoch());
        append(log, 5);
        assertEquals(10, log.logEndOffset());
        assertEquals(0, log.leaderEpochCache().latestEpoch());
        directory.close();

        directory = open(resources);
        log = directory.log(TP);
        assertEquals(10, log.logEndOffset());
        assertEquals(0, log.leaderEpochCache().latestEpoch(), "read from the checkpoint on first use");
        PartitionLogTest.assertIndexesPointAtBatches(log);
        directory.close();
        resources.files().close();
    }

    @Test
    void recoveryOfAnUnchangedLogRewritesNoEpochCheckpoint() throws IOException {
        LogResources resources = resources();
        LogDirectory directory = open(resources);
        PartitionLog idle = directory.getOrCreate(TP, UUID.randomUUID(), CONFIG);
        PartitionLog written = directory.getOrCreate(new TopicPartition("orders", 4), UUID.randomUUID(), CONFIG);
        append(written, 3);
        Path checkpoint = written.directory().resolve(LeaderEpochCache.FILE_NAME);
        String epochs = Files.readString(checkpoint);
        Files.setLastModifiedTime(checkpoint, java.nio.file.attribute.FileTime.fromMillis(1_000));
        // crash: no close, no clean-shutdown marker

        directory = open(resources());
        assertFalse(directory.openedAfterCleanShutdown());
        assertFalse(Files.exists(idle.directory().resolve(LeaderEpochCache.FILE_NAME)));
        assertEquals(epochs, Files.readString(checkpoint));
        assertEquals(1_000, Files.getLastModifiedTime(checkpoint).toMillis(), "recovery found no new epoch");
        assertEquals(6, directory.log(written.topicPartition()).logEndOffset());
        directory.close();
    }

    @Test
    void topicIdsACrashLostAreWrittenAgain() throws IOException {
        LogResources resources = resources();
        LogDirectory directory = open(resources);
        UUID lost = UUID.randomUUID();
        UUID torn = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        TopicPartition lostTp = new TopicPartition("a", 0);
        TopicPartition tornTp = new TopicPartition("b", 0);
        TopicPartition otherTp = new TopicPartition("c", 0);
        directory.getOrCreate(lostTp, lost, CONFIG);
        directory.getOrCreate(tornTp, torn, CONFIG);
        directory.getOrCreate(otherTp, other, CONFIG);
        // what a crash can leave of files written and never forced
        Files.delete(root.resolve(lostTp.directoryName()).resolve(PartitionMetadataFile.FILE_NAME));
        Files.write(root.resolve(tornTp.directoryName()).resolve(PartitionMetadataFile.FILE_NAME), new byte[7]);

        directory = open(resources());
        UUID stored = UUID.randomUUID();
        Map<TopicPartition, UUID> mismatched = directory.repairTopicIds(tp -> Map.of(lostTp, lost, tornTp, torn, otherTp, stored).get(tp));

        assertEquals(lost, directory.topicId(lostTp));
        assertEquals(torn, directory.topicId(tornTp));
        assertEquals(Map.of(otherTp, other), mismatched, "another topic's directory is reported, not rewritten");
        assertEquals(other, directory.topicId(otherTp));
        directory.close();
    }

    @Test
    void aPartitionWhoseFilesACrashLostIsCreatedAgain() throws IOException {
        LogResources resources = resources();
        LogDirectory directory = open(resources);
        PartitionLog log = directory.getOrCreate(TP, UUID.randomUUID(), CONFIG);
        Files.delete(log.directory().resolve("00000000000000000000.log"));

        directory = open(resources());
        PartitionLog reopened = directory.log(TP);
        assertEquals(0, reopened.logEndOffset());
        append(reopened, 2);
        assertEquals(4, reopened.logEndOffset());
        assertNull(directory.log(new TopicPartition("orders", 9)));
        directory.close();
    }
}
