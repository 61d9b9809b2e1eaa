package dev.runnel.server.group;

import dev.runnel.wire.message.DeleteGroupsResponse;
import dev.runnel.wire.message.DescribeGroupsResponse;
import dev.runnel.wire.message.ListGroupsResponse;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** ListGroups, DescribeGroups and DeleteGroups on one coordinator partition. Runs on the partition lane. */
final class GroupAdministration {
    private final CoordinatorShard shard;
    private final OffsetOperations offsets;

    GroupAdministration(CoordinatorShard shard, OffsetOperations offsets) {
        this.shard = shard;
        this.offsets = offsets;
    }

    /** Groups whose state (lower case) is in {@code states} and type in {@code types}; empty sets match all. */
    List<ListGroupsResponse.ListedGroup> list(Set<String> states, Set<String> types) {
        List<ListGroupsResponse.ListedGroup> out = new ArrayList<>();
        for (ClassicGroup g : shard.groups.values()) {
            boolean stateOk = states.isEmpty() || states.contains(g.state().kafkaName().toLowerCase(Locale.ROOT));
            boolean typeOk = types.isEmpty() || types.contains("classic");
            if (stateOk && typeOk) {
                out.add(new ListGroupsResponse.ListedGroup().setGroupId(g.groupId())
                        .setProtocolType(g.protocolType() == null ? "" : g.protocolType())
                        .setGroupState(g.state().kafkaName()).setGroupType("classic"));
            }
        }
        for (ConsumerGroup g : shard.consumerGroups.values()) {
            String state = g.state().kafkaName;
            if ((states.isEmpty() || states.contains(state.toLowerCase(Locale.ROOT)))
                    && (types.isEmpty() || types.contains("consumer"))) {
                out.add(new ListGroupsResponse.ListedGroup().setGroupId(g.groupId).setProtocolType("consumer")
                        .setGroupState(state).setGroupType("consumer"));
            }
        }
        return out;
    }

    DescribeGroupsResponse.DescribedGroup describe(short version, String groupId) {
        ClassicGroup g = shard.group(groupId);
        if (g == null) {
            DescribeGroupsResponse.DescribedGroup dead = new DescribeGroupsResponse.DescribedGroup().setGroupId(groupId)
                    .setGroupState(ClassicGroupState.DEAD.kafkaName());
            if (version >= 6) {
                // Kafka describes only classic groups here; a consumer group is "not found" as a classic group
                dead.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage(shard.consumerGroups.containsKey(groupId)
                        ? "Group " + groupId + " is not a classic group." : "Group " + groupId + " not found.");
            }
            return dead;
        }
        boolean stable = g.isInState(ClassicGroupState.STABLE);
        List<DescribeGroupsResponse.DescribedGroupMember> members = new ArrayList<>();
        for (ClassicGroupMember m : g.allMembers()) {
            DescribeGroupsResponse.DescribedGroupMember d = new DescribeGroupsResponse.DescribedGroupMember()
                    .setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId()).setClientId(m.clientId())
                    .setClientHost(m.clientHost()).setMemberAssignment(m.assignment());
            // member metadata only means something once a protocol is chosen and in use
            d.setMemberMetadata(stable ? m.metadata(g.protocolName()) : new byte[0]);
            members.add(d);
        }
        return new DescribeGroupsResponse.DescribedGroup().setGroupId(groupId).setGroupState(g.state().kafkaName())
                .setProtocolType(g.protocolType() == null ? "" : g.protocolType())
                .setProtocolData(stable ? g.protocolName() : "").setMembers(members);
    }

    /** Deletes empty groups with their offsets; NON_EMPTY_GROUP for groups with members. */
    Result<List<DeleteGroupsResponse.DeletableGroupResult>> delete(List<String> groupIds) {
        List<CoordinatorRecord> records = new ArrayList<>();
        List<DeleteGroupsResponse.DeletableGroupResult> results = new ArrayList<>();
        for (String groupId : groupIds) {
            ClassicGroup g = shard.group(groupId);
            ConsumerGroup consumerGroup = shard.consumerGroups.get(groupId);
            Errors error = Errors.NONE;
            if (consumerGroup != null) {
                if (!consumerGroup.members.isEmpty()) {
                    error = Errors.NON_EMPTY_GROUP;
                } else {
                    offsets.deleteAll(groupId, records);
                    consumerGroup.tombstones(records);
                }
            } else if (g == null || g.isInState(ClassicGroupState.DEAD)) {
                error = Errors.GROUP_ID_NOT_FOUND;
            } else if (!g.isInState(ClassicGroupState.EMPTY)) {
                error = Errors.NON_EMPTY_GROUP;
            } else {
                offsets.deleteAll(groupId, records);
                records.add(new CoordinatorRecord.GroupMetadata(groupId, null));
            }
            results.add(new DeleteGroupsResponse.DeletableGroupResult().setGroupId(groupId).setErrorCode(error.code()));
        }
        return Result.replayed(records, results);
    }
}
