package dev.runnel.server.group;

import dev.runnel.wire.message.JoinGroupRequest;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * JoinGroup for the classic groups of one coordinator partition, as Kafka's coordinator answers it: new groups,
 * KIP-394 member ids (v4+ first joins get MEMBER_ID_REQUIRED), KIP-345 static members (a known instance rejoins
 * without a rebalance when its protocols did not change, and its old member id is fenced), protocol checks
 * (INCONSISTENT_GROUP_PROTOCOL) and group.max.size. The response is parked on the member until the join phase
 * ends. Runs on the partition lane.
 */
final class JoinGroupOperation {
    private final CoordinatorShard shard;
    private final Rebalancer rebalancer;

    JoinGroupOperation(CoordinatorShard shard) {
        this.shard = shard;
        this.rebalancer = shard.rebalancer;
    }

    private static JoinGroupResponse joinError(String memberId, Errors error) {
        return new JoinGroupResponse().setMemberId(memberId).setErrorCode(error.code());
    }

    static List<ClassicGroupMember.Protocol> protocols(JoinGroupRequest request) {
        List<ClassicGroupMember.Protocol> out = new ArrayList<>(request.protocols().size());
        for (JoinGroupRequest.JoinGroupRequestProtocol p : request.protocols()) {
            out.add(new ClassicGroupMember.Protocol(p.name(), p.metadata()));
        }
        return out;
    }

    Result<Void> join(Requester requester, JoinGroupRequest request, CompletableFuture<JoinGroupResponse> future) {
        ConsumerGroup consumerGroup = shard.consumerGroups.get(request.groupId());
        if (consumerGroup != null && !consumerGroup.members.isEmpty()) {
            // KIP-848 online migration: the classic member joins the consumer group
            return shard.classicOnConsumerGroups.join(consumerGroup, requester, request, future);
        }
        // an empty consumer group gives way to a classic group (Kafka's classicGroupJoinToClassicGroup)
        List<CoordinatorRecord> deletedConsumerGroup = shard.classicOnConsumerGroups.beforeJoin(request.groupId());
        Result<Void> result = joinClassic(requester, request, future);
        if (deletedConsumerGroup.isEmpty()) {
            return result;
        }
        List<CoordinatorRecord> records = new ArrayList<>(deletedConsumerGroup);
        records.addAll(result.records());
        return Result.notReplayed(records, t -> {
            result.onAppended().accept(t);
            if (t != null) {
                shard.reloadFromLog();
            }
        });
    }

    private Result<Void> joinClassic(Requester requester, JoinGroupRequest request,
                                     CompletableFuture<JoinGroupResponse> future) {
        String memberId = request.memberId();
        boolean unknownMember = memberId.isEmpty();
        boolean newGroup = shard.group(request.groupId()) == null;
        ClassicGroup group = shard.groupOrCreate(request.groupId(), unknownMember);
        if (group == null) {
            future.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
            return Result.empty();
        }
        Result<Void> result;
        if (!acceptJoiningMember(group, memberId)) {
            group.remove(memberId);
            future.complete(joinError("", Errors.GROUP_MAX_SIZE_REACHED));
            result = Result.empty();
        } else if (unknownMember) {
            result = joinNewMember(requester, request, group, future);
        } else {
            result = joinExistingMember(requester, request, group, future);
        }
        if (newGroup && result.records().isEmpty()) {
            // a new group is written at once, empty, so that it exists in the log
            StoredGroup empty = new StoredGroup("", 0, null, null, group.currentStateTimestamp(), List.of());
            return Result.notReplayed(List.of(new CoordinatorRecord.GroupMetadata(group.groupId(), empty)), t -> {
                if (t != null && !future.isDone()) {
                    future.complete(joinError("", GroupException.errorOf(t)));
                }
            });
        }
        return result;
    }

    private boolean acceptJoiningMember(ClassicGroup group, String memberId) {
        int max = shard.config.maxGroupSize();
        return switch (group.state()) {
            case EMPTY, DEAD -> true;
            // counting awaiting members keeps rejoining members first in line when the limit shrank
            case PREPARING_REBALANCE -> (group.hasMember(memberId) && group.member(memberId).isAwaitingJoin())
                    || group.numAwaitingJoin() < max;
            case COMPLETING_REBALANCE, STABLE -> group.hasMember(memberId) || group.numMembers() < max;
        };
    }

