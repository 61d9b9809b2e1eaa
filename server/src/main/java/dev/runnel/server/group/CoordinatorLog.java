package dev.runnel.server.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where the group coordinator keeps its records: the partitions of {@code __consumer_offsets}. Records are
 * encoded with {@link CoordinatorRecordCodec} (Kafka's format) by the implementation.
 *
 * <p>Appends to one partition complete in the order they were made. The coordinator calls both methods from
 * the partition's lane and never waits on the returned futures; they may complete on any thread.
 */
public interface CoordinatorLog {
    /**
     * Appends {@code records} to {@code partition} as one batch. Completes once they are committed (below
     * the high watermark), or exceptionally when they cannot be.
     */
    CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records);

    /**
     * Reads {@code partition} from its log start to its end, passing every record this coordinator keeps to
     * {@code sink} in log order (records of unknown types are skipped). Completes when the end is reached.
     * The sink may be called on any thread, one record at a time, and not after the future completes.
     */
    CompletableFuture<Void> replay(int partition, Consumer<CoordinatorRecord> sink);

    /** What transactions left in a partition, as {@link #replay(int, Consumer, TransactionSink)} finds it. */
    interface TransactionSink {
        /** An offset commit written by a transaction of {@code producerId} (TxnOffsetCommit), not yet decided. */
        void offsetCommit(long producerId, CoordinatorRecord.OffsetCommit record);

        /** The COMMIT or ABORT marker of {@code producerId}'s transaction. */
        void marker(long producerId, boolean commit);
    }

    /**
     * Appends {@code records} as one transactional batch of {@code producerId} at {@code producerEpoch} (KIP-98):
     * they count only once the transaction's COMMIT marker follows. Completes once they are committed.
     */
    default CompletableFuture<Void> appendTransactional(int partition, long producerId, short producerEpoch,
                                                        List<CoordinatorRecord> records) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("transactional offset commits"));
    }

    /** {@link #replay(int, Consumer)}, passing transactional records and markers to {@code transactions}. */
    default CompletableFuture<Void> replay(int partition, Consumer<CoordinatorRecord> sink, TransactionSink transactions) {
        return replay(partition, sink);
    }
}
