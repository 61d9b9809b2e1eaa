package dev.runnel.server.group;

import dev.runnel.wire.message.HeartbeatRequest;
import dev.runnel.wire.message.HeartbeatResponse;
import dev.runnel.wire.message.JoinGroupRequest;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.LeaveGroupRequest;
import dev.runnel.wire.message.LeaveGroupResponse;
import dev.runnel.wire.message.SyncGroupRequest;
import dev.runnel.wire.message.SyncGroupResponse;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Classic-protocol requests (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) whose group id is a KIP-848 consumer
 * group with members, answered as Kafka 4.3's {@code GroupMetadataManager} does ({@code classicGroupJoinToConsumerGroup},
 * {@code classicGroupSyncToConsumerGroup}, {@code classicGroupHeartbeatToConsumerGroup},
 * {@code classicGroupLeaveToConsumerGroup}). A classic member lives in the consumer group as a member whose
 * metadata record carries {@code ClassicMemberMetadata}: its JoinGroup runs the consumer-group state machine
 * (subscription, group epoch, server-side target assignment, reconciliation) and answers with the member epoch as
 * generation; its SyncGroup gets the assigned partitions in the embedded consumer protocol format; its Heartbeat
 * says REBALANCE_IN_PROGRESS when it must rejoin to move on. With {@code group.consumer.migration.policy=disabled}
 * a JoinGroup gets INCONSISTENT_GROUP_PROTOCOL. Runs on the partition lane.
 */
final class ConsumerGroupClassicRequests {
    /** From JoinGroup v4 a dynamic member first gets its member id (KIP-394). */
    private static final short KNOWN_MEMBER_ID_VERSION = 4;

    private final CoordinatorShard shard;

    ConsumerGroupClassicRequests(CoordinatorShard shard) {
        this.shard = shard;
    }

