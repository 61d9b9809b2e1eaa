package dev.runnel.server.txn;

import dev.runnel.wire.protocol.Errors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The transactional ids of one {@code __transaction_state} partition. All state is owned by the partition's
 * lane: operations run there one at a time. A transition is first written to the log and becomes the current
 * state only once committed; meanwhile the id is pending and other operations on it get
 * CONCURRENT_TRANSACTIONS (Kafka's {@code pendingState}).
 */
final class TransactionShard {
    private static final Logger LOG = LogManager.getLogger(TransactionShard.class);

    enum Status { LOADING, ACTIVE, UNLOADED }

    final int partition;
    final Executor lane;
    private final TransactionStateLog log;
    private final Map<String, TransactionMetadata> txns = new HashMap<>();
    private final Set<String> pending = new HashSet<>();
    private volatile Status status = Status.LOADING;

    TransactionShard(int partition, Executor lane, TransactionStateLog log) {
        this.partition = partition;
        this.lane = lane;
        this.log = log;
    }

    Status status() {
        return status;
    }

    /** Replays the partition; completes on the lane once it serves requests. */
    CompletableFuture<Void> load() {
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        lane.execute(() -> log.replay(partition, this::replay).whenComplete((v, t) -> lane.execute(() -> {
            if (t != null) {
                LOG.error("Loading __transaction_state-{} failed", partition, t);
                loaded.completeExceptionally(t);
                return;
            }
            if (status == Status.LOADING) {
                status = Status.ACTIVE;
                if (!txns.isEmpty()) {
                    LOG.info("Loaded __transaction_state-{}: {} transactional ids", partition, txns.size());
                }
            }
            loaded.complete(null);
        })));
        return loaded;
    }

    private void replay(String transactionalId, TransactionMetadata metadata) {
        if (metadata == null) {
            txns.remove(transactionalId);
        } else {
            txns.put(transactionalId, metadata);
        }
    }

    void unload() {
        status = Status.UNLOADED;
    }

    /** Runs {@code operation} on the lane if the shard serves requests; fails with the right error otherwise. */
    <T> CompletableFuture<T> run(Supplier<CompletableFuture<T>> operation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        lane.execute(() -> {
            if (status != Status.ACTIVE) {
                result.completeExceptionally(new TransactionException(
                        status == Status.LOADING ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NOT_COORDINATOR));
                return;
            }
            try {
                operation.get().whenComplete((r, t) -> {
                    if (t != null) {
                        result.completeExceptionally(t);
                    } else {
                        result.complete(r);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** The current state of an id, or null. Lane only. */
    TransactionMetadata get(String transactionalId) {
        return txns.get(transactionalId);
    }

    Iterable<TransactionMetadata> all() {
        return txns.values();
    }

    boolean isPending(String transactionalId) {
        return pending.contains(transactionalId);
    }

    /** Writes a tombstone for an idle id and forgets it once committed. Lane only; the id must not be pending. */
    void expire(String transactionalId) {
        if (!pending.add(transactionalId)) {
            return;
        }
        CompletableFuture<Void> appended;
        try {
            appended = log.appendTombstone(partition, transactionalId);
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        appended.whenComplete((v, t) -> lane.execute(() -> {
            pending.remove(transactionalId);
            if (t == null) {
                txns.remove(transactionalId);
            } else {
                LOG.warn("Expiring transactional id {} failed", transactionalId, t);
            }
        }));
    }

    /**
     * Writes {@code next} and makes it current once committed; completes on the lane. A failed write leaves
     * the previous state current and fails with COORDINATOR_NOT_AVAILABLE or NOT_COORDINATOR, which clients
     * retry after looking the coordinator up again. Lane only; the id must not be pending.
     */
    CompletableFuture<TransactionMetadata> transition(TransactionMetadata next) {
        String id = next.transactionalId();
        if (!pending.add(id)) {
            throw new IllegalStateException("transition of " + id + " while another is pending");
        }
        CompletableFuture<TransactionMetadata> done = new CompletableFuture<>();
        CompletableFuture<Void> appended;
        try {
            appended = log.append(partition, next);
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        appended.whenComplete((v, t) -> lane.execute(() -> {
            pending.remove(id);
            if (t != null) {
                LOG.warn("Writing the state of transactional id {} to __transaction_state-{} failed", id, partition, t);
                done.completeExceptionally(new TransactionException(
                        status == Status.ACTIVE ? Errors.COORDINATOR_NOT_AVAILABLE : Errors.NOT_COORDINATOR));
                return;
            }
            txns.put(id, next);
            done.complete(next);
        }));
        return done;
    }
}
