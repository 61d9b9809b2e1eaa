package dev.runnel.server.group;

import dev.runnel.wire.message.LeaveGroupRequest;
import dev.runnel.wire.message.LeaveGroupResponse;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Classic-protocol requests (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) whose group id is a KIP-848 consumer
 * group, answered as Kafka 4.3's {@code GroupMetadataManager} does ({@code classicGroupJoin},
 * {@code classicGroupSyncToConsumerGroup}, {@code classicGroupHeartbeatToConsumerGroup},
 * {@code classicGroupLeaveToConsumerGroup}).
 *
 * <p>Kafka lets classic members join a consumer group that has members (online migration, KIP-848). This
 * coordinator has no classic members inside consumer groups, so it answers as Kafka does with
 * {@code group.consumer.migration.policy=disabled}: a JoinGroup gets INCONSISTENT_GROUP_PROTOCOL, and since no
 * member of a consumer group uses the classic protocol, SyncGroup and Heartbeat get UNKNOWN_MEMBER_ID (or
 * FENCED_INSTANCE_ID for a static member's stale id). An empty consumer group is deleted (tombstones; its
 * offsets stay) and the JoinGroup creates a classic group in its place. LeaveGroup fences the members it names,
 * which is how an administrator removes members of a consumer group. Runs on the partition lane.
 */
final class ConsumerGroupClassicRequests {
    private final CoordinatorShard shard;

    ConsumerGroupClassicRequests(CoordinatorShard shard) {
        this.shard = shard;
    }

    /**
     * Before a classic JoinGroup: throws INCONSISTENT_GROUP_PROTOCOL for a consumer group with members; for an
     * empty one, removes it from the state and returns the tombstones that delete it. Empty list otherwise.
     */
    List<CoordinatorRecord> beforeJoin(String groupId) {
        ConsumerGroup group = shard.consumerGroups.get(groupId);
        if (group == null) {
            return List.of();
        }
        if (!group.members.isEmpty()) {
            throw new GroupException(Errors.INCONSISTENT_GROUP_PROTOCOL, "Cannot join the consumer group " + groupId
                    + " with the classic protocol because the group migration is disabled.");
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        group.tombstones(records);
        // Kafka removes the group at once (its tombstones are not replayed): the JoinGroup then sees no group
        shard.consumerGroups.remove(groupId);
        return records;
    }

    /**
     * SyncGroup or Heartbeat of a classic member to a consumer group: Kafka finds the member (UNKNOWN_MEMBER_ID,
     * or FENCED_INSTANCE_ID when a static member's id is not the current one) and then requires it to use the
     * classic protocol, which none here does. Always throws.
     */
    static GroupException classicMemberError(ConsumerGroup group, String memberId, String instanceId) {
        if (instanceId == null) {
            if (!group.members.containsKey(memberId)) {
                return new GroupException(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not a member of group "
                        + group.groupId + ".");
            }
        } else {
            ConsumerGroupMember member = group.staticMember(instanceId);
            if (member == null) {
                return new GroupException(Errors.UNKNOWN_MEMBER_ID, "Member with instance id " + instanceId
                        + " is not a member of group " + group.groupId + ".");
            }
            if (!member.memberId.equals(memberId)) {
                return new GroupException(Errors.FENCED_INSTANCE_ID, "Static member " + memberId + " with instance id "
                        + instanceId + " is fenced by existing member " + member.memberId + ".");
            }
        }
        return new GroupException(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " does not use the classic protocol.");
    }

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
        List<CoordinatorRecord> records = new ArrayList<>();
        if (!leaving.isEmpty()) {
            shard.consumerHeartbeats.fence(group, leaving, records);
        }
        return Result.replayed(records, new LeaveGroupResponse().setMembers(responses));
    }
}
