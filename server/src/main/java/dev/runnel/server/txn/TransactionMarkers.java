package dev.runnel.server.txn;

import dev.runnel.log.TopicPartition;

import java.util.concurrent.CompletableFuture;

/**
 * Writes the COMMIT or ABORT marker of a transaction to one of its partitions. On a single broker every
 * partition is local, so this is an append, not a WriteTxnMarkers request. Completes once the marker is in the
 * log, also when the partition no longer exists (a deleted topic needs no marker, as in Kafka).
 */
public interface TransactionMarkers {
    CompletableFuture<Void> write(TopicPartition tp, long producerId, short producerEpoch, boolean commit,
                                  int coordinatorEpoch);
}
