package dev.runnel.log;

import dev.runnel.log.producer.AbortedTxnIndex.AbortedTxn;
import dev.runnel.wire.record.RecordBatchView;

import java.util.List;

/**
 * How a partition's producer-state table (idempotence and transactions, {@code dev.runnel.log.producer}) follows
 * the log. Every method runs on the partition's writer thread. Batches are borrowed views, valid only during the
 * call.
 */
public interface ProducerStateHook {
    /** A log without producer state: every batch accepted, nothing tracked. */
    ProducerStateHook NONE = new ProducerStateHook() {
    };

    /**
     * Checks a batch before anything of the append is written (offsets not yet assigned). Returns null to accept,
     * or the offsets of the identical batch already in the log (a producer retry); the append then writes nothing
     * and answers with those. Throws (e.g. an out-of-order-sequence or fenced-epoch exception of the table's own)
     * to reject the whole append; the log is unchanged.
     */
    default AppendResult checkBatch(RecordBatchView batch) {
        return null;
    }

    /** A batch is in the log with its final offsets (leader append). */
    default void onAppend(RecordBatchView batch) {
    }

    /** Replays a batch already in the log (start-up recovery); no checks. */
    default void onReplay(RecordBatchView batch) {
    }

    /**
     * The log is open; returns the offset from which batches must be replayed through {@link #onReplay} to rebuild
     * the table (for instance the offset of its newest snapshot), or {@code logEndOffset} when it is up to date.
     */
    default long onOpen(long logStartOffset, long logEndOffset) {
        return logEndOffset;
    }

    /** The log was just created, empty, at {@code logStartOffset}: there is no state on disk to load. */
    default void onCreate(long logStartOffset) {
        onOpen(logStartOffset, logStartOffset);
    }

    /** A new segment starts at {@code baseOffset} (Kafka writes a producer snapshot here). */
    default void onRoll(long baseOffset) {
    }

    /** The log was truncated: offsets at or above {@code logEndOffset} are gone. */
    default void onTruncate(long logEndOffset) {
    }

    /** The log start offset moved forward (retention, DeleteRecords). */
    default void onLogStartOffset(long logStartOffset) {
    }

    /** The log is closing cleanly at {@code logEndOffset}. */
    default void onClose(long logEndOffset) {
    }

    /**
     * The first offset of the oldest transaction still open, or -1 when none is: bounds the last stable offset.
     * Called on the writer thread after each change.
     */
    default long firstUnstableOffset() {
        return -1;
    }

    /**
     * Aborted transactions overlapping [{@code from}, {@code upTo}) for a read_committed fetch. Any thread.
     */
    default List<AbortedTxn> abortedTransactions(long from, long upTo) {
        return List.of();
    }
}