    private Result<Void> joinNewMember(Requester requester, JoinGroupRequest request, ClassicGroup group,
                                       CompletableFuture<JoinGroupResponse> future) {
        if (group.isInState(ClassicGroupState.DEAD)) {
            future.complete(joinError("", Errors.COORDINATOR_NOT_AVAILABLE));
            return Result.empty();
        }
        if (!group.supportsProtocols(request.protocolType(), protocols(request))) {
            future.complete(joinError("", Errors.INCONSISTENT_GROUP_PROTOCOL));
            return Result.empty();
        }
        String instanceId = request.groupInstanceId();
        String newMemberId = group.generateMemberId(requester.clientId(), instanceId);
        if (instanceId != null) {
            String existing = group.staticMemberId(instanceId);
            if (existing != null) {
                return rejoinStaticMember(requester, request, group, existing, newMemberId, future);
            }
            return addMemberThenRebalanceOrCompleteJoin(requester, request, group, newMemberId, future);
        }
        if (requester.apiVersion() >= 4) {
            // KIP-394: hand out the id and have the client come back with it, so retries do not pile up members
            group.addPendingMember(newMemberId);
            rebalancer.scheduleHeartbeat(group.groupId(), newMemberId, request.sessionTimeoutMs());
            future.complete(joinError(newMemberId, Errors.MEMBER_ID_REQUIRED));
            return Result.empty();
        }
        return addMemberThenRebalanceOrCompleteJoin(requester, request, group, newMemberId, future);
    }

