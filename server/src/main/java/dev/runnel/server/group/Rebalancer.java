package dev.runnel.server.group;

import dev.runnel.wire.message.JoinGroupRequest;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.SyncGroupResponse;
import dev.runnel.wire.protocol.Errors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The classic rebalance protocol of one coordinator partition, following Kafka's group coordinator: JoinGroup
 * (KIP-394 member ids, KIP-345 static members, protocol votes, initial rebalance delay, group.max.size), the
 * join phase and its completion, session and sync deadlines, and the assignment hand-out. Parked JoinGroup and
 * SyncGroup responses are futures held by the members and completed here. Runs on the partition lane.
 */
final class Rebalancer {
    private static final Logger LOG = LogManager.getLogger(Rebalancer.class);

    private final CoordinatorShard shard;

    Rebalancer(CoordinatorShard shard) {
        this.shard = shard;
    }

    static List<ClassicGroupMember.Protocol> protocols(JoinGroupRequest request) {
        List<ClassicGroupMember.Protocol> out = new ArrayList<>(request.protocols().size());
        for (JoinGroupRequest.JoinGroupRequestProtocol p : request.protocols()) {
            out.add(new ClassicGroupMember.Protocol(p.name(), p.metadata()));
        }
        return out;
    }

    private static JoinGroupResponse joinError(String memberId, Errors error) {
        return new JoinGroupResponse().setMemberId(memberId).setErrorCode(error.code());
    }

    // ---- JoinGroup

    Result<Void> join(Requester requester, JoinGroupRequest request, CompletableFuture<JoinGroupResponse> future) {
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
            scheduleHeartbeat(group.groupId(), newMemberId, request.sessionTimeoutMs());
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
        return maybePrepareRebalanceOrCompleteJoin(group);
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
        scheduleHeartbeat(group.groupId(), memberId, shard.config.newMemberJoinTimeoutMs());
        return maybePrepareRebalanceOrCompleteJoin(group);
    }

