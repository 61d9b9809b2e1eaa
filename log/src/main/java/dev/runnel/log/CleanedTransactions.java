package dev.runnel.log;

import dev.runnel.log.TransactionScan.AbortedTxn;
import dev.runnel.wire.record.ControlRecordType;
import dev.runnel.wire.record.RecordBatchView;

import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Transaction state while the cleaner walks the log in offset order, deciding Kafka's rules: batches of aborted
 * transactions are discarded; an ABORT marker stays while this pass still saw batches of its transaction; a COMMIT
 * marker stays while this pass saw batches of its transaction; either marker is otherwise discardable (the cleaner
 * then keeps it until its delete horizon has passed). Used by one thread for one pass.
 */
final class CleanedTransactions {
    private final PriorityQueue<AbortedTxn> pending = new PriorityQueue<>(Comparator.comparingLong(AbortedTxn::firstOffset));
    private final Set<AbortedTxn> added = new HashSet<>();
    /** Ongoing aborted transactions by producer id: whether this pass saw one of their batches. */
    private final Map<Long, Boolean> ongoingAborted = new HashMap<>();
    private final Set<Long> ongoingCommitted = new HashSet<>();

    /** Adds aborted transactions not added before (the cleaner adds those overlapping each segment). */
    void addAborted(List<AbortedTxn> txns) {
        for (AbortedTxn txn : txns) {
            if (added.add(txn)) {
                pending.add(txn);
            }
        }
    }

    /** A data batch: returns true when it belongs to an aborted transaction and may be discarded. */
    boolean onDataBatch(RecordBatchView batch) {
        consumeAbortedUpTo(batch.lastOffset());
        if (!batch.isTransactional()) {
            return false;
        }
        if (ongoingAborted.containsKey(batch.producerId())) {
            ongoingAborted.put(batch.producerId(), true);
            return true;
        }
        ongoingCommitted.add(batch.producerId());
        return false;
    }

    /**
     * A control batch of type {@code type} (null when it holds no records): returns true when the marker may be
     * discarded.
     */
    boolean onControlBatch(RecordBatchView batch, ControlRecordType type) {
        consumeAbortedUpTo(batch.lastOffset());
        if (type == null) {
            return true; // emptied by an earlier clean
        }
        return switch (type) {
            case ABORT -> !Boolean.TRUE.equals(ongoingAborted.remove(batch.producerId()));
            case COMMIT -> !ongoingCommitted.remove(batch.producerId());
            default -> false;
        };
    }

    private void consumeAbortedUpTo(long offset) {
        while (!pending.isEmpty() && pending.peek().firstOffset() <= offset) {
            ongoingAborted.putIfAbsent(pending.poll().producerId(), false);
        }
    }
}
