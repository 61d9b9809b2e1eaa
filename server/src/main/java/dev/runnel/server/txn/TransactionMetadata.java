package dev.runnel.server.txn;

import dev.runnel.log.TopicPartition;

import java.util.HashSet;
import java.util.Set;

/**
 * The state of one transactional id, as a {@code __transaction_state} record stores it
 * ({@code TransactionLogValue}). Immutable: a transition is a new value that becomes current once its record
 * is written.
 *
 * @param producerId           the producer id the transactional id currently uses
 * @param producerEpoch        its epoch; older epochs are fenced
 * @param timeoutMs            the producer's {@code transaction.timeout.ms}
 * @param partitions           the partitions of the ongoing (or completing) transaction
 * @param startTimestampMs     when the ongoing transaction added its first partition, -1 when none
 * @param lastUpdateTimestampMs when this state was written
 */
public record TransactionMetadata(String transactionalId, long producerId, short producerEpoch, int timeoutMs,
                                  TransactionState state, Set<TopicPartition> partitions, long startTimestampMs,
                                  long lastUpdateTimestampMs) {
    public TransactionMetadata {
        partitions = Set.copyOf(partitions);
    }

    TransactionMetadata withState(TransactionState next, long now) {
        return new TransactionMetadata(transactionalId, producerId, producerEpoch, timeoutMs, next, partitions,
                startTimestampMs, now);
    }

    TransactionMetadata withEpoch(long pid, short epoch, long now) {
        return new TransactionMetadata(transactionalId, pid, epoch, timeoutMs, state, partitions, startTimestampMs, now);
    }

    /** The transaction is over: no partitions, no start time. */
    TransactionMetadata completed(TransactionState next, long now) {
        return new TransactionMetadata(transactionalId, producerId, producerEpoch, timeoutMs, next, Set.of(), -1, now);
    }

    TransactionMetadata withPartitions(Set<TopicPartition> added, long now) {
        Set<TopicPartition> all = new HashSet<>(partitions);
        all.addAll(added);
        long start = state == TransactionState.ONGOING ? startTimestampMs : now;
        return new TransactionMetadata(transactionalId, producerId, producerEpoch, timeoutMs, TransactionState.ONGOING,
                all, start, now);
    }

    boolean hasTimedOut(long now) {
        return state == TransactionState.ONGOING && startTimestampMs >= 0 && now - startTimestampMs > timeoutMs;
    }
}