    /**
     * Before a classic JoinGroup to an empty consumer group: removes it from the state and returns the tombstones
     * that delete it (its offsets stay), so that a classic group takes its place. Empty list when there is none.
     */
    List<CoordinatorRecord> beforeJoin(String groupId) {
        ConsumerGroup group = shard.consumerGroups.get(groupId);
        if (group == null || !group.members.isEmpty()) {
            return List.of();
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        group.tombstones(records);
        // Kafka removes the group at once (its tombstones are not replayed): the JoinGroup then sees no group
        shard.consumerGroups.remove(groupId);
        return records;
    }

    // ---- JoinGroup

    /** A classic member joins or rejoins a consumer group with members; the response waits for the records. */
    Result<Void> join(ConsumerGroup group, Requester requester, JoinGroupRequest request,
                      CompletableFuture<JoinGroupResponse> future) {
        String groupId = group.groupId;
        if (shard.consumerConfig.migrationPolicy() == ConsumerGroupMigrationPolicy.DISABLED) {
            throw new GroupException(Errors.INCONSISTENT_GROUP_PROTOCOL, "Cannot join the consumer group " + groupId
                    + " with the classic protocol because the group migration is disabled.");
        }
        boolean unknownMember = request.memberId().isEmpty();
        String memberId = unknownMember ? UUID.randomUUID().toString() : request.memberId();
        if (group.members.size() >= shard.consumerConfig.maxSize() && !group.members.containsKey(memberId)) {
            throw new GroupException(Errors.GROUP_MAX_SIZE_REACHED, "The consumer group has reached its maximum capacity of "
                    + shard.consumerConfig.maxSize() + " members.");
        }
        List<ClassicGroupMember.Protocol> protocols = JoinGroupOperation.protocols(request);
        if (!group.supportsClassicProtocols(request.protocolType(), protocols)) {
            throw new GroupException(Errors.INCONSISTENT_GROUP_PROTOCOL, "Member " + memberId + "'s protocols are not supported.");
        }
        if (unknownMember && request.groupInstanceId() == null && requester.apiVersion() >= KNOWN_MEMBER_ID_VERSION) {
            future.complete(new JoinGroupResponse().setMemberId(memberId).setErrorCode(Errors.MEMBER_ID_REQUIRED.code()));
            return Result.empty();
        }
        EmbeddedConsumerProtocol.Subscription subscription = EmbeddedConsumerProtocol.subscription(protocols.get(0).metadata());
        List<CoordinatorRecord> records = new ArrayList<>();
        ConsumerGroupMember member = joiningMember(group, memberId, unknownMember, request.groupInstanceId(), records);
        ConsumerGroupMember replaced = group.staticMember(request.groupInstanceId());
        String targetHolder = replaced != null && replaced != member ? replaced.memberId : member.memberId;

        ConsumerGroupRecord.MemberSubscription old = member.subscription;
        ConsumerGroupRecord.MemberSubscription updated = new ConsumerGroupRecord.MemberSubscription(
                request.groupInstanceId() != null ? request.groupInstanceId() : member.instanceId(),
                subscription.rackId() != null ? subscription.rackId() : old == null ? null : old.rackId(),
                requester.clientId(), requester.clientHost(), new ArrayList<>(new TreeSet<>(subscription.topics())),
                null, // classic members cannot subscribe with a regex
                request.rebalanceTimeoutMs() != -1 ? request.rebalanceTimeoutMs() : member.rebalanceTimeoutMs(),
                old == null ? null : old.serverAssignor(),
                new ConsumerGroupRecord.ClassicMemberMetadata(request.sessionTimeoutMs(), protocols));
        ConsumerGroupHeartbeats.Target target = shard.consumerHeartbeats.subscribe(group, member, targetHolder, updated, records);
        Map<UUID, Set<Integer>> owned = EmbeddedConsumerProtocol.byTopicId(shard.topics, subscription.ownedPartitions());
        ConsumerGroupRecord.MemberAssignment next = MemberReconciler.next(group, member.memberId, member.assignment,
                target.epoch(), target.partitions(), owned);
        if (!next.equals(member.assignment)) {
            records.add(new ConsumerGroupRecord.CurrentAssignment(groupId, member.memberId, next));
        }
        JoinGroupResponse response = new JoinGroupResponse().setMemberId(member.memberId)
                .setGenerationId(next.memberEpoch()).setProtocolType(EmbeddedConsumerProtocol.PROTOCOL_TYPE)
                .setProtocolName(protocols.get(0).name()).setLeader("");
        String id = member.memberId;
        return new Result<>(records, null, true, t -> {
            if (t == null) {
                shard.timer.cancel(ConsumerGroupHeartbeats.classicJoinKey(groupId, id));
                shard.consumerHeartbeats.scheduleSession(groupId, id, request.sessionTimeoutMs());
                // the member must come back with SyncGroup within its rebalance timeout
                scheduleFence(ConsumerGroupHeartbeats.classicSyncKey(groupId, id), groupId, id, request.rebalanceTimeoutMs());
                future.complete(response);
            }
        });
    }

    /** Kafka's getOrMaybeSubscribe{Dynamic,Static}ConsumerGroupMember for a classic member. */
    private ConsumerGroupMember joiningMember(ConsumerGroup group, String memberId, boolean unknownMember,
                                              String instanceId, List<CoordinatorRecord> records) {
        ConsumerGroupMember existingStatic = group.staticMember(instanceId);
        if (instanceId != null && !unknownMember) {
            if (existingStatic == null) {
                throw new GroupException(Errors.UNKNOWN_MEMBER_ID, "Instance id " + instanceId + " is unknown.");
            }
            if (!existingStatic.memberId.equals(memberId)) {
                throw fenced(group, memberId, instanceId, existingStatic);
            }
            return existingStatic;
        }
        if (existingStatic != null) {
            // a rejoining static member takes over its old self, whatever protocol that one used
            return shard.consumerHeartbeats.replaceStatic(group, existingStatic, memberId, records);
        }
        ConsumerGroupMember member = group.members.get(memberId);
        return member != null ? member : new ConsumerGroupMember(memberId);
    }

    // ---- SyncGroup and Heartbeat

    /** The member's assignment, once everything written before is committed. */
    Result<Void> sync(ConsumerGroup group, SyncGroupRequest request, CompletableFuture<SyncGroupResponse> future) {
        ConsumerGroupMember member = classicMember(group, request.memberId(), request.groupInstanceId(),
                request.generationId());
        String protocolName = member.classic().preferred().name();
        if (request.protocolType() != null && !EmbeddedConsumerProtocol.PROTOCOL_TYPE.equals(request.protocolType())) {
            throw new GroupException(Errors.INCONSISTENT_GROUP_PROTOCOL, "The protocol type " + request.protocolType()
                    + " from member " + member.memberId + " request is not equal to the group protocol type consumer.");
        }
        if (request.protocolName() != null && !protocolName.equals(request.protocolName())) {
            throw new GroupException(Errors.INCONSISTENT_GROUP_PROTOCOL, "The protocol name " + request.protocolName()
                    + " from member " + member.memberId + " request is not equal to the protocol name " + protocolName
                    + " returned in the join response.");
        }
        // a new target the member has not joined for yet: it must rejoin (unless it still has partitions to revoke)
        if (group.targetAssignmentEpoch > member.memberEpoch()
                && member.assignment.state() != ConsumerGroupRecord.MemberAssignment.UNREVOKED_PARTITIONS) {
            scheduleJoinTimeoutIfAbsent(group.groupId, member);
            throw new GroupException(Errors.REBALANCE_IN_PROGRESS, "A new rebalance is triggered in group "
                    + group.groupId + " and member " + member.memberId + " should rejoin to catch up.");
        }
        byte[] assignment = EmbeddedConsumerProtocol.assignmentBytes(shard.topics, member.assignment.assigned(),
                EmbeddedConsumerProtocol.version(member.classic().preferred().metadata()));
        String groupId = group.groupId;
        return new Result<>(List.of(), null, false, t -> {
            if (t == null) {
                shard.timer.cancel(ConsumerGroupHeartbeats.classicSyncKey(groupId, member.memberId));
                shard.consumerHeartbeats.scheduleSession(groupId, member.memberId, member.classic().sessionTimeoutMs());
                future.complete(new SyncGroupResponse().setProtocolType(request.protocolType())
                        .setProtocolName(request.protocolName()).setAssignment(assignment));
            }
        });
    }

    /** Keeps the member's session; REBALANCE_IN_PROGRESS when it must rejoin to reconcile. */
    Result<HeartbeatResponse> heartbeat(ConsumerGroup group, HeartbeatRequest request) {
        ConsumerGroupMember member = classicMember(group, request.memberId(), request.groupInstanceId(),
                request.generationId());
        shard.consumerHeartbeats.scheduleSession(group.groupId, member.memberId, member.classic().sessionTimeoutMs());
        byte state = member.assignment.state();
        Errors error = Errors.NONE;
        // the target moved on; or it must revoke and rejoin; or the partitions it waited for are free now
        if (member.memberEpoch() < group.targetAssignmentEpoch
                || state == ConsumerGroupRecord.MemberAssignment.UNREVOKED_PARTITIONS
                || (state == ConsumerGroupRecord.MemberAssignment.UNRELEASED_PARTITIONS && !group.waitingOnUnreleasedPartition(member))) {
            error = Errors.REBALANCE_IN_PROGRESS;
            scheduleJoinTimeoutIfAbsent(group.groupId, member);
        }
        return Result.of(new HeartbeatResponse().setErrorCode(error.code()));
    }

    /** The classic member a SyncGroup or Heartbeat comes from, at its generation (the member epoch). */
    private static ConsumerGroupMember classicMember(ConsumerGroup group, String memberId, String instanceId,
                                                     int generationId) {
        ConsumerGroupMember member;
        if (instanceId == null) {
            member = group.members.get(memberId);
            if (member == null) {
                throw new GroupException(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not a member of group "
                        + group.groupId + ".");
            }
        } else {
            member = group.staticMember(instanceId);
            if (member == null) {
                throw new GroupException(Errors.UNKNOWN_MEMBER_ID, "Member with instance id " + instanceId
                        + " is not a member of group " + group.groupId + ".");
            }
            if (!member.memberId.equals(memberId)) {
                throw fenced(group, memberId, instanceId, member);
            }
        }
        if (!member.useClassicProtocol()) {
            throw new GroupException(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " does not use the classic protocol.");
        }
        if (member.memberEpoch() != generationId) {
            throw new GroupException(Errors.ILLEGAL_GENERATION, "The request generation id " + generationId
                    + " is not equal to the member epoch " + member.memberEpoch() + " of member " + memberId + ".");
        }
        return member;
    }

    private static GroupException fenced(ConsumerGroup group, String memberId, String instanceId, ConsumerGroupMember holder) {
        return new GroupException(Errors.FENCED_INSTANCE_ID, "Static member " + memberId + " with instance id "
                + instanceId + " is fenced by existing member " + holder.memberId + ".");
    }

    /** A classic member told to rejoin must do so within its rebalance timeout, or it is fenced. */
    private void scheduleJoinTimeoutIfAbsent(String groupId, ConsumerGroupMember member) {
        String key = ConsumerGroupHeartbeats.classicJoinKey(groupId, member.memberId);
        if (!shard.timer.isScheduled(key)) {
            scheduleFence(key, groupId, member.memberId, member.rebalanceTimeoutMs());
        }
    }

    private void scheduleFence(String key, String groupId, String memberId, int timeoutMs) {
        shard.timer.schedule(key, timeoutMs,
                () -> shard.runScheduled(() -> shard.consumerHeartbeats.fenceIfStill(groupId, memberId)));
    }

    // ---- LeaveGroup

    /** LeaveGroup naming members of a consumer group: each valid one is fenced, with one group epoch bump. */
    Result<LeaveGroupResponse> leave(ConsumerGroup group, LeaveGroupRequest request) {
        List<LeaveGroupResponse.MemberResponse> responses = new ArrayList<>();
        Set<ConsumerGroupMember> leaving = new LinkedHashSet<>();
        for (LeaveGroupRequest.MemberIdentity identity : request.members()) {
            LeaveGroupResponse.MemberResponse response = new LeaveGroupResponse.MemberResponse()
                    .setMemberId(identity.memberId()).setGroupInstanceId(identity.groupInstanceId());
            ConsumerGroupMember member = identity.groupInstanceId() == null
                    ? group.members.get(identity.memberId()) : group.staticMember(identity.groupInstanceId());
            if (member == null) {
                response.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
            } else if (identity.groupInstanceId() != null && !identity.memberId().isEmpty()
                    && !identity.memberId().equals(member.memberId)) {
                // the instance id is held by another member id: this one is a zombie
                response.setErrorCode(Errors.FENCED_INSTANCE_ID.code());
            } else {
                leaving.add(member);
            }
            responses.add(response);
        }
        return shard.consumerHeartbeats.fence(group, leaving, new LeaveGroupResponse().setMembers(responses));
    }
}
