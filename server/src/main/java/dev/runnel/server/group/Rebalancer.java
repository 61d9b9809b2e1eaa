package dev.runnel.server.group;

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
 * The rebalance life cycle of the classic groups of one coordinator partition, following Kafka's group
 * coordinator: preparing a rebalance (with group.initial.rebalance.delay.ms for new groups), ending the join
 * phase, session, join and sync deadlines, and handing out the leader's assignment. Parked JoinGroup and
 * SyncGroup responses are futures held by the members and completed here. Runs on the partition lane.
 */
final class Rebalancer {
    private static final Logger LOG = LogManager.getLogger(Rebalancer.class);

    private final CoordinatorShard shard;

    Rebalancer(CoordinatorShard shard) {
        this.shard = shard;
    }

    // ---- the join phase

    Result<Void> maybePrepareRebalanceOrCompleteJoin(ClassicGroup group) {
        return group.canRebalance() ? prepareRebalance(group, "membership changed") : maybeCompleteJoinPhase(group);
    }

    Result<Void> maybeCompleteJoinPhase(ClassicGroup group) {
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

    void scheduleHeartbeat(String groupId, String memberId, long timeoutMs) {
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
        group.completeJoin(member, new JoinGroupResponse().setMemberId("").setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
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
