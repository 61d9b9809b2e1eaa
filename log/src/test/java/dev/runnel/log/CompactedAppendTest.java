package dev.runnel.log;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Compacted topics reject records without a key at append time, in any codec, leaving the log unchanged. */
class CompactedAppendTest {
    private static final TopicPartition TP = new TopicPartition("keys", 0);

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
    void keylessRecordsAreRejectedOnCompactedTopicsOnly() {
        log = PartitionLog.open(root, TP, LogCleanerTest.compacted(1 << 20), resources, 0, 0, false,
                ProducerStateHook.NONE, null, e -> { });
        for (CompressionType type : CompressionType.values()) {
            Compression compression = Compression.of(type).build();
            KeyedLog.append(log, KeyedLog.batch(compression, 1, new String[] {"a"}, new String[] {"1"}));
            long end = log.logEndOffset();
            ByteBuf bad = KeyedLog.batch(compression, 1, new String[] {"a", null, "b", null}, new String[] {"1", "2", "3", null});
            InvalidRecordKeyException e = assertThrows(InvalidRecordKeyException.class, () -> KeyedLog.append(log, bad), type.name);
            assertEquals(List.of(1, 3), e.recordIndexes());
            assertEquals("Compacted topic cannot accept message without key in topic partition keys-0.", e.recordErrorMessage());
            assertEquals(end, log.logEndOffset(), "nothing of a rejected append is written");
        }
        log.updateConfig(LogConfig.of(Map.of(LogConfig.CLEANUP_POLICY, "delete")));
        KeyedLog.append(log, KeyedLog.batch(Compression.NONE, 1, new String[] {null}, new String[] {"1"}));
    }
}
