package dev.runnel.server.group;

import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.protocol.Errors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * KIP-848 online migration between the two group types, as Kafka 4.3's {@code GroupMetadataManager} does it,
 * governed by {@code group.consumer.migration.policy}:
 * <ul>
 * <li>upgrade ({@code validateOnlineUpgrade}, {@code convertToConsumerGroup}, {@code ConsumerGroup.fromClassicGroup}):
 * a consumer-protocol member joining a classic group with members turns it into a consumer group whose members
 * keep their generation as member epoch and their last assignment as target and current assignment;</li>
 * <li>downgrade ({@code validateOnlineDowngradeWithFencedMembers}, {@code convertToClassicGroup},
 * {@code ClassicGroup.fromConsumerGroup}): when the last consumer-protocol member leaves a consumer group whose
 * other members use the classic protocol, it becomes a Stable classic group at the group epoch, each member
 * holding its target assignment, and a rebalance starts.</li>
 * </ul>
 * Both write the old group's tombstones and the new group's records in one batch. Runs on the partition lane.
 */
final class GroupConversions {
    private static final Logger LOG = LogManager.getLogger(GroupConversions.class);

    private final CoordinatorShard shard;

    GroupConversions(CoordinatorShard shard) {
        this.shard = shard;
    }

    // ---- upgrade

    /**
     * Converts a classic group with members into a consumer group: adds the records (the classic group's
     * tombstone, then the consumer group) and returns the consumer group they describe, not yet registered (the
     * records register it when they replay). Throws GROUP_ID_NOT_FOUND when the group may not be upgraded.
     */
    ConsumerGroup upgrade(ClassicGroup classic, List<CoordinatorRecord> records) {
        String groupId = classic.groupId();
        if (!shard.consumerConfig.migrationPolicy().isUpgradeEnabled()) {
            throw cannotUpgrade(groupId, "online upgrade is disabled");
        }
        if (!classic.usesConsumerProtocol()) {
            throw cannotUpgrade(groupId, "the group does not use the consumer embedded protocol");
        }
        if (classic.numMembers() > shard.consumerConfig.maxSize()) {
            throw cannotUpgrade(groupId, "the group size exceeds the consumer group maximum size");
        }
        int generation = classic.generationId();
        Map<String, ConsumerGroupRecord.MemberSubscription> subscriptions = new TreeMap<>();
        Map<String, Map<UUID, Set<Integer>>> assignments = new HashMap<>();
        for (ClassicGroupMember m : classic.allMembers()) {
            assignments.put(m.memberId(), assignmentOf(groupId, m));
            subscriptions.put(m.memberId(), subscriptionOf(groupId, classic, m));
        }
        Map<String, TopicMetadata> topics = ConsumerGroupTopics.subscribedTopics(shard.topics, Map.of(),
                subscriptions.values());
        // Kafka's createConsumerGroupRecords order
        List<ConsumerGroupRecord> created = new ArrayList<>();
        subscriptions.forEach((id, s) -> created.add(new ConsumerGroupRecord.MemberMetadata(groupId, id, s)));
        created.add(new ConsumerGroupRecord.GroupEpoch(groupId,
                new ConsumerGroupRecord.GroupEpochValue(generation, ConsumerGroupTopics.hash(topics))));
        subscriptions.keySet().forEach(id -> created.add(
                new ConsumerGroupRecord.TargetAssignmentMember(groupId, id, assignments.get(id))));
        created.add(new ConsumerGroupRecord.TargetAssignmentEpoch(groupId, generation));
        subscriptions.keySet().forEach(id -> created.add(new ConsumerGroupRecord.CurrentAssignment(groupId, id,
                new ConsumerGroupRecord.MemberAssignment(generation, generation,
                        ConsumerGroupRecord.MemberAssignment.STABLE, assignments.get(id), Map.of()))));

        // the members parked in a rebalance rejoin; the new consumer-protocol member bumps the epoch anyway
        classic.failAllParked(Errors.REBALANCE_IN_PROGRESS);
        shard.rebalancer.cancelTimers(classic);
        records.add(new CoordinatorRecord.GroupMetadata(groupId, null));
        records.addAll(created);
        ConsumerGroup group = new ConsumerGroup(groupId);
        created.forEach(group::replay);
        subscriptions.forEach((id, s) -> shard.consumerHeartbeats.scheduleSession(groupId, id, s.classic().sessionTimeoutMs()));
        LOG.info("Converted classic group {} with {} members to a consumer group", groupId, subscriptions.size());
        return group;
    }

    private Map<UUID, Set<Integer>> assignmentOf(String groupId, ClassicGroupMember m) {
        if (m.assignment().length == 0) {
            return Map.of(); // joined but never synced
        }
        EmbeddedConsumerProtocol.Assignment a;
        try {
            a = EmbeddedConsumerProtocol.assignment(m.assignment());
        } catch (IllegalArgumentException e) {
            throw cannotUpgrade(groupId, "the embedded consumer protocol is malformed");
        }
        if (a.hasUserData()) {
            throw new GroupException(Errors.GROUP_ID_NOT_FOUND, "Cannot upgrade classic group " + groupId
                    + " to consumer group because an unsupported custom assignor is in use. Please refer to the "
                    + "documentation or switch to a default assignor before re-attempting the upgrade.");
        }
        return EmbeddedConsumerProtocol.byTopicId(shard.topics, a.partitions());
    }

