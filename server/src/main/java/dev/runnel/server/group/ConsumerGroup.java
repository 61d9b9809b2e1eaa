package dev.runnel.server.group;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A KIP-848 consumer group: the group epoch (bumped whenever membership, subscriptions or the subscribed topics
 * change), the target assignment computed at some group epoch, and the members reconciling towards it. Changed
 * only by {@link #replay}; owned by the partition lane.
 */
final class ConsumerGroup {
    /** Kafka's ConsumerGroupState names, as ListGroups and ConsumerGroupDescribe show them. */
    enum State {
        EMPTY("Empty"), ASSIGNING("Assigning"), RECONCILING("Reconciling"), STABLE("Stable"), DEAD("Dead");

        final String kafkaName;

        State(String kafkaName) {
            this.kafkaName = kafkaName;
        }
    }

    final String groupId;
    int groupEpoch;
    long metadataHash;
    int targetAssignmentEpoch;
    final Map<String, ConsumerGroupMember> members = new LinkedHashMap<>();
    final Map<String, Map<UUID, Set<Integer>>> targetAssignment = new LinkedHashMap<>();
    /** Whether a metadata record exists for the group; a group whose metadata was deleted is gone. */
    boolean exists;

    ConsumerGroup(String groupId) {
        this.groupId = groupId;
    }

    State state() {
        if (members.isEmpty()) {
            return State.EMPTY;
        }
        if (groupEpoch > targetAssignmentEpoch) {
            return State.ASSIGNING;
        }
        for (ConsumerGroupMember m : members.values()) {
            if (m.memberEpoch() != targetAssignmentEpoch
                    || m.assignment.state() != ConsumerGroupRecord.MemberAssignment.STABLE) {
                return State.RECONCILING;
            }
        }
        return State.STABLE;
    }

    ConsumerGroupMember staticMember(String instanceId) {
        if (instanceId == null) {
            return null;
        }
        for (ConsumerGroupMember m : members.values()) {
            if (instanceId.equals(m.instanceId())) {
                return m;
            }
        }
        return null;
    }

    Map<UUID, Set<Integer>> targetOf(String memberId) {
        return targetAssignment.getOrDefault(memberId, Map.of());
    }

    /** The member other than {@code exceptMemberId} that still owns the partition, or null. */
    ConsumerGroupMember ownerOf(UUID topic, int partition, String exceptMemberId) {
        for (ConsumerGroupMember m : members.values()) {
            if (!m.memberId.equals(exceptMemberId) && (Partitions.contains(m.assignment.assigned(), topic, partition)
                    || Partitions.contains(m.assignment.pendingRevocation(), topic, partition))) {
                return m;
            }
        }
        return null;
    }

    /** Whether any member subscribes to {@code topic} by name (regex subscriptions are resolved by the caller). */
    boolean subscribesByName(String topic) {
        for (ConsumerGroupMember m : members.values()) {
            if (m.subscription != null && m.subscription.subscribedTopicNames().contains(topic)) {
                return true;
            }
        }
        return false;
    }

    /** Applies one record of this group. */
    void replay(ConsumerGroupRecord record) {
        if (record instanceof ConsumerGroupRecord.GroupEpoch r) {
            exists = r.value() != null;
            if (exists) {
                groupEpoch = r.value().epoch();
                metadataHash = r.value().metadataHash();
            }
        } else if (record instanceof ConsumerGroupRecord.MemberMetadata r) {
            if (r.value() == null) {
                members.remove(r.memberId());
            } else {
                members.computeIfAbsent(r.memberId(), ConsumerGroupMember::new).subscription = r.value();
            }
        } else if (record instanceof ConsumerGroupRecord.TargetAssignmentEpoch r) {
            targetAssignmentEpoch = r.assignmentEpoch() == null ? 0 : r.assignmentEpoch();
        } else if (record instanceof ConsumerGroupRecord.TargetAssignmentMember r) {
            if (r.partitions() == null) {
                targetAssignment.remove(r.memberId());
            } else {
                targetAssignment.put(r.memberId(), Partitions.copy(r.partitions()));
            }
        } else if (record instanceof ConsumerGroupRecord.CurrentAssignment r) {
            ConsumerGroupMember m = members.get(r.memberId());
            if (r.value() == null) {
                if (m != null) {
                    m.assignment = ConsumerGroupMember.INITIAL;
                }
            } else {
                // Kafka writes the member metadata first, but a compacted log may have either order
                members.computeIfAbsent(r.memberId(), ConsumerGroupMember::new).assignment = r.value();
            }
        }
    }
}
