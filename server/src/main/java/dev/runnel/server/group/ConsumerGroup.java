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
    /** The last resolution of each regex a member subscribes to, by regex. */
    final Map<String, ConsumerGroupRecord.ResolvedRegex> resolvedRegexes = new LinkedHashMap<>();
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

    /**
     * Whether a member subscribes to {@code topic}, by name or through the last resolution of its regex (Kafka's
     * {@code ModernGroup.isSubscribedToTopic}); committed offsets of such a topic do not expire.
     */
    boolean isSubscribedToTopic(String topic) {
        for (ConsumerGroupMember m : members.values()) {
            if (m.subscription == null) {
                continue;
            }
            if (m.subscription.subscribedTopicNames().contains(topic)) {
                return true;
            }
            String regex = m.subscription.subscribedTopicRegex();
            ConsumerGroupRecord.ResolvedRegex resolved = regex == null ? null : resolvedRegexes.get(regex);
            if (resolved != null && resolved.topics().contains(topic)) {
                return true;
            }
        }
        return false;
    }

    int numClassicMembers() {
        int n = 0;
        for (ConsumerGroupMember m : members.values()) {
            if (m.useClassicProtocol()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether a classic member of this protocol type offering these protocols may join (Kafka's
     * {@code supportsClassicProtocols}): the type must be "consumer" and, unless the group is empty, one of the
     * protocols must be supported by every classic member.
     */
    boolean supportsClassicProtocols(String protocolType, java.util.List<ClassicGroupMember.Protocol> protocols) {
        if (!EmbeddedConsumerProtocol.PROTOCOL_TYPE.equals(protocolType)) {
            return false;
        }
        if (members.isEmpty()) {
            return !protocols.isEmpty();
        }
        int classicMembers = numClassicMembers();
        for (ClassicGroupMember.Protocol p : protocols) {
            int supporting = 0;
            for (ConsumerGroupMember m : members.values()) {
                if (m.useClassicProtocol() && m.classic().protocols().stream().anyMatch(q -> q.name().equals(p.name()))) {
                    supporting++;
                }
            }
            if (supporting == classicMembers) {
                return true;
            }
        }
        return false;
    }

    /** Whether every member but {@code leaving} uses the classic protocol (Kafka's allMembersUseClassicProtocolExcept). */
    boolean allMembersUseClassicProtocolExcept(Set<ConsumerGroupMember> leaving) {
        int excludedClassic = 0;
        for (ConsumerGroupMember m : leaving) {
            if (m.useClassicProtocol()) {
                excludedClassic++;
            }
        }
        return numClassicMembers() - excludedClassic == members.size() - leaving.size();
    }

    /**
     * Whether a member in UNRELEASED_PARTITIONS still waits for a partition of its target that another member
     * owns; when it does not, a classic member must rejoin to collect the partitions now free.
     */
    boolean waitingOnUnreleasedPartition(ConsumerGroupMember member) {
        if (member.assignment.state() != ConsumerGroupRecord.MemberAssignment.UNRELEASED_PARTITIONS) {
            return false;
        }
        for (Map.Entry<UUID, Set<Integer>> e : targetOf(member.memberId).entrySet()) {
            for (int p : e.getValue()) {
                if (!Partitions.contains(member.assignment.assigned(), e.getKey(), p)
                        && ownerOf(e.getKey(), p, member.memberId) != null) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The tombstones that delete an empty consumer group, in Kafka's order (its offsets are not touched). */
    void tombstones(java.util.List<CoordinatorRecord> records) {
        for (String memberId : members.keySet()) {
            records.add(new ConsumerGroupRecord.CurrentAssignment(groupId, memberId, null));
        }
        for (String memberId : members.keySet()) {
            records.add(new ConsumerGroupRecord.TargetAssignmentMember(groupId, memberId, null));
        }
        records.add(new ConsumerGroupRecord.TargetAssignmentEpoch(groupId, null));
        for (String memberId : members.keySet()) {
            records.add(new ConsumerGroupRecord.MemberMetadata(groupId, memberId, null));
        }
        for (String regex : resolvedRegexes.keySet()) {
            records.add(new ConsumerGroupRecord.RegularExpression(groupId, regex, null));
        }
        records.add(new ConsumerGroupRecord.PartitionMetadataTombstone(groupId));
        records.add(new ConsumerGroupRecord.GroupEpoch(groupId, null));
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
        } else if (record instanceof ConsumerGroupRecord.RegularExpression r) {
            if (r.value() == null) {
                resolvedRegexes.remove(r.regex());
            } else {
                resolvedRegexes.put(r.regex(), r.value());
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
