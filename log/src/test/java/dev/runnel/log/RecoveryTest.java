package dev.runnel.log;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryTest {
    private static final TopicPartition TP = new TopicPartition("events", 0);
    private static final LogConfig CONFIG = LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, "700", LogConfig.INDEX_INTERVAL_BYTES, "100"));

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(5_000_000);

    private LogResources newResources() {
        return new LogResources(new FileHandles(16), new IndexCache(1 << 20), clock);
    }

    private PartitionLog open(Path dir, LogResources resources, boolean clean) {
        return PartitionLog.open(dir, TP, CONFIG, resources, 0, 0, clean, ProducerStateHook.NONE, null, e -> { });
    }

    /** Writes 12 batches of 3 records (several segments) and "crashes": the log is dropped without close. */
    private Path writeAndCrash() {
        Path dir = root.resolve("original").resolve(TP.directoryName());
        LogResources resources = newResources();
        PartitionLog log = open(dir, resources, false);
        for (int i = 0; i < 12; i++) {
            ByteBuf batch = Batches.batch(3, 100 + i);
            log.appendAsLeader(batch, 1);
            batch.release();
        }
        resources.files().close();
        return dir;
    }

    private Path copy(Path dir, String name) throws IOException {
        Path target = root.resolve(name).resolve(TP.directoryName());
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return target;
    }

    private static Path lastLogFile(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    /** Opens, checks the log holds exactly offsets [0, expectedEnd), appends once more, and closes. */
    private void assertRecoveredTo(Path dir, long expectedEnd, boolean clean) throws IOException {
        LogResources resources = newResources();
        PartitionLog log = open(dir, resources, clean);
        try {
            assertEquals(expectedEnd, log.logEndOffset());
            long next = 0;
            while (next < log.logEndOffset()) {
                List<RecordBatch> batches = Batches.readAndRelease(log.read(next, 1 << 20, true, Long.MAX_VALUE));
                for (RecordBatch batch : batches) {
                    batch.ensureValid();
                    assertEquals(next, batch.baseOffset());
                    next = batch.nextOffset();
                }
            }
            ByteBuf more = Batches.batch(2, 999);
            assertEquals(expectedEnd, log.appendAsLeader(more, 2).baseOffset());
            more.release();
            PartitionLogTest.assertIndexesPointAtBatches(log);
        } finally {
            log.close();
            resources.files().close();
        }
    }

    @Test
    void recoveryDropsATornTailAtEveryBytePositionOfTheLastBatch() throws IOException {
        Path dir = writeAndCrash();
        Path last = lastLogFile(dir);
        List<RecordBatch> batches = Batches.segmentFile(last);
        RecordBatch lastBatch = batches.get(batches.size() - 1);
        long size = Files.size(last);
        long lastBatchStart = size - lastBatch.sizeInBytes();
        for (long cut = lastBatchStart; cut < size; cut++) {
            Path copy = copy(dir, "torn-" + cut);
            try (FileChannel channel = FileChannel.open(lastLogFile(copy), StandardOpenOption.WRITE)) {
                channel.truncate(cut);
            }
            assertRecoveredTo(copy, lastBatch.baseOffset(), false);
        }
        assertRecoveredTo(copy(dir, "whole"), 36, false);
    }

    @Test
    void recoveryDropsAZeroFilledTail() throws IOException {
        Path dir = copy(writeAndCrash(), "zeros");
        try (FileChannel channel = FileChannel.open(lastLogFile(dir), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.allocate(4096));
        }
        assertRecoveredTo(dir, 36, false);
    }

    @Test
    void recoveryDropsTheLastBatchWhenAnyCheckedByteFlips() throws IOException {
        Path dir = writeAndCrash();
        Path last = lastLogFile(dir);
        List<RecordBatch> batches = Batches.segmentFile(last);
        RecordBatch lastBatch = batches.get(batches.size() - 1);
        long start = Files.size(last) - lastBatch.sizeInBytes();
        // baseOffset (0-7) and partitionLeaderEpoch (12-15) lie outside the CRC, as in Kafka
        for (int i = 8; i < lastBatch.sizeInBytes(); i++) {
            if (i >= 12 && i < 16) {
                continue;
            }
            Path copy = copy(dir, "flip-" + i);
            try (FileChannel channel = FileChannel.open(lastLogFile(copy), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer one = ByteBuffer.allocate(1);
                channel.read(one, start + i);
                one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
                channel.write(one, start + i);
            }
            assertRecoveredTo(copy, lastBatch.baseOffset(), false);
        }
    }

    @Test
    void aCorruptBatchInAnOlderSegmentDropsEverythingAfterIt() throws IOException {
        Path dir = copy(writeAndCrash(), "middle");
        Path first = dir.resolve(LogFiles.baseName(0) + LogFiles.LOG_SUFFIX);
        List<RecordBatch> batches = Batches.segmentFile(first);
        long corruptBase = batches.get(batches.size() - 1).baseOffset();
        try (FileChannel channel = FileChannel.open(first, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0x7f}), Files.size(first) - 5);
        }
        LogResources resources = newResources();
        PartitionLog log = open(dir, resources, false);
        assertEquals(1, log.segmentCount());
        assertEquals(corruptBase, log.logEndOffset());
        log.close();
        resources.files().close();
    }

    @Test
    void missingAndCorruptIndexesAreRebuilt() throws IOException {
        Path dir = copy(writeAndCrash(), "indexes");
        Files.delete(dir.resolve(LogFiles.baseName(0) + LogFiles.INDEX_SUFFIX));
        Files.write(dir.resolve(LogFiles.baseName(0) + LogFiles.TIME_INDEX_SUFFIX), new byte[] {1, 2, 3});
        // the active segment's index, created with its first entry (if any): zeros, like a preallocated Kafka index
        String last = lastLogFile(dir).getFileName().toString();
        Files.write(dir.resolve(last.replace(LogFiles.LOG_SUFFIX, LogFiles.INDEX_SUFFIX)), new byte[16]);
        assertRecoveredTo(dir, 36, true);
        assertTrue(Files.exists(dir.resolve(LogFiles.baseName(0) + LogFiles.INDEX_SUFFIX)));
    }

    @Test
    void cleanShutdownReopensWithoutScanningAndUncleanRecovers() throws IOException {
        Path logDir = root.resolve("dir");
        LogResources resources = newResources();
        LogDirectory directory = LogDirectory.open(logDir, resources, tp -> CONFIG, (tp, d) -> ProducerStateHook.NONE, null);
        assertFalse(directory.openedAfterCleanShutdown());
        PartitionLog log = directory.getOrCreate(TP, java.util.UUID.randomUUID(), CONFIG);
        for (int i = 0; i < 5; i++) {
            ByteBuf batch = Batches.batch(2, 50);
            log.appendAsLeader(batch, 0);
            batch.release();
        }
        directory.close();
        assertTrue(Files.exists(logDir.resolve(LogDirectory.CLEAN_SHUTDOWN_FILE)));
        assertEquals("0\n1\nevents 0 10\n", Files.readString(logDir.resolve(LogDirectory.RECOVERY_POINT_CHECKPOINT)));
        assertEquals("0\n1\nevents 0 0\n", Files.readString(logDir.resolve(LogDirectory.LOG_START_OFFSET_CHECKPOINT)));

        // Corrupt the last batch's records: a clean open trusts the files and does not notice.
        Path segment = lastLogFile(logDir.resolve(TP.directoryName()));
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0x55}), Files.size(segment) - 2);
        }
        directory = LogDirectory.open(logDir, resources, tp -> CONFIG, (tp, d) -> ProducerStateHook.NONE, null);
        assertTrue(directory.openedAfterCleanShutdown());
        assertFalse(Files.exists(logDir.resolve(LogDirectory.CLEAN_SHUTDOWN_FILE)), "marker removed once open");
        assertEquals(10, directory.log(TP).logEndOffset());
        // Crash (no close), then the recovery point checkpoint (10) says everything was flushed: nothing rescanned.
        resources.files().close();
        Files.writeString(logDir.resolve(LogDirectory.RECOVERY_POINT_CHECKPOINT), "0\n1\nevents 0 0\n");
        LogResources fresh = newResources();
        directory = LogDirectory.open(logDir, fresh, tp -> CONFIG, (tp, d) -> ProducerStateHook.NONE, null);
        assertFalse(directory.openedAfterCleanShutdown());
        assertEquals(8, directory.log(TP).logEndOffset(), "unclean open validated the batches and cut the corrupt one");
        assertTrue(directory.topicId(TP) != null);
        directory.delete(TP);
        assertFalse(Files.exists(logDir.resolve(TP.directoryName())));
        directory.close();
        fresh.files().close();
    }
}
