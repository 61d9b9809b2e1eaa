package dev.runnel.log;

import dev.runnel.log.producer.AbortedTxnIndex.AbortedTxn;
import dev.runnel.log.producer.ProducerStateLogHook;
import org.apache.kafka.common.compress.Compression;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The last stable offset follows open transactions, and read_committed fetches find the aborted transactions
 * overlapping their range, also after a clean restart, a restart without a clean shutdown, and a roll.
 */
class TransactionIndexTest {
    private static final TopicPartition TP = new TopicPartition("txn", 0);

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final LogResources resources = new LogResources(new FileHandles(64), new IndexCache(1 << 20), clock);
    private PartitionLog log;

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
        resources.files().close();
    }

    private PartitionLog open(boolean clean) {
        return PartitionLog.open(root, TP, LogConfig.of(java.util.Map.of()), resources, 0, 0, clean,
                new ProducerStateLogHook(root, 86_400_000L, clock), null, e -> { });
    }

    @Test
    void lastStableOffsetWaitsForTheOldestOpenTransaction() {
        log = open(false);
        KeyedLog.append(log, data(1L, 0));                       // 0: producer 1 opens at 0
        assertEquals(0, log.lastStableOffset());
        KeyedLog.append(log, plain());                            // 1
        KeyedLog.append(log, data(2L, 0));                       // 2: producer 2 opens at 2
        assertEquals(0, log.lastStableOffset());
        KeyedLog.append(log, KeyedLog.marker(1L, (short) 0, true, 10));  // 3: producer 1 commits
        assertEquals(2, log.lastStableOffset(), "producer 2 still holds the LSO back");
        KeyedLog.append(log, KeyedLog.marker(2L, (short) 0, false, 10)); // 4: producer 2 aborts
        assertEquals(5, log.lastStableOffset());
        assertEquals(log.highWatermark(), log.lastStableOffset());
    }

    @Test
    void abortedTransactionsOverlappingARangeSurviveRestarts() {
        log = open(false);
        KeyedLog.append(log, data(1L, 0));                       // 0
        KeyedLog.append(log, data(2L, 0));                       // 1
        KeyedLog.append(log, KeyedLog.marker(1L, (short) 0, false, 10)); // 2: abort [0, 2]
        KeyedLog.append(log, data(2L, 1));                       // 3
        log.roll();
        KeyedLog.append(log, KeyedLog.marker(2L, (short) 0, false, 10)); // 4: abort [1, 4]
        KeyedLog.append(log, data(3L, 0));                       // 5
        KeyedLog.append(log, KeyedLog.marker(3L, (short) 0, true, 10));  // 6: commit, not indexed
        List<AbortedTxn> all = List.of(new AbortedTxn(1L, 0, 2, 1), new AbortedTxn(2L, 1, 4, 5));
        assertEquals(all, log.abortedTransactions(0, 7));
        assertEquals(List.of(all.get(1)), log.abortedTransactions(3, 7), "a marker before the range is out");
        assertEquals(List.of(all.get(0)), log.abortedTransactions(0, 1), "a transaction starting at the range end is out");
        assertEquals(List.of(), log.abortedTransactions(5, 7));

        log.close();
        log = open(true);
        assertEquals(all, log.abortedTransactions(0, 7), "after a clean restart");
        KeyedLog.append(log, data(4L, 0));                       // 7
        KeyedLog.append(log, KeyedLog.marker(4L, (short) 0, false, 10)); // 8
        log.close();
        log = open(false); // recovery: replays from the newest snapshot
        assertEquals(all, log.abortedTransactions(0, 9), "a fetch reads one segment: the search stops at its end (4)");
        assertEquals(List.of(new AbortedTxn(4L, 7, 8, 9)), log.abortedTransactions(5, 9));
        assertEquals(9, log.lastStableOffset());
    }

    @Test
    void openTransactionSurvivesRestartAndHoldsTheLastStableOffset() {
        log = open(false);
        KeyedLog.append(log, plain());                            // 0
        KeyedLog.append(log, data(1L, 0));                       // 1
        log.close();
        log = open(true);
        assertEquals(1, log.lastStableOffset());
        KeyedLog.append(log, KeyedLog.marker(1L, (short) 0, true, 10));
        assertEquals(3, log.lastStableOffset());
    }

    private static io.netty.buffer.ByteBuf data(long producerId, int sequence) {
        return KeyedLog.batch(Compression.NONE, 10, producerId, (short) 0, sequence, true, new String[] {"k"}, new String[] {"v"});
    }

    private static io.netty.buffer.ByteBuf plain() {
        return KeyedLog.batch(Compression.NONE, 10, new String[] {"p"}, new String[] {"v"});
    }
}
