package dev.runnel.server.group;

import dev.runnel.wire.protocol.Errors;
import io.netty.util.Timer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The group coordinator for one {@code __consumer_offsets} partition: its groups, its committed offsets and the
 * machinery every operation goes through. All state is owned by the partition's lane, a serial executor, so
 * operations on one partition never interleave. An operation returns a {@link Result}; its records are appended
 * to the {@link CoordinatorLog} and its response is completed only once they are committed.
 *
 * <p>Replayed records are applied when the operation runs, so the next operation on the lane already sees
 * them (Kafka does the same with its timeline snapshots). If an append fails after that, the state no longer
 * matches the log, so the partition is reloaded from the log, which is the source of truth.
 */
final class CoordinatorShard {
    private static final Logger LOG = LogManager.getLogger(CoordinatorShard.class);

    enum Status { LOADING, ACTIVE, UNLOADED }

    final int partition;
    final Executor lane;
    final KeyedTimer timer;
    final LongSupplier clock;
    final GroupCoordinatorConfig config;
    final Map<String, ClassicGroup> groups = new HashMap<>();
    /** KIP-848 groups; a group id is in at most one of the two maps. */
    final Map<String, ConsumerGroup> consumerGroups = new HashMap<>();
    final ConsumerGroupConfig consumerConfig;
    final TopicLookup topics;
    final ConsumerGroupHeartbeats consumerHeartbeats;
    final ConsumerGroupClassicRequests classicOnConsumerGroups;
    final GroupConversions conversions;
    final ConsumerGroupRegexes consumerRegexes;
    final OffsetStore offsets = new OffsetStore();
    final PendingTxnOffsets pendingTxnOffsets = new PendingTxnOffsets();
    final Rebalancer rebalancer;
    final JoinGroupOperation joins;
    final GroupMembership membership;
    final OffsetOperations offsetOperations;
    final GroupAdministration administration;
    private final CoordinatorLog log;
    private final Runnable reload;
    private volatile Status status = Status.LOADING;
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();
    private CompletableFuture<Void> lastAppend = CompletableFuture.completedFuture(null);

    CoordinatorShard(int partition, Executor lane, CoordinatorLog log, Timer timer, LongSupplier clock,
                     GroupCoordinatorConfig config, ConsumerGroupConfig consumerConfig, TopicLookup topics,
                     Runnable reload) {
        this.partition = partition;
        this.lane = lane;
        this.log = log;
        this.timer = new KeyedTimer(timer, lane);
        this.clock = clock;
        this.config = config;
        this.reload = reload;
        this.consumerConfig = consumerConfig;
        this.topics = topics;
        this.consumerRegexes = new ConsumerGroupRegexes(this);
        this.consumerHeartbeats = new ConsumerGroupHeartbeats(this);
        this.classicOnConsumerGroups = new ConsumerGroupClassicRequests(this);
        this.conversions = new GroupConversions(this);
        this.rebalancer = new Rebalancer(this);
        this.joins = new JoinGroupOperation(this);
        this.membership = new GroupMembership(this);
        this.offsetOperations = new OffsetOperations(this);
        this.administration = new GroupAdministration(this, offsetOperations);
    }

    Status status() {
        return status;
    }

    // ---- lifecycle

    /** Replays the partition's log; the shard serves requests once the returned future completes. */
    CompletableFuture<Void> load() {
        CoordinatorLog.TransactionSink transactions = new CoordinatorLog.TransactionSink() {
            @Override
            public void offsetCommit(long producerId, CoordinatorRecord.OffsetCommit record) {
                pendingTxnOffsets.add(producerId, record);
            }

            @Override
            public void marker(long producerId, boolean commit) {
                completeTransaction(producerId, commit);
            }
        };
        lane.execute(() -> log.replay(partition, this::replay, transactions).whenComplete((v, t) -> lane.execute(() -> {
            if (t != null) {
                LOG.error("Loading __consumer_offsets-{} failed", partition, t);
                loaded.completeExceptionally(t);
                return;
            }
            if (status == Status.LOADING) {
                status = Status.ACTIVE;
                rebalancer.onLoaded();
                consumerHeartbeats.onLoaded();
                if (groups.isEmpty() && consumerGroups.isEmpty()) {
                    LOG.debug("Loaded __consumer_offsets-{}: no groups", partition);
                } else {
                    LOG.info("Loaded __consumer_offsets-{}: {} groups", partition, groups.size() + consumerGroups.size());
                }
            }
            loaded.complete(null);
        })));
        return loaded;
    }

