package dev.runnel.server.group;

import dev.runnel.wire.message.HeartbeatRequest;
import dev.runnel.wire.message.HeartbeatResponse;
import dev.runnel.wire.message.LeaveGroupRequest;
import dev.runnel.wire.message.LeaveGroupResponse;
import dev.runnel.wire.message.SyncGroupRequest;
import dev.runnel.wire.message.SyncGroupResponse;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * SyncGroup, Heartbeat and LeaveGroup for classic groups of one coordinator partition, as Kafka's coordinator
 * answers them. Followers' SyncGroup responses wait on their member until the leader's assignment is
 * committed. Runs on the partition lane.
 */
final class GroupMembership {
    private final CoordinatorShard shard;
    private final Rebalancer rebalancer;

    GroupMembership(CoordinatorShard shard) {
        this.shard = shard;
        this.rebalancer = shard.rebalancer;
    }

    private static SyncGroupResponse syncError(Errors error) {
        return new SyncGroupResponse().setErrorCode(error.code()).setAssignment(new byte[0]);
    }

    Result<Void> sync(SyncGroupRequest request, CompletableFuture<SyncGroupResponse> future) {
        ConsumerGroup consumerGroup = shard.consumerGroups.get(request.groupId());
        if (consumerGroup != null) {
            if (consumerGroup.members.isEmpty()) {
                future.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
                return Result.empty();
            }
            return shard.classicOnConsumerGroups.sync(consumerGroup, request, future);
        }
        ClassicGroup group = shard.group(request.groupId());
        if (group == null || group.isInState(ClassicGroupState.EMPTY)) {
            future.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
            return Result.empty();
        }
        Errors invalid = validateSync(group, request);
        if (invalid != Errors.NONE) {
            future.complete(syncError(invalid));
            return Result.empty();
        }
        String memberId = request.memberId();
        switch (group.state()) {
            case PREPARING_REBALANCE:
                future.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
                return Result.empty();
            case COMPLETING_REBALANCE: {
                group.member(memberId).setSyncFuture(future);
                rebalancer.removePendingSyncMember(group, memberId);
                if (!group.isLeader(memberId)) {
                    return Result.empty();
                }
                // members the leader left out get an empty assignment
                Map<String, byte[]> assignment = new HashMap<>();
                for (SyncGroupRequest.SyncGroupRequestAssignment a : request.assignments()) {
                    assignment.put(a.memberId(), a.assignment());
                }
                for (ClassicGroupMember m : group.allMembers()) {
                    assignment.putIfAbsent(m.memberId(), ClassicGroupMember.EMPTY_ASSIGNMENT);
                }
                int generation = request.generationId();
                List<CoordinatorRecord> records = List.of(
                        new CoordinatorRecord.GroupMetadata(group.groupId(), group.toStored(assignment)));
                return Result.notReplayed(records, t -> {
                    // a member may have joined meanwhile and started another rebalance
                    if (!group.isInState(ClassicGroupState.COMPLETING_REBALANCE) || group.generationId() != generation) {
                        return;
                    }
                    if (t != null) {
                        rebalancer.resetAndPropagateAssignmentWithError(group, GroupException.errorOf(t));
                        shard.apply(rebalancer.maybePrepareRebalanceOrCompleteJoin(group), new CompletableFuture<>());
                    } else {
                        rebalancer.setAndPropagateAssignment(group, assignment);
                        group.transitionTo(ClassicGroupState.STABLE);
                    }
                });
            }
            case STABLE: {
                rebalancer.removePendingSyncMember(group, memberId);
                future.complete(new SyncGroupResponse().setProtocolType(group.protocolType())
                        .setProtocolName(group.protocolName()).setAssignment(group.member(memberId).assignment()));
                return Result.empty();
            }
            default:
                throw new IllegalStateException("SyncGroup for group " + group.groupId() + " in " + group.state());
        }
    }

