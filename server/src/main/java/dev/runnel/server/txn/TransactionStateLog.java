package dev.runnel.server.txn;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Where the transaction coordinator keeps its records: the partitions of {@code __transaction_state}, encoded
 * with {@link TransactionLogCodec}. Appends to one partition complete in the order they were made; the futures
 * may complete on any thread.
 */
public interface TransactionStateLog {
    /** Appends the state of one transactional id; completes once it is committed. */
    CompletableFuture<Void> append(int partition, TransactionMetadata metadata);

    /** Appends a tombstone for an expired transactional id; completes once it is committed. */
    CompletableFuture<Void> appendTombstone(int partition, String transactionalId);

    /**
     * Reads {@code partition} from its start to its end, passing each record (transactional id, metadata or
     * null for a tombstone) to {@code sink} in log order. Completes when the end is reached.
     */
    CompletableFuture<Void> replay(int partition, BiConsumer<String, TransactionMetadata> sink);
}