    private Result<Void> rejoinStaticMember(Requester requester, JoinGroupRequest request, ClassicGroup group,
                                            String oldMemberId, String newMemberId,
                                            CompletableFuture<JoinGroupResponse> future) {
        String oldLeader = group.leaderOrNull();
        ClassicGroupMember member = group.replaceStaticMember(request.groupInstanceId(), oldMemberId, newMemberId);
        cancelHeartbeat(group.groupId(), oldMemberId);
        scheduleHeartbeat(group, member);
        List<ClassicGroupMember.Protocol> oldProtocols = member.protocols();
        int oldRebalanceTimeout = member.rebalanceTimeoutMs();
        int oldSessionTimeout = member.sessionTimeoutMs();
        group.updateMember(member, protocols(request), request.rebalanceTimeoutMs(), request.sessionTimeoutMs(), future);
        switch (group.state()) {
            case STABLE: {
                if (group.protocolName() == null || !group.protocolName().equals(group.selectProtocol())) {
                    return maybePrepareRebalanceOrCompleteJoin(group);
                }
                // KIP-345: same protocol, so no rebalance; persist the new member id, then answer
                Map<String, byte[]> assignment = group.currentAssignment();
                List<CoordinatorRecord> records = List.of(
                        new CoordinatorRecord.GroupMetadata(group.groupId(), group.toStored(assignment)));
                return Result.notReplayed(records, t -> {
                    if (t != null) {
                        group.updateMember(member, oldProtocols, oldRebalanceTimeout, oldSessionTimeout, null);
                        ClassicGroupMember restored = group.replaceStaticMember(request.groupInstanceId(), newMemberId, oldMemberId);
                        scheduleHeartbeat(group, restored);
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
                return prepareRebalance(group, "static member " + request.groupInstanceId() + " rejoined");
            case PREPARING_REBALANCE:
                return maybeCompleteJoinPhase(group);
            default:
                throw new IllegalStateException("group " + group.groupId() + " in " + group.state()
                        + " has static member " + request.groupInstanceId());
        }
    }

    // ---- the join phase

    Result<Void> maybePrepareRebalanceOrCompleteJoin(ClassicGroup group) {
        return group.canRebalance() ? prepareRebalance(group, "membership changed") : maybeCompleteJoinPhase(group);
    }

    private Result<Void> maybeCompleteJoinPhase(ClassicGroup group) {
        if (!group.isInState(ClassicGroupState.PREPARING_REBALANCE)
                || group.previousState() == ClassicGroupState.EMPTY // the initial delay decides
                || !group.hasAllMembersJoined()) {
            return Result.empty();
        }
        return completeJoin(group);
    }

    Result<Void> prepareRebalance(ClassicGroup group, String reason) {
        if (group.isInState(ClassicGroupState.COMPLETING_REBALANCE)) {
            resetAndPropagateAssignmentWithError(group, Errors.REBALANCE_IN_PROGRESS);
        }
        group.clearPendingSyncMembers();
        shard.timer.cancel(syncKey(group.groupId()));
        boolean initial = group.isInState(ClassicGroupState.EMPTY);
        if (initial) {
            // group.initial.rebalance.delay.ms: give the other members of a new group time to arrive
            int delay = shard.config.initialRebalanceDelayMs();
            int remaining = Math.max(group.rebalanceTimeoutMs() - delay, 0);
            scheduleInitialRebalance(group.groupId(), delay, remaining);
        }
        group.transitionTo(ClassicGroupState.PREPARING_REBALANCE);
        LOG.info("Preparing to rebalance group {} with old generation {} ({})", group.groupId(), group.generationId(), reason);
        if (initial) {
            return Result.empty();
        }
        if (group.hasAllMembersJoined()) {
            return completeJoin(group);
        }
        schedule(joinKey(group.groupId()), group.rebalanceTimeoutMs(), () -> completeJoin(group.groupId()));
        return Result.empty();
    }

    private void scheduleInitialRebalance(String groupId, int delayMs, int remainingMs) {
        schedule(joinKey(groupId), delayMs, () -> {
            ClassicGroup group = shard.group(groupId);
            if (group == null) {
                return Result.empty();
            }
            if (group.newMemberAdded() && remainingMs != 0) {
                group.setNewMemberAdded(false);
                int nextDelay = Math.min(shard.config.initialRebalanceDelayMs(), remainingMs);
                scheduleInitialRebalance(groupId, nextDelay, Math.max(remainingMs - delayMs, 0));
                return Result.empty();
            }
            return completeJoin(group);
        });
    }

    private Result<Void> completeJoin(String groupId) {
        ClassicGroup group = shard.group(groupId);
        return group == null ? Result.empty() : completeJoin(group);
    }

    /**
     * Ends the join phase: dynamic members that did not rejoin are dropped, the next generation starts, and
     * every parked JoinGroup is answered (the leader's with all members' metadata).
     */
    private Result<Void> completeJoin(ClassicGroup group) {
        shard.timer.cancel(joinKey(group.groupId()));
        for (ClassicGroupMember gone : group.notYetRejoinedDynamicMembers()) {
            group.remove(gone.memberId());
            cancelHeartbeat(group.groupId(), gone.memberId());
        }
        if (group.isInState(ClassicGroupState.DEAD)) {
            return Result.empty();
        }
        if (!electJoinedLeader(group) && group.numMembers() > 0) {
            // nobody rejoined: wait again, until session timeouts have removed the silent members
            schedule(joinKey(group.groupId()), group.rebalanceTimeoutMs(), () -> completeJoin(group.groupId()));
            return Result.empty();
        }
        group.initNextGeneration();
        if (group.isInState(ClassicGroupState.EMPTY)) {
            LOG.info("Group {} with generation {} is now empty", group.groupId(), group.generationId());
            return Result.notReplayed(List.of(new CoordinatorRecord.GroupMetadata(group.groupId(),
                    group.toStored(Map.of()))), t -> { });
        }
        LOG.info("Stabilized group {} generation {} with {} members", group.groupId(), group.generationId(), group.numMembers());
        for (ClassicGroupMember member : group.allMembers()) {
            List<JoinGroupResponse.JoinGroupResponseMember> members =
                    group.isLeader(member.memberId()) ? group.joinResponseMembers() : List.of();
            group.completeJoin(member, group.joinResponse(member.memberId(), members));
            scheduleHeartbeat(group, member);
            member.setNew(false);
            group.addPendingSyncMember(member.memberId());
        }
        int generation = group.generationId();
        schedule(syncKey(group.groupId()), group.rebalanceTimeoutMs(), () -> expirePendingSync(group.groupId(), generation));
        return Result.empty();
    }

    /** Keeps the leader if it rejoined, else picks a member that did; false when no member rejoined. */
    private static boolean electJoinedLeader(ClassicGroup group) {
        String leader = group.leaderOrNull();
        if (leader == null) {
            return false;
        }
        if (group.member(leader).isAwaitingJoin()) {
            return true;
        }
        for (ClassicGroupMember m : group.allMembers()) {
            if (m.isAwaitingJoin()) {
                LOG.info("Leader {} of group {} did not rejoin in time; {} leads now", leader, group.groupId(), m.memberId());
                group.setLeader(m.memberId());
                return true;
            }
        }
        return false;
    }

    // ---- deadlines

    void onLoaded() {
        for (ClassicGroup group : new ArrayList<>(shard.groups.values())) {
            for (ClassicGroupMember member : group.allMembers()) {
                scheduleHeartbeat(group, member);
            }
            if (group.numMembers() > shard.config.maxGroupSize()) {
                shard.apply(prepareRebalance(group, "over group.max.size after loading"), new CompletableFuture<>());
            }
        }
    }

    void scheduleHeartbeat(ClassicGroup group, ClassicGroupMember member) {
        scheduleHeartbeat(group.groupId(), member.memberId(), member.sessionTimeoutMs());
    }

    private void scheduleHeartbeat(String groupId, String memberId, long timeoutMs) {
        schedule(heartbeatKey(groupId, memberId), timeoutMs, () -> expireHeartbeat(groupId, memberId));
    }

    void cancelHeartbeat(String groupId, String memberId) {
        shard.timer.cancel(heartbeatKey(groupId, memberId));
    }

    void cancelTimers(ClassicGroup group) {
        shard.timer.cancel(joinKey(group.groupId()));
        shard.timer.cancel(syncKey(group.groupId()));
        for (ClassicGroupMember m : group.allMembers()) {
            cancelHeartbeat(group.groupId(), m.memberId());
        }
    }

    private Result<Void> expireHeartbeat(String groupId, String memberId) {
        ClassicGroup group = shard.group(groupId);
        if (group == null || group.isInState(ClassicGroupState.DEAD)) {
            return Result.empty();
        }
        if (group.isPendingMember(memberId)) {
            group.remove(memberId);
            return group.isInState(ClassicGroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()
                    ? completeJoin(group) : Result.empty();
        }
        ClassicGroupMember member = group.member(memberId);
        if (member == null || member.hasSatisfiedHeartbeat()) {
            return Result.empty();
        }
        LOG.info("Member {} of group {} failed its session timeout; removing it", memberId, groupId);
        return removeMemberAndUpdateGroup(group, member);
    }

    /** Removes a member (session expired or it left) and moves the group on. */
    Result<Void> removeMemberAndUpdateGroup(ClassicGroup group, ClassicGroupMember member) {
        // a member removed while its JoinGroup is parked is told to join again
        group.completeJoin(member, joinError("", Errors.UNKNOWN_MEMBER_ID));
        group.remove(member.memberId());
        if (group.isInState(ClassicGroupState.STABLE) || group.isInState(ClassicGroupState.COMPLETING_REBALANCE)) {
            return maybePrepareRebalanceOrCompleteJoin(group);
        }
        if (group.isInState(ClassicGroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()) {
            return completeJoin(group);
        }
        return Result.empty();
    }

    /** After a leave in PreparingRebalance: complete the join phase if everyone left has joined. */
    Result<Void> afterLeave(ClassicGroup group) {
        return switch (group.state()) {
            case STABLE, COMPLETING_REBALANCE -> maybePrepareRebalanceOrCompleteJoin(group);
            case PREPARING_REBALANCE -> maybeCompleteJoinPhase(group);
            default -> Result.empty();
        };
    }

    private Result<Void> expirePendingSync(String groupId, int generation) {
        ClassicGroup group = shard.group(groupId);
        if (group == null || generation != group.generationId()) {
            return Result.empty();
        }
        if ((group.isInState(ClassicGroupState.COMPLETING_REBALANCE) || group.isInState(ClassicGroupState.STABLE))
                && !group.hasReceivedSyncFromAllMembers()) {
            for (String memberId : group.pendingSyncMembers()) {
                group.remove(memberId);
                cancelHeartbeat(groupId, memberId);
            }
            return prepareRebalance(group, "members did not send SyncGroup in time");
        }
        return Result.empty();
    }

    void removePendingSyncMember(ClassicGroup group, String memberId) {
        group.removePendingSyncMember(memberId);
        boolean syncing = group.isInState(ClassicGroupState.COMPLETING_REBALANCE) || group.isInState(ClassicGroupState.STABLE);
        if (!syncing || group.hasReceivedSyncFromAllMembers()) {
            shard.timer.cancel(syncKey(group.groupId()));
        }
    }

    // ---- assignment hand-out

    void resetAndPropagateAssignmentWithError(ClassicGroup group, Errors error) {
        for (ClassicGroupMember m : group.allMembers()) {
            m.setAssignment(ClassicGroupMember.EMPTY_ASSIGNMENT);
        }
        propagateAssignment(group, error);
    }

    void setAndPropagateAssignment(ClassicGroup group, Map<String, byte[]> assignment) {
        for (ClassicGroupMember m : group.allMembers()) {
            m.setAssignment(assignment.get(m.memberId()));
        }
        propagateAssignment(group, Errors.NONE);
    }

    private void propagateAssignment(ClassicGroup group, Errors error) {
        boolean ok = error == Errors.NONE;
        for (ClassicGroupMember m : group.allMembers()) {
            SyncGroupResponse response = new SyncGroupResponse().setErrorCode(error.code())
                    .setProtocolType(ok ? group.protocolType() : null).setProtocolName(ok ? group.protocolName() : null)
                    .setAssignment(m.assignment());
            if (group.completeSync(m, response)) {
                // a session that expired while the member was parked was ignored; start it again
                scheduleHeartbeat(group, m);
            }
        }
    }

    // ---- timer keys

    private void schedule(String key, long delayMs, Supplier<Result<Void>> task) {
        shard.timer.schedule(key, delayMs, () -> shard.runScheduled(task));
    }

    static String heartbeatKey(String groupId, String memberId) {
        return "heartbeat-" + groupId + "-" + memberId;
    }

    static String joinKey(String groupId) {
        return "join-" + groupId;
    }

    static String syncKey(String groupId) {
        return "sync-" + groupId;
    }
}
