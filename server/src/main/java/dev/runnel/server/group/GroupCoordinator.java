package dev.runnel.server.group;

import dev.runnel.server.partition.InternalTopicLog;
import dev.runnel.wire.message.ConsumerGroupDescribeResponse;
import dev.runnel.wire.message.ConsumerGroupHeartbeatRequest;
import dev.runnel.wire.message.ConsumerGroupHeartbeatResponse;
import dev.runnel.wire.message.DeleteGroupsResponse;
import dev.runnel.wire.message.DescribeGroupsResponse;
import dev.runnel.wire.message.HeartbeatRequest;
import dev.runnel.wire.message.HeartbeatResponse;
import dev.runnel.wire.message.JoinGroupRequest;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.LeaveGroupRequest;
import dev.runnel.wire.message.LeaveGroupResponse;
import dev.runnel.wire.message.ListGroupsResponse;
import dev.runnel.wire.message.OffsetCommitRequest;
import dev.runnel.wire.message.OffsetCommitResponse;
import dev.runnel.wire.message.OffsetDeleteRequest;
import dev.runnel.wire.message.OffsetDeleteResponse;
import dev.runnel.wire.message.OffsetFetchRequest;
import dev.runnel.wire.message.OffsetFetchResponse;
import dev.runnel.wire.message.SyncGroupRequest;
import dev.runnel.wire.message.SyncGroupResponse;
import dev.runnel.wire.message.TxnOffsetCommitRequest;
import dev.runnel.wire.message.TxnOffsetCommitResponse;
import dev.runnel.wire.protocol.Errors;
import io.netty.util.Timer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The consumer group coordinator (classic protocol and offsets) of this broker. Each group lives on the
 * {@code __consumer_offsets} partition {@link #partitionFor} picks; the server calls {@link #loadPartition} when
 * this broker becomes leader of such a partition and {@link #unloadPartition} when it stops. Until a partition
 * is loaded its groups get COORDINATOR_LOAD_IN_PROGRESS; a partition not loaded here gets NOT_COORDINATOR.
 *
 * <p>Methods may be called from any thread (Netty event loops) and never block: the work runs on the
 * partition's lane, and the returned futures complete, with the Kafka error in the response, never
 * exceptionally, once the records the operation wrote are committed.
 */
public final class GroupCoordinator {
    /** Whether this broker coordinates a partition's groups. */
    public enum PartitionState { NOT_COORDINATOR, LOADING, ACTIVE }

    private final GroupCoordinatorConfig config;
    private final ConsumerGroupConfig consumerConfig;
    private final TopicLookup topics;
    private final CoordinatorLog log;
    private final Timer timer;
    private final LongSupplier clock;
    private final IntFunction<Executor> lanes;
    private final Map<Integer, CoordinatorShard> shards = new ConcurrentHashMap<>();

    /**
     * @param timer deadlines (sessions, join and sync phases); its thread only posts work to the lanes
     * @param clock wall-clock milliseconds, for commit timestamps and retention
     * @param lanes the serial executor owning each {@code __consumer_offsets} partition
     */
    public GroupCoordinator(GroupCoordinatorConfig config, CoordinatorLog log, Timer timer, LongSupplier clock,
                            IntFunction<Executor> lanes) {
        this(config, ConsumerGroupConfig.defaults(), TopicLookup.NONE, log, timer, clock, lanes);
    }

    /**
     * @param consumerConfig settings of KIP-848 consumer groups
     * @param topics the broker's topics, for consumer group assignment
     */
    public GroupCoordinator(GroupCoordinatorConfig config, ConsumerGroupConfig consumerConfig, TopicLookup topics,
                            CoordinatorLog log, Timer timer, LongSupplier clock, IntFunction<Executor> lanes) {
        this.config = config;
        this.consumerConfig = consumerConfig;
        this.topics = topics;
        this.log = log;
        this.timer = timer;
        this.clock = clock;
        this.lanes = lanes;
    }

    public GroupCoordinatorConfig config() {
        return config;
    }

    /** Kafka's {@code Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions}. */
    public int partitionFor(String groupId) {
        return InternalTopicLog.partitionFor(groupId, config.offsetsTopicPartitions());
    }

    public PartitionState partitionState(int partition) {
        CoordinatorShard shard = shards.get(partition);
        if (shard == null) {
            return PartitionState.NOT_COORDINATOR;
        }
        return switch (shard.status()) {
            case LOADING -> PartitionState.LOADING;
            case ACTIVE -> PartitionState.ACTIVE;
            case UNLOADED -> PartitionState.NOT_COORDINATOR;
        };
    }

    /** Starts coordinating {@code partition}: replays its log, then serves its groups. */
    public synchronized CompletableFuture<Void> loadPartition(int partition) {
        CoordinatorShard existing = shards.get(partition);
        if (existing != null && existing.status() != CoordinatorShard.Status.UNLOADED) {
            return CompletableFuture.completedFuture(null);
        }
        CoordinatorShard shard = new CoordinatorShard(partition, lanes.apply(partition), log, timer, clock, config,
                consumerConfig, topics, () -> reload(partition));
        shards.put(partition, shard);
        return shard.load();
    }

    /** Stops coordinating {@code partition}; its parked requests get NOT_COORDINATOR. */
    public synchronized void unloadPartition(int partition) {
        CoordinatorShard shard = shards.remove(partition);
        if (shard != null) {
            shard.unload();
        }
    }

    /** The state no longer matches the log (an append failed): start again from the log. */
    private synchronized void reload(int partition) {
        unloadPartition(partition);
        loadPartition(partition);
    }

    private CoordinatorShard shardFor(String groupId) {
        return shards.get(partitionFor(groupId));
    }

    private <T> CompletableFuture<T> onShard(String groupId, Function<CoordinatorShard, CompletableFuture<T>> op) {
        CoordinatorShard shard = shardFor(groupId);
        return shard == null ? CompletableFuture.failedFuture(new GroupException(Errors.NOT_COORDINATOR)) : op.apply(shard);
    }

    private static <T> CompletableFuture<T> orError(CompletableFuture<T> future, Function<Errors, T> onError) {
        return future.handle((r, t) -> t == null ? r : onError.apply(GroupException.errorOf(t)));
    }

    private static boolean isEmpty(String groupId) {
        return groupId == null || groupId.isEmpty();
    }

    // ---- membership

    public CompletableFuture<JoinGroupResponse> joinGroup(Requester requester, JoinGroupRequest request) {
        if (isEmpty(request.groupId())) {
            return CompletableFuture.completedFuture(joinError(request, Errors.INVALID_GROUP_ID));
        }
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs() || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            return CompletableFuture.completedFuture(joinError(request, Errors.INVALID_SESSION_TIMEOUT));
        }
        CompletableFuture<JoinGroupResponse> response = new CompletableFuture<>();
        onShard(request.groupId(), s -> s.write(() -> s.joins.join(requester, request, response)))
                .whenComplete((v, t) -> {
                    if (t != null && !response.isDone()) {
                        response.complete(new JoinGroupResponse().setErrorCode(GroupException.errorOf(t).code()));
                    }
                });
        return response;
    }

    private static JoinGroupResponse joinError(JoinGroupRequest request, Errors error) {
        return new JoinGroupResponse().setMemberId(request.memberId()).setErrorCode(error.code());
    }

    public CompletableFuture<SyncGroupResponse> syncGroup(Requester requester, SyncGroupRequest request) {
        if (isEmpty(request.groupId())) {
            return CompletableFuture.completedFuture(syncError(Errors.INVALID_GROUP_ID));
        }
        CompletableFuture<SyncGroupResponse> response = new CompletableFuture<>();
        onShard(request.groupId(), s -> s.write(() -> s.membership.sync(request, response)))
                .whenComplete((v, t) -> {
                    if (t != null && !response.isDone()) {
                        response.complete(syncError(GroupException.errorOf(t)));
                    }
                });
        return response;
    }

    private static SyncGroupResponse syncError(Errors error) {
        return new SyncGroupResponse().setErrorCode(error.code()).setAssignment(new byte[0]);
    }

    public CompletableFuture<HeartbeatResponse> heartbeat(Requester requester, HeartbeatRequest request) {
        if (isEmpty(request.groupId())) {
            return CompletableFuture.completedFuture(new HeartbeatResponse().setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        return orError(onShard(request.groupId(), s -> s.write(() -> s.membership.heartbeat(request))),
                // Kafka answers heartbeats blindly while the coordinator loads
                e -> new HeartbeatResponse().setErrorCode(e == Errors.COORDINATOR_LOAD_IN_PROGRESS ? 0 : e.code()));
    }

    /** LeaveGroup with members listed as in v3+. */
    public CompletableFuture<LeaveGroupResponse> leaveGroup(Requester requester, LeaveGroupRequest request) {
        if (isEmpty(request.groupId())) {
            return CompletableFuture.completedFuture(new LeaveGroupResponse().setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        return orError(onShard(request.groupId(), s -> s.write(() -> s.membership.leave(request))), e -> {
            if (e != Errors.UNKNOWN_MEMBER_ID) {
                return new LeaveGroupResponse().setErrorCode(e.code());
            }
            List<LeaveGroupResponse.MemberResponse> members = new ArrayList<>();
            for (LeaveGroupRequest.MemberIdentity m : request.members()) {
                members.add(new LeaveGroupResponse.MemberResponse().setMemberId(m.memberId())
                        .setGroupInstanceId(m.groupInstanceId()).setErrorCode(e.code()));
            }
            return new LeaveGroupResponse().setMembers(members);
        });
    }

    // ---- consumer groups (KIP-848)

    public ConsumerGroupConfig consumerConfig() {
        return consumerConfig;
    }

    public CompletableFuture<ConsumerGroupHeartbeatResponse> consumerGroupHeartbeat(Requester requester,
                                                                                   ConsumerGroupHeartbeatRequest request) {
        try {
            ConsumerGroupRequests.validate(request, requester.apiVersion(), consumerConfig);
        } catch (GroupException e) {
            return CompletableFuture.completedFuture(heartbeatError(e));
        }
        return onShard(request.groupId(), s -> s.write(() -> s.consumerHeartbeats.heartbeat(requester, request)))
                .handle((r, t) -> t == null ? r : heartbeatError(t));
    }

    private static ConsumerGroupHeartbeatResponse heartbeatError(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        Errors error = GroupException.errorOf(cause);
        String message = cause instanceof GroupException g && !g.getMessage().equals(error.message()) ? g.getMessage() : null;
        return new ConsumerGroupHeartbeatResponse().setErrorCode(error.code()).setErrorMessage(message);
    }

    public CompletableFuture<List<ConsumerGroupDescribeResponse.DescribedGroup>> consumerGroupDescribe(List<String> groupIds) {
        List<CompletableFuture<ConsumerGroupDescribeResponse.DescribedGroup>> parts = new ArrayList<>();
        for (String groupId : groupIds) {
            parts.add(groupId == null || groupId.isEmpty()
                    ? CompletableFuture.completedFuture(new ConsumerGroupDescribeResponse.DescribedGroup()
                            .setGroupId(groupId == null ? "" : groupId).setErrorCode(Errors.INVALID_GROUP_ID.code()))
                    : orError(onShard(groupId, s -> s.read(() -> ConsumerGroupRequests.describe(s, groupId))),
                            e -> new ConsumerGroupDescribeResponse.DescribedGroup().setGroupId(groupId)
                                    .setErrorCode(e.code())));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> parts.stream().map(CompletableFuture::join).toList());
    }

    // ---- offsets

    /** Commits offsets for topics the caller has checked exist (names and ids both set). */
    public CompletableFuture<OffsetCommitResponse> commitOffsets(Requester requester, OffsetCommitRequest request) {
        if (request.groupId() == null) {
            return CompletableFuture.completedFuture(OffsetResponses.commitError(request, Errors.INVALID_GROUP_ID));
        }
        return orError(onShard(request.groupId(), s -> s.write(() -> s.offsetOperations.commit(requester.apiVersion(), request))),
                e -> OffsetResponses.commitError(request, e));
    }

    /**
     * Committed offsets of one group: of the listed topics, or all when {@code topics()} is null. With
     * {@code requireStable} the read waits for offsets still being written.
     */
    public CompletableFuture<OffsetFetchResponse.OffsetFetchResponseGroup> fetchOffsets(
            Requester requester, OffsetFetchRequest.OffsetFetchRequestGroup request, boolean requireStable) {
        if (request.groupId() == null) {
            return CompletableFuture.completedFuture(OffsetResponses.fetchError(request, Errors.INVALID_GROUP_ID, requester.apiVersion()));
        }
        return orError(onShard(request.groupId(), s -> {
            Supplier<OffsetFetchResponse.OffsetFetchResponseGroup> fetch = request.topics() == null
                    ? () -> s.offsetOperations.fetchAll(request.groupId())
                    : () -> s.offsetOperations.fetch(request);
            Supplier<OffsetFetchResponse.OffsetFetchResponseGroup> read = () -> {
                s.offsetOperations.validateFetch(request.groupId(), request.memberId(), request.memberEpoch());
                return requireStable ? s.offsetOperations.markUnstable(fetch.get()) : fetch.get();
            };
            return requireStable ? s.readStable(read) : s.read(read);
        }), e -> OffsetResponses.fetchError(request, e, requester.apiVersion()));
    }

    /**
     * TxnOffsetCommit: offsets written by {@code producerId}'s transaction, pending until its marker reaches the
     * group's partition ({@link #completeTransaction}).
     */
    public CompletableFuture<TxnOffsetCommitResponse> commitTransactionalOffsets(TxnOffsetCommitRequest request) {
        if (isEmpty(request.groupId())) {
            return CompletableFuture.completedFuture(OffsetResponses.txnCommitError(request, Errors.INVALID_GROUP_ID));
        }
        return orError(onShard(request.groupId(), s -> s.writeTransactional(request.producerId(), request.producerEpoch(),
                () -> s.offsetOperations.commitTransactional(request))), e -> OffsetResponses.txnCommitError(request, e));
    }

    /**
     * The transaction coordinator wrote {@code producerId}'s COMMIT or ABORT marker to {@code __consumer_offsets}
     * partition {@code partition}: its pending offsets there become committed or are dropped. Completes once done.
     */
    public CompletableFuture<Void> completeTransaction(int partition, long producerId, boolean commit) {
        CoordinatorShard shard = shards.get(partition);
        if (shard == null) {
            return CompletableFuture.completedFuture(null); // not loaded here: a load replays the marker
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        shard.lane.execute(() -> {
            if (shard.status() == CoordinatorShard.Status.ACTIVE) {
                shard.completeTransaction(producerId, commit);
            }
            done.complete(null);
        });
        return done;
    }

    public CompletableFuture<OffsetDeleteResponse> deleteOffsets(Requester requester, OffsetDeleteRequest request) {
        if (isEmpty(request.groupId())) {
            return CompletableFuture.completedFuture(new OffsetDeleteResponse().setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        return orError(onShard(request.groupId(), s -> s.write(() -> s.offsetOperations.delete(request))),
                e -> new OffsetDeleteResponse().setErrorCode(e.code()));
    }

    /** Expires old offsets (and empty groups left without any) on every loaded partition; completes with the count. */
    public CompletableFuture<Integer> expireOffsets() {
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (CoordinatorShard s : shards.values()) {
            results.add(s.write(() -> s.offsetOperations.expire()).exceptionally(t -> 0));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(v -> results.stream().mapToInt(CompletableFuture::join).sum());
    }

    // ---- administration

    /** Groups of every loaded partition; {@code states} lower case, empty sets match everything. */
    public CompletableFuture<ListGroupsResponse> listGroups(Set<String> states, Set<String> types) {
        List<CompletableFuture<List<ListGroupsResponse.ListedGroup>>> parts = new ArrayList<>();
        for (CoordinatorShard s : shards.values()) {
            parts.add(s.read(() -> s.administration.list(states, types)));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).handle((v, ignored) -> {
            ListGroupsResponse response = new ListGroupsResponse();
            for (CompletableFuture<List<ListGroupsResponse.ListedGroup>> part : parts) {
                try {
                    response.groups().addAll(part.join());
                } catch (RuntimeException e) {
                    Errors error = GroupException.errorOf(e);
                    if (error != Errors.NOT_COORDINATOR) {
                        return new ListGroupsResponse().setErrorCode(error.code());
                    }
                }
            }
            return response;
        });
    }

    public CompletableFuture<List<DescribeGroupsResponse.DescribedGroup>> describeGroups(Requester requester, List<String> groupIds) {
        Map<String, CompletableFuture<DescribeGroupsResponse.DescribedGroup>> results = new LinkedHashMap<>();
        List<CompletableFuture<DescribeGroupsResponse.DescribedGroup>> ordered = new ArrayList<>();
        for (String groupId : groupIds) {
            CompletableFuture<DescribeGroupsResponse.DescribedGroup> f = groupId == null
                    ? CompletableFuture.completedFuture(describeError("", Errors.INVALID_GROUP_ID))
                    : orError(onShard(groupId, s -> s.read(() -> s.administration.describe(requester.apiVersion(), groupId))),
                            e -> describeError(groupId, e));
            results.putIfAbsent(groupId, f);
            ordered.add(f);
        }
        return CompletableFuture.allOf(ordered.toArray(CompletableFuture[]::new))
                .thenApply(v -> ordered.stream().map(CompletableFuture::join).toList());
    }

    private static DescribeGroupsResponse.DescribedGroup describeError(String groupId, Errors error) {
        return new DescribeGroupsResponse.DescribedGroup().setGroupId(groupId).setErrorCode(error.code())
                .setGroupState("").setProtocolType("").setProtocolData("");
    }

    /** Deletes empty groups and their offsets; one result per distinct group id. */
    public CompletableFuture<List<DeleteGroupsResponse.DeletableGroupResult>> deleteGroups(List<String> groupIds) {
        Map<Integer, List<String>> byPartition = new LinkedHashMap<>();
        List<CompletableFuture<List<DeleteGroupsResponse.DeletableGroupResult>>> parts = new ArrayList<>();
        for (String groupId : groupIds) {
            if (groupId == null) {
                parts.add(CompletableFuture.completedFuture(List.of(new DeleteGroupsResponse.DeletableGroupResult()
                        .setGroupId(null).setErrorCode(Errors.INVALID_GROUP_ID.code()))));
            } else {
                byPartition.computeIfAbsent(partitionFor(groupId), p -> new ArrayList<>()).add(groupId);
            }
        }
        byPartition.forEach((partition, ids) -> parts.add(orError(
                onShard(ids.get(0), s -> s.write(() -> s.administration.delete(ids))),
                e -> ids.stream().map(id -> new DeleteGroupsResponse.DeletableGroupResult().setGroupId(id)
                        .setErrorCode(e.code())).toList())));
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> parts.stream().flatMap(f -> f.join().stream()).toList());
    }
}