    private ConsumerGroupRecord.MemberSubscription subscriptionOf(String groupId, ClassicGroup classic,
                                                                  ClassicGroupMember m) {
        // a group still in its first join phase has no protocol yet: the member's first choice stands in
        byte[] metadata = classic.protocolName() != null ? m.metadata(classic.protocolName()) : m.protocols().get(0).metadata();
        EmbeddedConsumerProtocol.Subscription s;
        try {
            s = EmbeddedConsumerProtocol.subscription(metadata);
        } catch (IllegalArgumentException e) {
            throw cannotUpgrade(groupId, "the embedded consumer protocol is malformed");
        }
        return new ConsumerGroupRecord.MemberSubscription(m.groupInstanceId(), s.rackId(), m.clientId(), m.clientHost(),
                new ArrayList<>(new TreeSet<>(s.topics())), null, m.rebalanceTimeoutMs(), null,
                new ConsumerGroupRecord.ClassicMemberMetadata(m.sessionTimeoutMs(), m.protocols()));
    }

    private static GroupException cannotUpgrade(String groupId, String reason) {
        return new GroupException(Errors.GROUP_ID_NOT_FOUND, "Cannot upgrade classic group " + groupId
                + " to consumer group because " + reason + ".");
    }

    // ---- downgrade

    /** Whether fencing {@code leaving} turns the group back into a classic group (Kafka's validation, in order). */
    boolean canDowngrade(ConsumerGroup group, Set<ConsumerGroupMember> leaving) {
        int remaining = group.members.size() - leaving.size();
        if (!group.allMembersUseClassicProtocolExcept(leaving) || remaining <= 0) {
            return false;
        }
        if (!shard.consumerConfig.migrationPolicy().isDowngradeEnabled()) {
            LOG.info("Cannot downgrade consumer group {} to classic group because the online downgrade is disabled.",
                    group.groupId);
            return false;
        }
        if (remaining > shard.config.maxGroupSize()) {
            LOG.info("Cannot downgrade consumer group {} to classic group because its group size is greater than "
                    + "classic group max size.", group.groupId);
            return false;
        }
        return true;
    }

    /**
     * Replaces the consumer group by a classic group of its remaining members and starts a rebalance. Changes the
     * state at once (the records do not replay); the caller reloads the partition if their append fails.
     */
    void downgrade(ConsumerGroup group, Set<ConsumerGroupMember> leaving, List<CoordinatorRecord> records) {
        String groupId = group.groupId;
        List<ClassicGroupMember> members = new ArrayList<>();
        for (ConsumerGroupMember m : group.members.values()) {
            if (!leaving.contains(m)) {
                ConsumerGroupRecord.MemberSubscription s = m.subscription;
                members.add(new ClassicGroupMember(m.memberId, m.instanceId(), s.clientId(), s.clientHost(),
                        m.rebalanceTimeoutMs(), m.classic().sessionTimeoutMs(), EmbeddedConsumerProtocol.PROTOCOL_TYPE,
                        m.classic().protocols()));
            }
        }
        ClassicGroup classic = ClassicGroup.converted(groupId, shard.clock, group.groupEpoch, members);
        Map<String, byte[]> assignments = new HashMap<>();
        for (ClassicGroupMember m : members) {
            short version;
            try {
                version = EmbeddedConsumerProtocol.version(m.metadata(classic.protocolName()));
            } catch (RuntimeException e) {
                throw new GroupException(Errors.GROUP_ID_NOT_FOUND, "Cannot downgrade the classic group " + groupId
                        + ": " + e.getMessage() + ".");
            }
            byte[] assignment = EmbeddedConsumerProtocol.assignmentBytes(shard.topics, group.targetOf(m.memberId()), version);
            m.setAssignment(assignment);
            assignments.put(m.memberId(), assignment);
        }
        group.tombstones(records);
        records.add(new CoordinatorRecord.GroupMetadata(groupId, classic.toStored(assignments)));

        group.members.keySet().forEach(id -> shard.consumerHeartbeats.cancelTimers(groupId, id));
        shard.consumerGroups.remove(groupId);
        shard.groups.put(groupId, classic);
        for (ClassicGroupMember m : classic.allMembers()) {
            shard.rebalancer.scheduleHeartbeat(classic, m);
        }
        // no member waits in JoinGroup, so this only starts the join phase and its deadline
        shard.rebalancer.prepareRebalance(classic, "Downgrade group " + groupId + " from consumer to classic for member leaving.");
        LOG.info("Converted consumer group {} to a classic group with {} members", groupId, members.size());
    }
}
