package dev.runnel.log;

import dev.runnel.log.producer.ProducerSnapshots;
import dev.runnel.log.producer.ProducerStateLogHook;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closing and opening many partitions: in parallel, and an idle partition writes and forces nothing. */
class LogDirectoryCloseTest {
    private static final LogConfig CONFIG = LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "700"));
    private static final int PARTITIONS = 40;

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(5_000_000);

    private LogDirectory open(Path dir, LogResources resources) throws IOException {
        return LogDirectory.open(dir, resources, tp -> CONFIG, (tp, d) -> new ProducerStateLogHook(d, 86_400_000L, clock), null);
    }

    @Test
    void manyPartitionsCloseAndReopenInParallelWithTheirData() throws IOException {
        LogResources resources = new LogResources(new FileHandles(16), new IndexCache(1 << 20), clock);
        LogDirectory directory = open(root, resources);
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            TopicPartition tp = new TopicPartition("t", p);
            PartitionLog log = directory.getOrCreate(tp, UUID.randomUUID(), CONFIG);
            for (int i = 0; i < p % 7; i++) {
                ByteBuf batch = Batches.batch(1 + p % 3, 1_000 + i);
                log.appendAsLeader(batch, 0);
                batch.release();
            }
            ends.put(tp, log.logEndOffset());
        }
        directory.close();
        assertTrue(Files.exists(root.resolve(LogDirectory.CLEAN_SHUTDOWN_FILE)));

        directory = open(root, resources);
        assertTrue(directory.openedAfterCleanShutdown());
        assertEquals(PARTITIONS, directory.logs().size());
        for (PartitionLog log : directory.logs()) {
            assertEquals(ends.get(log.topicPartition()), log.logEndOffset(), log.topicPartition().toString());
            assertEquals(log.logEndOffset(), log.recoveryPoint(), "everything was flushed at close");
            for (LogSegment segment : log.segments().values()) {
                assertFalse(segment.unflushed(), "a clean shutdown forced every file: " + segment);
            }
        }
        directory.close();
        resources.files().close();
    }

    @Test
    void anIdlePartitionRewritesNothingAtClose() throws IOException {
        LogResources resources = new LogResources(new FileHandles(16), new IndexCache(1 << 20), clock);
        TopicPartition empty = new TopicPartition("empty", 0);
        TopicPartition written = new TopicPartition("written", 0);
        LogDirectory directory = open(root, resources);
        directory.getOrCreate(empty, UUID.randomUUID(), CONFIG);
        PartitionLog log = directory.getOrCreate(written, UUID.randomUUID(), CONFIG);
        ByteBuf batch = Batches.batch(3, 1_000);
        log.appendAsLeader(batch, 0);
        batch.release();
        assertTrue(log.activeSegment().unflushed());
        directory.close();

        Path emptyDir = root.resolve(empty.directoryName());
        Path writtenDir = root.resolve(written.directoryName());
        assertTrue(ProducerSnapshots.list(emptyDir).isEmpty(), "as Kafka: no snapshot of an empty log");
        assertEquals(3L, ProducerSnapshots.latestOffset(writtenDir).orElse(-1));

        // Reopen and close without appends: no file in either partition is written again.
        FileTime old = FileTime.fromMillis(1_000_000);
        Map<Path, FileTime> before = new HashMap<>();
        for (Path dir : new Path[] {emptyDir, writtenDir}) {
            try (var files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.setLastModifiedTime(file, old);
                    before.put(file, old);
                }
            }
        }
        directory = open(root, resources);
        for (PartitionLog reopened : directory.logs()) {
            assertFalse(reopened.activeSegment().unflushed(), "opened after a clean shutdown");
        }
        directory.close();
        for (Map.Entry<Path, FileTime> e : before.entrySet()) {
            assertEquals(e.getValue(), Files.getLastModifiedTime(e.getKey()), e.getKey() + " was rewritten");
        }

        // An append makes the segment dirty again; flush forces it once.
        directory = open(root, resources);
        PartitionLog again = directory.log(written);
        batch = Batches.batch(2, 2_000);
        again.appendAsLeader(batch, 0);
        batch.release();
        assertTrue(again.activeSegment().unflushed());
        again.flush(again.logEndOffset());
        assertFalse(again.activeSegment().unflushed());
        directory.close();
        assertEquals(5L, ProducerSnapshots.latestOffset(writtenDir).orElse(-1));
        resources.files().close();
    }
}