    /** Stops serving: parked requests get NOT_COORDINATOR, timers stop. */
    void unload() {
        status = Status.UNLOADED;
        // a replay still feeding records must finish before the groups are touched
        loaded.handle((v, t) -> null).thenRun(() -> lane.execute(() -> {
            timer.cancelAll();
            for (ClassicGroup g : groups.values()) {
                g.failAllParked(Errors.NOT_COORDINATOR);
            }
        }));
    }

    private Errors unavailable() {
        return status == Status.LOADING ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NOT_COORDINATOR;
    }

    // ---- operations

    /** Runs a writing operation on the lane; completes with its response once its records are committed. */
    <T> CompletableFuture<T> write(Supplier<Result<T>> operation) {
        CompletableFuture<T> response = new CompletableFuture<>();
        lane.execute(() -> {
            Result<T> result = runIfActive(operation, response);
            if (result != null) {
                apply(result, response);
            }
        });
        return response;
    }

    /**
     * On the lane: the operation's result, or null when the shard is not active or the operation failed, in which
     * case {@code response} has failed with the reason.
     */
    private <T> Result<T> runIfActive(Supplier<Result<T>> operation, CompletableFuture<T> response) {
        if (status != Status.ACTIVE) {
            response.completeExceptionally(new GroupException(unavailable()));
            return null;
        }
        try {
            return operation.get();
        } catch (RuntimeException e) {
            if (!(e instanceof GroupException)) {
                LOG.error("Group operation on __consumer_offsets-{} failed", partition, e);
            }
            response.completeExceptionally(e);
            return null;
        }
    }

    /**
     * Runs a TxnOffsetCommit on the lane: its offset commit records are written as one transactional batch of the
     * producer and held pending until the transaction's marker ({@link #completeTransaction}).
     */
    <T> CompletableFuture<T> writeTransactional(long producerId, short producerEpoch, Supplier<Result<T>> operation) {
        CompletableFuture<T> response = new CompletableFuture<>();
        lane.execute(() -> {
            Result<T> result = runIfActive(operation, response);
            if (result == null) {
                return;
            }
            if (result.records().isEmpty()) {
                response.complete(result.response());
                return;
            }
            for (CoordinatorRecord r : result.records()) {
                pendingTxnOffsets.add(producerId, (CoordinatorRecord.OffsetCommit) r);
            }
            CompletableFuture<Void> appended;
            try {
                appended = log.appendTransactional(partition, producerId, producerEpoch, result.records());
            } catch (RuntimeException e) {
                appended = CompletableFuture.failedFuture(e);
            }
            lastAppend = appended;
            appended.whenComplete((v, failure) -> lane.execute(() -> {
                if (failure == null) {
                    response.complete(result.response());
                } else {
                    LOG.warn("Transactional append to __consumer_offsets-{} failed", partition, failure);
                    response.completeExceptionally(new GroupException(appendError(failure)));
                    reload.run();
                }
            }));
        });
        return response;
    }

    /**
     * The marker of {@code producerId}'s transaction is in this partition's log: its pending offsets become
     * committed offsets (COMMIT) or are dropped (ABORT). On the lane.
     */
    void completeTransaction(long producerId, boolean commit) {
        for (CoordinatorRecord.OffsetCommit r : pendingTxnOffsets.remove(producerId)) {
            if (commit) {
                replay(r);
            }
        }
    }

    /** Runs a read on the lane against the current state. */
    <T> CompletableFuture<T> read(Supplier<T> operation) {
        return write(() -> Result.of(operation.get()));
    }

    /** Runs a read on the lane once every append made so far is committed (OffsetFetch with require_stable). */
    <T> CompletableFuture<T> readStable(Supplier<T> operation) {
        CompletableFuture<T> response = new CompletableFuture<>();
        lane.execute(() -> lastAppend.handle((v, t) -> null)
                .thenRun(() -> read(operation).whenComplete((r, t) -> {
                    if (t != null) {
                        response.completeExceptionally(t);
                    } else {
                        response.complete(r);
                    }
                })));
        return response;
    }