    private Result<Void> joinExistingMember(Requester requester, JoinGroupRequest request, ClassicGroup group,
                                            CompletableFuture<JoinGroupResponse> future) {
        String memberId = request.memberId();
        List<ClassicGroupMember.Protocol> protocols = protocols(request);
        if (group.isInState(ClassicGroupState.DEAD)) {
            future.complete(joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            return Result.empty();
        }
        if (!group.supportsProtocols(request.protocolType(), protocols)) {
            future.complete(joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
            return Result.empty();
        }
        if (group.isPendingMember(memberId)) {
            if (request.groupInstanceId() != null) {
                throw new GroupException(Errors.INVALID_REQUEST, "a pending member cannot be static");
            }
            return addMemberThenRebalanceOrCompleteJoin(requester, request, group, memberId, future);
        }
        try {
            group.validateMember(memberId, request.groupInstanceId());
        } catch (GroupException e) {
            future.complete(joinError(memberId, e.error()).setProtocolName(null));
            return Result.empty();
        }
        ClassicGroupMember member = group.member(memberId);
        switch (group.state()) {
            case PREPARING_REBALANCE:
                return updateMemberThenRebalanceOrCompleteJoin(request, group, member, future);
            case COMPLETING_REBALANCE:
                if (member.matches(protocols)) {
                    // the member lost our JoinGroup response: send it again
                    future.complete(group.joinResponse(memberId,
                            group.isLeader(memberId) ? group.joinResponseMembers() : List.of()));
                    return Result.empty();
                }
                return updateMemberThenRebalanceOrCompleteJoin(request, group, member, future);
            case STABLE:
                // a leader's rejoin asks for a rebalance (e.g. topic metadata changed); so does new metadata
                if (group.isLeader(memberId) || !member.matches(protocols)) {
                    return updateMemberThenRebalanceOrCompleteJoin(request, group, member, future);
                }
                future.complete(group.joinResponse(memberId, List.of()));
                return Result.empty();
            default:
                future.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
                return Result.empty();
        }
    }

    private Result<Void> updateMemberThenRebalanceOrCompleteJoin(JoinGroupRequest request, ClassicGroup group,
                                                               ClassicGroupMember member,
                                                               CompletableFuture<JoinGroupResponse> future) {
        group.updateMember(member, protocols(request), request.rebalanceTimeoutMs(), request.sessionTimeoutMs(), future);
        return rebalancer.maybePrepareRebalanceOrCompleteJoin(group);
    }

    private Result<Void> addMemberThenRebalanceOrCompleteJoin(Requester requester, JoinGroupRequest request,
                                                            ClassicGroup group, String memberId,
                                                            CompletableFuture<JoinGroupResponse> future) {
        ClassicGroupMember member = new ClassicGroupMember(memberId, request.groupInstanceId(),
                requester.clientId(), requester.clientHost(), request.rebalanceTimeoutMs(),
                request.sessionTimeoutMs(), request.protocolType(), protocols(request));
        member.setNew(true);
        if (group.isInState(ClassicGroupState.PREPARING_REBALANCE)
                && group.previousState() == ClassicGroupState.EMPTY) {
            group.setNewMemberAdded(true);
        }
        member.setJoinFuture(future);
        group.add(member);
        // a parked JoinGroup of a new member cannot heartbeat; drop it if its client went away
        rebalancer.scheduleHeartbeat(group.groupId(), memberId, shard.config.newMemberJoinTimeoutMs());
        return rebalancer.maybePrepareRebalanceOrCompleteJoin(group);
    }

    private Result<Void> rejoinStaticMember(Requester requester, JoinGroupRequest request, ClassicGroup group,
                                            String oldMemberId, String newMemberId,
                                            CompletableFuture<JoinGroupResponse> future) {
        String oldLeader = group.leaderOrNull();
        ClassicGroupMember member = group.replaceStaticMember(request.groupInstanceId(), oldMemberId, newMemberId);
        rebalancer.cancelHeartbeat(group.groupId(), oldMemberId);
        rebalancer.scheduleHeartbeat(group, member);
        List<ClassicGroupMember.Protocol> oldProtocols = member.protocols();
        int oldRebalanceTimeout = member.rebalanceTimeoutMs();
        int oldSessionTimeout = member.sessionTimeoutMs();
        group.updateMember(member, protocols(request), request.rebalanceTimeoutMs(), request.sessionTimeoutMs(), future);
        switch (group.state()) {
            case STABLE: {
                if (group.protocolName() == null || !group.protocolName().equals(group.selectProtocol())) {
                    return rebalancer.maybePrepareRebalanceOrCompleteJoin(group);
                }
                // KIP-345: same protocol, so no rebalance; persist the new member id, then answer
                Map<String, byte[]> assignment = group.currentAssignment();
                List<CoordinatorRecord> records = List.of(
                        new CoordinatorRecord.GroupMetadata(group.groupId(), group.toStored(assignment)));
                return Result.notReplayed(records, t -> {
                    if (t != null) {
                        group.updateMember(member, oldProtocols, oldRebalanceTimeout, oldSessionTimeout, null);
                        ClassicGroupMember restored = group.replaceStaticMember(request.groupInstanceId(), newMemberId, oldMemberId);
                        rebalancer.scheduleHeartbeat(group, restored);
                        future.complete(group.joinResponse("", List.of()).setLeader(oldLeader == null ? "" : oldLeader)
                                .setErrorCode(GroupException.errorOf(t).code()));
                    } else if (requester.apiVersion() >= 9) {
                        // KIP-814: a static leader learns it leads but need not run the assignor again
                        boolean leader = group.isLeader(newMemberId);
                        group.completeJoin(member, group.joinResponse(newMemberId,
                                leader ? group.joinResponseMembers() : List.of()).setSkipAssignment(leader));
                    } else {
                        group.completeJoin(member, group.joinResponse(newMemberId, List.of())
                                .setLeader(oldLeader == null ? "" : oldLeader));
                    }
                });
            }
            case COMPLETING_REBALANCE:
                // the leader may already assign to the old id: rebalance so the new id gets its share
                return rebalancer.prepareRebalance(group, "static member " + request.groupInstanceId() + " rejoined");
            case PREPARING_REBALANCE:
                return rebalancer.maybeCompleteJoinPhase(group);
            default:
                throw new IllegalStateException("group " + group.groupId() + " in " + group.state()
                        + " has static member " + request.groupInstanceId());
        }
    }
}
