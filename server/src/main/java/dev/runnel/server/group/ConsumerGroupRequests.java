package dev.runnel.server.group;

import dev.runnel.wire.message.ConsumerGroupDescribeResponse;
import dev.runnel.wire.message.ConsumerGroupHeartbeatRequest;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Request checks done before a consumer group request reaches its partition (Kafka's
 * {@code throwIfConsumerGroupHeartbeatRequestIsInvalid}), and ConsumerGroupDescribe answers. Stateless apart from
 * the shard it reads on its lane.
 */
final class ConsumerGroupRequests {
    /** From ConsumerGroupHeartbeat v1 the client generates its member id (KIP-1082). */
    static final short CONSUMER_GENERATED_MEMBER_ID_VERSION = 1;

    private ConsumerGroupRequests() {
    }

    /** Throws INVALID_REQUEST, UNSUPPORTED_ASSIGNOR or INVALID_REGULAR_EXPRESSION for a malformed heartbeat. */
    static void validate(ConsumerGroupHeartbeatRequest r, short version, ConsumerGroupConfig config) {
        if (version >= CONSUMER_GENERATED_MEMBER_ID_VERSION || r.memberEpoch() > 0
                || r.memberEpoch() == ConsumerGroupHeartbeats.LEAVE_EPOCH) {
            requireNonEmpty(r.memberId(), "MemberId can't be empty.");
        }
        requireNonEmpty(r.groupId(), "GroupId can't be empty.");
        notEmpty(r.instanceId(), "InstanceId can't be empty.");
        notEmpty(r.rackId(), "RackId can't be empty.");
        if (r.memberEpoch() == 0) {
            if (r.rebalanceTimeoutMs() == -1) {
                throw invalid("RebalanceTimeoutMs must be provided in first request.");
            }
            if (r.topicPartitions() == null || !r.topicPartitions().isEmpty()) {
                throw invalid("TopicPartitions must be empty when (re-)joining.");
            }
            if (r.subscribedTopicNames() == null && r.subscribedTopicRegex() == null) {
                throw invalid("Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.");
            }
        } else if (r.memberEpoch() == ConsumerGroupHeartbeats.STATIC_LEAVE_EPOCH) {
            if (r.instanceId() == null) {
                throw invalid("InstanceId can't be null.");
            }
        } else if (r.memberEpoch() < ConsumerGroupHeartbeats.STATIC_LEAVE_EPOCH) {
            throw invalid("MemberEpoch is invalid.");
        }
        if (r.subscribedTopicRegex() != null && !r.subscribedTopicRegex().isEmpty()
                && !ConsumerGroupTopics.isValidRegex(r.subscribedTopicRegex())) {
            throw new GroupException(Errors.INVALID_REGULAR_EXPRESSION, "SubscribedTopicRegex `"
                    + r.subscribedTopicRegex() + "` is not a valid regular expression.");
        }
        if (r.serverAssignor() != null && !config.assignors().contains(r.serverAssignor())) {
            throw new GroupException(Errors.UNSUPPORTED_ASSIGNOR, "ServerAssignor " + r.serverAssignor()
                    + " is not supported. Supported assignors: " + String.join(", ", config.assignors()) + ".");
        }
    }

    private static void requireNonEmpty(String value, String message) {
        if (value == null || value.isEmpty()) {
            throw invalid(message);
        }
    }

    private static void notEmpty(String value, String message) {
        if (value != null && value.isEmpty()) {
            throw invalid(message);
        }
    }

    private static GroupException invalid(String message) {
        return new GroupException(Errors.INVALID_REQUEST, message);
    }

    /** One group of a ConsumerGroupDescribe response, GROUP_ID_NOT_FOUND when it is not a consumer group here. */
    static ConsumerGroupDescribeResponse.DescribedGroup describe(CoordinatorShard shard, String groupId) {
        ConsumerGroup g = shard.consumerGroups.get(groupId);
        if (g == null) {
            String message = shard.group(groupId) != null ? "Group " + groupId + " is not a consumer group."
                    : "Group " + groupId + " not found.";
            return new ConsumerGroupDescribeResponse.DescribedGroup().setGroupId(groupId)
                    .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage(message);
        }
        Map<UUID, String> names = new HashMap<>();
        shard.topics.topics().forEach(t -> names.put(t.topicId(), t.name()));
        ConsumerGroupDescribeResponse.DescribedGroup out = new ConsumerGroupDescribeResponse.DescribedGroup()
                .setGroupId(groupId).setGroupState(g.state().kafkaName).setGroupEpoch(g.groupEpoch)
                .setAssignmentEpoch(g.targetAssignmentEpoch).setAssignorName(shard.consumerHeartbeats.assignorName(g));
        for (ConsumerGroupMember m : g.members.values()) {
            ConsumerGroupRecord.MemberSubscription s = m.subscription;
            out.members().add(new ConsumerGroupDescribeResponse.Member().setMemberId(m.memberId)
                    .setInstanceId(m.instanceId()).setRackId(s == null ? null : s.rackId())
                    .setMemberEpoch(m.memberEpoch()).setClientId(s == null ? "" : s.clientId())
                    .setClientHost(s == null ? "" : s.clientHost())
                    .setSubscribedTopicNames(s == null ? new ArrayList<>() : new ArrayList<>(s.subscribedTopicNames()))
                    .setSubscribedTopicRegex(s == null ? null : s.subscribedTopicRegex())
                    .setAssignment(assignment(m.assignment.assigned(), names))
                    .setTargetAssignment(assignment(g.targetOf(m.memberId), names))
                    // 0 = a classic member (KIP-848 migration), 1 = a consumer protocol member
                    .setMemberType(m.useClassicProtocol() ? (byte) 0 : (byte) 1));
        }
        return out;
    }

    private static ConsumerGroupDescribeResponse.Assignment assignment(Map<UUID, Set<Integer>> partitions,
                                                                        Map<UUID, String> names) {
        List<ConsumerGroupDescribeResponse.TopicPartitions> topics = new ArrayList<>();
        partitions.forEach((id, ps) -> topics.add(new ConsumerGroupDescribeResponse.TopicPartitions().setTopicId(id)
                .setTopicName(names.getOrDefault(id, "")).setPartitions(new ArrayList<>(ps))));
        return new ConsumerGroupDescribeResponse.Assignment().setTopicPartitions(topics);
    }
}