    /** Runs the work of an expired deadline; called on the lane by {@link KeyedTimer}. */
    void runScheduled(Supplier<Result<Void>> task) {
        if (status != Status.ACTIVE) {
            return;
        }
        try {
            apply(task.get(), new CompletableFuture<>());
        } catch (RuntimeException e) {
            LOG.error("Scheduled group task on __consumer_offsets-{} failed", partition, e);
        }
    }

    /** Appends a result's records (if any) and completes {@code response} when they are committed. On the lane. */
    <T> void apply(Result<T> result, CompletableFuture<T> response) {
        if (result.records().isEmpty()) {
            result.onAppended().accept(null);
            response.complete(result.response());
            return;
        }
        if (result.replay()) {
            result.records().forEach(this::replay);
        }
        CompletableFuture<Void> appended;
        try {
            appended = log.append(partition, result.records());
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        lastAppend = appended;
        appended.whenComplete((v, failure) -> lane.execute(() -> {
            Throwable t = failure == null ? null : new GroupException(appendError(failure));
            try {
                result.onAppended().accept(t);
            } finally {
                if (t == null) {
                    response.complete(result.response());
                } else {
                    LOG.warn("Append to __consumer_offsets-{} failed", partition, failure);
                    response.completeExceptionally(t);
                    if (result.replay()) {
                        reload.run();
                    }
                }
            }
        }));
    }

    /**
     * For operations that change the state in place without replaying their records: when their append fails,
     * the state no longer matches the log, so start again from the log.
     */
    void reloadFromLog() {
        reload.run();
    }

    /** Kafka's mapping of log append errors to what a group client should do. */
    static Errors appendError(Throwable t) {
        Errors e = GroupException.errorOf(t);
        return switch (e) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                    Errors.COORDINATOR_NOT_AVAILABLE;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.UNKNOWN_SERVER_ERROR;
            // a storage failure means this broker cannot keep the partition: the client should look again
            case UNKNOWN_SERVER_ERROR, NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            default -> e;
        };
    }

    // ---- state

    /** Applies one record to the state: at load, and for operations whose records replay. */
    void replay(CoordinatorRecord record) {
        if (record instanceof ConsumerGroupRecord c) {
            replayConsumerGroup(c);
        } else if (record instanceof CoordinatorRecord.OffsetCommit c) {
            if (c.value() == null) {
                offsets.remove(c.group(), c.topic(), c.partition());
            } else {
                // offsets committed without membership belong to a "simple" group, created on first commit
                if (!consumerGroups.containsKey(c.group())) {
                    groups.computeIfAbsent(c.group(), id -> new ClassicGroup(id, clock));
                }
                offsets.put(c.group(), c.topic(), c.partition(), c.value());
            }
        } else if (record instanceof CoordinatorRecord.GroupMetadata g) {
            if (g.value() == null) {
                ClassicGroup removed = groups.remove(g.group());
                if (removed != null) {
                    removed.transitionTo(ClassicGroupState.DEAD);
                    rebalancer.cancelTimers(removed);
                }
            } else {
                groups.put(g.group(), ClassicGroup.fromStored(g.group(), g.value(), clock));
            }
        }
    }

    private void replayConsumerGroup(ConsumerGroupRecord record) {
        if (record instanceof ConsumerGroupRecord.GroupEpoch e && e.value() == null) {
            consumerGroups.remove(e.group());
            return;
        }
        if (record.isTombstone() && !consumerGroups.containsKey(record.group())) {
            return; // a tombstone of a group already gone (converted or deleted) must not bring it back
        }
        ConsumerGroup group = consumerGroups.computeIfAbsent(record.group(), ConsumerGroup::new);
        // a consumer group replaces an empty classic group of the same id (Kafka writes its tombstone first)
        groups.remove(record.group());
        group.replay(record);
    }

    ClassicGroup group(String groupId) {
        return groups.get(groupId);
    }

    /** The group, created Empty when {@code create} and missing; null otherwise. */
    ClassicGroup groupOrCreate(String groupId, boolean create) {
        ClassicGroup g = groups.get(groupId);
        if (g == null && create) {
            g = new ClassicGroup(groupId, clock);
            groups.put(groupId, g);
        }
        return g;
    }
}