    private static Errors validateSync(ClassicGroup group, SyncGroupRequest request) {
        if (group.isInState(ClassicGroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        try {
            group.validateMember(request.memberId(), request.groupInstanceId());
        } catch (GroupException e) {
            return e.error();
        }
        if (request.generationId() != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        // v5: the client repeats the protocol type and name it was given; a mismatch means a confused client
        if (inconsistent(request.protocolType(), group.protocolType())
                || inconsistent(request.protocolName(), group.protocolName())) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        return Errors.NONE;
    }

    private static boolean inconsistent(String fromClient, String ours) {
        return fromClient != null && ours != null && !fromClient.equals(ours);
    }

    Result<HeartbeatResponse> heartbeat(HeartbeatRequest request) {
        ConsumerGroup consumerGroup = shard.consumerGroups.get(request.groupId());
        if (consumerGroup != null) {
            return shard.classicOnConsumerGroups.heartbeat(consumerGroup, request);
        }
        ClassicGroup group = shard.group(request.groupId());
        if (group == null) {
            throw new GroupException(Errors.UNKNOWN_MEMBER_ID);
        }
        if (group.isInState(ClassicGroupState.DEAD)) {
            throw new GroupException(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        group.validateMember(request.memberId(), request.groupInstanceId());
        if (request.generationId() != group.generationId()) {
            throw new GroupException(Errors.ILLEGAL_GENERATION);
        }
        ClassicGroupMember member = group.member(request.memberId());
        return switch (group.state()) {
            case EMPTY -> Result.of(new HeartbeatResponse().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            case PREPARING_REBALANCE -> {
                rebalancer.scheduleHeartbeat(group, member);
                yield Result.of(new HeartbeatResponse().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
            }
            default -> {
                // heartbeats between JoinGroup and SyncGroup are normal: the member got its join response
                rebalancer.scheduleHeartbeat(group, member);
                yield Result.of(new HeartbeatResponse());
            }
        };
    }

    /** LeaveGroup with the v3+ member list (older versions are normalised to one member by the handler). */
    Result<LeaveGroupResponse> leave(LeaveGroupRequest request) {
        ConsumerGroup consumerGroup = shard.consumerGroups.get(request.groupId());
        if (consumerGroup != null) {
            return shard.classicOnConsumerGroups.leave(consumerGroup, request);
        }
        ClassicGroup group = shard.group(request.groupId());
        if (group == null) {
            throw new GroupException(Errors.UNKNOWN_MEMBER_ID);
        }
        if (group.isInState(ClassicGroupState.DEAD)) {
            return Result.of(new LeaveGroupResponse().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        }
        List<LeaveGroupResponse.MemberResponse> responses = new ArrayList<>();
        boolean anyLeft = false;
        for (LeaveGroupRequest.MemberIdentity identity : request.members()) {
            Errors error = leaveOne(group, identity);
            anyLeft |= error == Errors.NONE;
            responses.add(new LeaveGroupResponse.MemberResponse().setMemberId(identity.memberId())
                    .setGroupInstanceId(identity.groupInstanceId()).setErrorCode(error.code()));
        }
        Result<Void> next = anyLeft ? rebalancer.afterLeave(group) : Result.empty();
        return new Result<>(next.records(), new LeaveGroupResponse().setMembers(responses), next.replay(), next.onAppended());
    }

    private Errors leaveOne(ClassicGroup group, LeaveGroupRequest.MemberIdentity identity) {
        String memberId = identity.memberId();
        if (memberId.isEmpty()) {
            // KIP-345: an administrator removes a static member by its instance id alone
            String instanceId = identity.groupInstanceId();
            if (instanceId == null || !group.hasStaticMember(instanceId)) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            removeMember(group, group.staticMemberId(instanceId));
            return Errors.NONE;
        }
        if (group.isPendingMember(memberId)) {
            group.remove(memberId);
            rebalancer.cancelHeartbeat(group.groupId(), memberId);
            return Errors.NONE;
        }
        try {
            group.validateMember(memberId, identity.groupInstanceId());
        } catch (GroupException e) {
            return e.error();
        }
        removeMember(group, memberId);
        return Errors.NONE;
    }

    private void removeMember(ClassicGroup group, String memberId) {
        ClassicGroupMember member = group.member(memberId);
        rebalancer.cancelHeartbeat(group.groupId(), memberId);
        group.completeJoin(member, new dev.runnel.wire.message.JoinGroupResponse().setMemberId("")
                .setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
        group.remove(memberId);
    }
}
