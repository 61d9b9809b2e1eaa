package dev.runnel.server.txn;

import dev.runnel.log.TopicPartition;
import dev.runnel.server.partition.InternalTopicLog;
import dev.runnel.wire.protocol.Errors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The transaction coordinator (KIP-98) with Kafka's transaction version 1 rules: the client adds partitions
 * with AddPartitionsToTxn, the epoch is bumped only by InitProducerId and by the coordinator when it fences
 * or times out a transaction. Each transactional id lives on the {@code __transaction_state} partition
 * {@link #partitionFor} picks; a partition serves requests once {@link #loadPartition} replayed it.
 *
 * <p>Ending a transaction writes PrepareCommit/PrepareAbort, then the markers to every partition of the
 * transaction ({@link TransactionMarkers}), then CompleteCommit/CompleteAbort; a transaction found preparing
 * at load is completed the same way. EndTxn is answered once the transaction is complete.
 *
 * <p>Methods may be called from any thread and never block; the work runs on the partition's lane. Futures
 * complete normally; errors are Kafka error codes in the results.
 */
public final class TransactionCoordinator {
    private static final Logger LOG = LogManager.getLogger(TransactionCoordinator.class);
    /** The coordinator epoch in markers: the leader epoch of a single broker's {@code __transaction_state}. */
    static final int COORDINATOR_EPOCH = 0;

    /** Whether this broker coordinates a partition's transactional ids. */
    public enum PartitionState { NOT_COORDINATOR, LOADING, ACTIVE }

    /** InitProducerId's answer. */
    public record InitResult(Errors error, long producerId, short producerEpoch) {
        static InitResult error(Errors e) {
            return new InitResult(e, -1, (short) -1);
        }
    }

    private final TransactionCoordinatorConfig config;
    private final TransactionStateLog log;
    private final TransactionMarkers markers;
    private final LongSupplier producerIds;
    private final LongSupplier clock;
    private final IntFunction<Executor> lanes;
    private final Map<Integer, TransactionShard> shards = new ConcurrentHashMap<>();

    /**
     * @param producerIds hands out new producer ids (may write to the metadata store now and then)
     * @param clock       wall-clock milliseconds
     * @param lanes       the serial executor owning each {@code __transaction_state} partition
     */
    public TransactionCoordinator(TransactionCoordinatorConfig config, TransactionStateLog log, TransactionMarkers markers,
                                  LongSupplier producerIds, LongSupplier clock, IntFunction<Executor> lanes) {
        this.config = config;
        this.log = log;
        this.markers = markers;
        this.producerIds = producerIds;
        this.clock = clock;
        this.lanes = lanes;
    }

    public TransactionCoordinatorConfig config() {
        return config;
    }

    /** Kafka's {@code Utils.abs(transactionalId.hashCode()) % transaction.state.log.num.partitions}. */
    public int partitionFor(String transactionalId) {
        return InternalTopicLog.partitionFor(transactionalId, config.stateLogPartitions());
    }

    public PartitionState partitionState(int partition) {
        TransactionShard shard = shards.get(partition);
        if (shard == null) {
            return PartitionState.NOT_COORDINATOR;
        }
        return switch (shard.status()) {
            case LOADING -> PartitionState.LOADING;
            case ACTIVE -> PartitionState.ACTIVE;
            case UNLOADED -> PartitionState.NOT_COORDINATOR;
        };
    }

    /** Starts coordinating {@code partition}: replays it, then completes transactions it finds preparing. */
    public synchronized CompletableFuture<Void> loadPartition(int partition) {
        TransactionShard existing = shards.get(partition);
        if (existing != null && existing.status() != TransactionShard.Status.UNLOADED) {
            return CompletableFuture.completedFuture(null);
        }
        TransactionShard shard = new TransactionShard(partition, lanes.apply(partition), log);
        shards.put(partition, shard);
        return shard.load().thenRun(() -> shard.lane.execute(() -> {
            for (TransactionMetadata m : List.copyOf(toList(shard.all()))) {
                if (m.state().isPreparing()) {
                    complete(shard, m);
                }
            }
        }));
    }

    public synchronized void unloadPartition(int partition) {
        TransactionShard shard = shards.remove(partition);
        if (shard != null) {
            shard.unload();
        }
    }

    private <T> CompletableFuture<T> onShard(String transactionalId,
                                             java.util.function.Function<TransactionShard, CompletableFuture<T>> op) {
        TransactionShard shard = shards.get(partitionFor(transactionalId));
        if (shard == null) {
            return CompletableFuture.failedFuture(new TransactionException(Errors.NOT_COORDINATOR));
        }
        return shard.run(() -> op.apply(shard));
    }

    // ---- InitProducerId

    /**
     * InitProducerId for a transactional id: a new producer id at epoch 0 for a new id, else the epoch bumped,
     * which fences older producers. An ongoing transaction is aborted first (its epoch bumped) and the caller
     * gets CONCURRENT_TRANSACTIONS to retry. {@code expectedProducerId}/{@code expectedEpoch} (v3+, KIP-360)
     * must match the current ones when given (not -1).
     */
    public CompletableFuture<InitResult> initProducerId(String transactionalId, int timeoutMs, long expectedProducerId,
                                                        short expectedEpoch) {
        if (transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(InitResult.error(Errors.INVALID_REQUEST));
        }
        if (timeoutMs <= 0 || timeoutMs > config.maxTimeoutMs()) {
            return CompletableFuture.completedFuture(InitResult.error(Errors.INVALID_TRANSACTION_TIMEOUT));
        }
        return orError(onShard(transactionalId, shard -> {
            TransactionMetadata m = shard.get(transactionalId);
            if (shard.isPending(transactionalId)) {
                return CompletableFuture.completedFuture(InitResult.error(Errors.CONCURRENT_TRANSACTIONS));
            }
            if (m != null && expectedProducerId != -1
                    && (m.producerId() != expectedProducerId || m.producerEpoch() != expectedEpoch)) {
                return CompletableFuture.completedFuture(InitResult.error(Errors.PRODUCER_FENCED));
            }
            long now = clock.getAsLong();
            if (m != null && (m.state().isPreparing() || m.state() == TransactionState.PREPARE_EPOCH_FENCE)) {
                return CompletableFuture.completedFuture(InitResult.error(Errors.CONCURRENT_TRANSACTIONS));
            }
            if (m != null && m.state() == TransactionState.ONGOING) {
                fenceAndAbort(shard, m, now);
                return CompletableFuture.completedFuture(InitResult.error(Errors.CONCURRENT_TRANSACTIONS));
            }
            long producerId;
            short epoch;
            if (m == null || m.producerEpoch() >= Short.MAX_VALUE - 1) {
                producerId = producerIds.getAsLong(); // a new id, or the epoch space of the old one is used up
                epoch = 0;
            } else {
                producerId = m.producerId();
                epoch = (short) (m.producerEpoch() + 1);
            }
            TransactionMetadata next = new TransactionMetadata(transactionalId, producerId, epoch, timeoutMs,
                    TransactionState.EMPTY, Set.of(), -1, now);
            return shard.transition(next).thenApply(written -> new InitResult(Errors.NONE, producerId, epoch));
        }), InitResult::error);
    }

    // ---- AddPartitionsToTxn, AddOffsetsToTxn

    /** Adds partitions to the producer's transaction, starting it if needed. */
    public CompletableFuture<Errors> addPartitions(String transactionalId, long producerId, short producerEpoch,
                                                   Set<TopicPartition> partitions) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        return orError(onShard(transactionalId, shard -> {
            TransactionMetadata m = shard.get(transactionalId);
            Errors invalid = validateProducer(shard, m, producerId, producerEpoch);
            if (invalid != Errors.NONE) {
                return CompletableFuture.completedFuture(invalid);
            }
            if (m.state().isPreparing() || m.state() == TransactionState.PREPARE_EPOCH_FENCE) {
                return CompletableFuture.completedFuture(Errors.CONCURRENT_TRANSACTIONS);
            }
            if (m.state() == TransactionState.ONGOING && m.partitions().containsAll(partitions)) {
                return CompletableFuture.completedFuture(Errors.NONE);
            }
            return shard.transition(m.withPartitions(partitions, clock.getAsLong())).thenApply(written -> Errors.NONE);
        }), e -> e);
    }

    private static Errors validateProducer(TransactionShard shard, TransactionMetadata m, long producerId, short epoch) {
        if (m == null || m.producerId() != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (m.producerEpoch() != epoch) {
            return Errors.PRODUCER_FENCED;
        }
        if (shard.isPending(m.transactionalId())) {
            return Errors.CONCURRENT_TRANSACTIONS;
        }
        return Errors.NONE;
    }

    // ---- EndTxn

    /** Commits or aborts the producer's transaction; completes once the markers are written. */
    public CompletableFuture<Errors> endTxn(String transactionalId, long producerId, short producerEpoch, boolean commit) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        return orError(onShard(transactionalId, shard -> {
            TransactionMetadata m = shard.get(transactionalId);
            Errors invalid = validateProducer(shard, m, producerId, producerEpoch);
            if (invalid != Errors.NONE) {
                return CompletableFuture.completedFuture(invalid);
            }
            TransactionState want = commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
            TransactionState preparing = commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT;
            return switch (m.state()) {
                case ONGOING -> shard.transition(m.withState(preparing, clock.getAsLong()))
                        .thenCompose(prepared -> complete(shard, prepared)).thenApply(done -> Errors.NONE);
                // a retry of an EndTxn that already took effect
                case COMPLETE_COMMIT, COMPLETE_ABORT -> CompletableFuture.completedFuture(
                        m.state() == want ? Errors.NONE : Errors.INVALID_TXN_STATE);
                case PREPARE_COMMIT, PREPARE_ABORT -> CompletableFuture.completedFuture(
                        m.state() == preparing ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE);
                case PREPARE_EPOCH_FENCE -> CompletableFuture.completedFuture(Errors.CONCURRENT_TRANSACTIONS);
                case EMPTY, DEAD -> CompletableFuture.completedFuture(Errors.INVALID_TXN_STATE);
            };
        }), e -> e);
    }

    /** Bumps the epoch of an ongoing transaction (fencing its producer) and aborts it. On the lane. */
    private void fenceAndAbort(TransactionShard shard, TransactionMetadata m, long now) {
        if (m.producerEpoch() >= Short.MAX_VALUE) {
            LOG.warn("Cannot bump the epoch of transactional id {}: it is exhausted", m.transactionalId());
            return;
        }
        TransactionMetadata fenced = m.withEpoch(m.producerId(), (short) (m.producerEpoch() + 1), now)
                .withState(TransactionState.PREPARE_ABORT, now);
        shard.transition(fenced).thenCompose(prepared -> complete(shard, prepared)).exceptionally(t -> {
            LOG.warn("Aborting the transaction of {} failed", m.transactionalId(), t);
            return null;
        });
    }

    /**
     * Writes the markers of a preparing transaction, then its completion. Markers that fail are written again
     * on the next pass of {@link #abortTimedOutTransactions} (the transaction stays preparing until then).
     */
    private CompletableFuture<TransactionMetadata> complete(TransactionShard shard, TransactionMetadata prepared) {
        boolean commit = prepared.state() == TransactionState.PREPARE_COMMIT;
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (TopicPartition tp : prepared.partitions()) {
            writes.add(markers.write(tp, prepared.producerId(), prepared.producerEpoch(), commit, COORDINATOR_EPOCH));
        }
        CompletableFuture<TransactionMetadata> done = new CompletableFuture<>();
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).whenComplete((v, t) -> shard.lane.execute(() -> {
            if (t != null) {
                LOG.warn("Writing the markers of transactional id {} failed; will retry", prepared.transactionalId(), t);
                done.completeExceptionally(new TransactionException(Errors.COORDINATOR_NOT_AVAILABLE));
                return;
            }
            TransactionMetadata current = shard.get(prepared.transactionalId());
            if (current == null || !current.equals(prepared) || shard.isPending(prepared.transactionalId())) {
                done.complete(current); // completed meanwhile by another pass
                return;
            }
            TransactionState end = commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
            shard.transition(prepared.completed(end, clock.getAsLong())).whenComplete((m, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else {
                    done.complete(m);
                }
            });
        }));
        return done;
    }

    // ---- timeouts

    /**
     * Aborts ongoing transactions older than their timeout, bumping their epoch so that the producer is fenced
     * (Kafka's {@code abortTimedOutTransactions}), retries completing transactions whose markers failed, and
     * forgets ids idle (no transaction) for {@code transactional.id.expiration.ms} with a tombstone.
     * Called every {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}.
     */
    public CompletableFuture<Void> abortTimedOutTransactions() {
        List<CompletableFuture<Void>> passes = new ArrayList<>();
        for (TransactionShard shard : shards.values()) {
            passes.add(shard.run(() -> {
                long now = clock.getAsLong();
                for (TransactionMetadata m : toList(shard.all())) {
                    if (shard.isPending(m.transactionalId())) {
                        continue;
                    }
                    if ((m.state() == TransactionState.EMPTY || m.state().isComplete())
                            && now - m.lastUpdateTimestampMs() >= config.transactionalIdExpirationMs()) {
                        shard.expire(m.transactionalId()); // idle for transactional.id.expiration.ms: Kafka forgets it
                    } else if (m.hasTimedOut(now)) {
                        LOG.info("Aborting the transaction of {} after its timeout of {} ms", m.transactionalId(), m.timeoutMs());
                        fenceAndAbort(shard, m, now);
                    } else if (m.state().isPreparing() && now - m.lastUpdateTimestampMs() > config.abortTimedOutIntervalMs()) {
                        complete(shard, m);
                    }
                }
                return CompletableFuture.<Void>completedFuture(null);
            }).exceptionally(t -> null));
        }
        return CompletableFuture.allOf(passes.toArray(CompletableFuture[]::new));
    }

    // ---- admin

    /** DescribeTransactions' answer for one id: the error (TRANSACTIONAL_ID_NOT_FOUND when unknown) or its state. */
    public record Described(Errors error, TransactionMetadata metadata) {
    }

    public CompletableFuture<Described> describe(String transactionalId) {
        return onShard(transactionalId, shard -> {
            TransactionMetadata m = shard.get(transactionalId);
            return CompletableFuture.completedFuture(m == null || m.state() == TransactionState.DEAD
                    ? new Described(Errors.TRANSACTIONAL_ID_NOT_FOUND, null) : new Described(Errors.NONE, m));
        }).exceptionally(t -> new Described(TransactionException.errorOf(t), null));
    }

    /** Every transaction this broker coordinates that matches {@code filter} (ListTransactions). */
    public CompletableFuture<List<TransactionMetadata>> list(Predicate<TransactionMetadata> filter) {
        List<CompletableFuture<List<TransactionMetadata>>> parts = new ArrayList<>();
        for (TransactionShard shard : shards.values()) {
            parts.add(shard.run(() -> {
                List<TransactionMetadata> found = new ArrayList<>();
                for (TransactionMetadata m : shard.all()) {
                    if (filter.test(m)) {
                        found.add(m);
                    }
                }
                return CompletableFuture.completedFuture(found);
            }).exceptionally(t -> List.of()));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> parts.stream().flatMap(p -> p.join().stream()).toList());
    }

    private static List<TransactionMetadata> toList(Iterable<TransactionMetadata> all) {
        List<TransactionMetadata> list = new ArrayList<>();
        all.forEach(list::add);
        return list;
    }

    private static <T> CompletableFuture<T> orError(CompletableFuture<T> future, java.util.function.Function<Errors, T> onError) {
        return future.handle((r, t) -> t == null ? r : onError.apply(TransactionException.errorOf(t)));
    }
}
