package dev.runnel.server.group;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The records of a KIP-848 consumer group, one per Kafka record type; a null value is a tombstone. The group's
 * state is only ever changed by replaying these ({@link ConsumerGroup#replay}), at load and when an operation
 * writes them, so a restart rebuilds exactly what was served.
 */
public sealed interface ConsumerGroupRecord extends CoordinatorRecord {
    /** Partitions of topics by topic id; sets are sorted and immutable in records. */
    Map<UUID, Set<Integer>> NO_PARTITIONS = Map.of();

    /** {@code ConsumerGroupMetadata} (type 3): the group epoch and the hash of the subscribed topics' metadata. */
    record GroupEpoch(String group, GroupEpochValue value) implements ConsumerGroupRecord {
        @Override
        public boolean isTombstone() {
            return value == null;
        }
    }

    record GroupEpochValue(int epoch, long metadataHash) {
    }

    /** {@code ConsumerGroupMemberMetadata} (type 5): a member's subscription and identity. */
    record MemberMetadata(String group, String memberId, MemberSubscription value) implements ConsumerGroupRecord {
        @Override
        public boolean isTombstone() {
            return value == null;
        }
    }

    /**
     * What a member sent about itself; {@code subscribedTopicNames} never null. {@code classic} is set only for a
     * member that uses the classic protocol (JoinGroup) inside a consumer group (KIP-848 online migration).
     */
    record MemberSubscription(String instanceId, String rackId, String clientId, String clientHost,
                              List<String> subscribedTopicNames, String subscribedTopicRegex, int rebalanceTimeoutMs,
                              String serverAssignor, ClassicMemberMetadata classic) {
        public MemberSubscription {
            subscribedTopicNames = List.copyOf(subscribedTopicNames);
        }

        /** A member using the consumer protocol. */
        public MemberSubscription(String instanceId, String rackId, String clientId, String clientHost,
                                  List<String> subscribedTopicNames, String subscribedTopicRegex, int rebalanceTimeoutMs,
                                  String serverAssignor) {
            this(instanceId, rackId, clientId, clientHost, subscribedTopicNames, subscribedTopicRegex, rebalanceTimeoutMs,
                    serverAssignor, null);
        }
    }

    /**
     * The tagged {@code ClassicMemberMetadata} of a member metadata record: the session timeout and the protocols
     * (in preference order, with their embedded consumer protocol subscriptions) from the member's JoinGroup.
     */
    record ClassicMemberMetadata(int sessionTimeoutMs, List<ClassicGroupMember.Protocol> protocols) {
        public ClassicMemberMetadata {
            protocols = List.copyOf(protocols);
        }

        /** The first protocol: the one a classic member's JoinGroup and SyncGroup responses name. */
        public ClassicGroupMember.Protocol preferred() {
            return protocols.get(0);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof ClassicMemberMetadata other) || other.sessionTimeoutMs != sessionTimeoutMs
                    || other.protocols.size() != protocols.size()) {
                return false;
            }
            for (int i = 0; i < protocols.size(); i++) {
                ClassicGroupMember.Protocol a = protocols.get(i);
                ClassicGroupMember.Protocol b = other.protocols.get(i);
                if (!a.name().equals(b.name()) || !java.util.Arrays.equals(a.metadata(), b.metadata())) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int h = sessionTimeoutMs;
            for (ClassicGroupMember.Protocol p : protocols) {
                h = 31 * h + p.name().hashCode() + java.util.Arrays.hashCode(p.metadata());
            }
            return h;
        }
    }

    /**
     * A tombstone of {@code ConsumerGroupPartitionMetadata} (type 4), which Kafka before 4.1 wrote and 4.3 still
     * deletes with its group.
     */
    record PartitionMetadataTombstone(String group) implements ConsumerGroupRecord {
        @Override
        public boolean isTombstone() {
            return true;
        }
    }

    /** {@code ConsumerGroupTargetAssignmentMetadata} (type 6): the epoch of the target assignment; null deletes. */
    record TargetAssignmentEpoch(String group, Integer assignmentEpoch) implements ConsumerGroupRecord {
        @Override
        public boolean isTombstone() {
            return assignmentEpoch == null;
        }
    }

    /** {@code ConsumerGroupTargetAssignmentMember} (type 7): what the member should own at the target epoch. */
    record TargetAssignmentMember(String group, String memberId, Map<UUID, Set<Integer>> partitions)
            implements ConsumerGroupRecord {
        @Override
        public boolean isTombstone() {
            return partitions == null;
        }
    }

    /** {@code ConsumerGroupCurrentMemberAssignment} (type 8): the member's epoch, state and owned partitions. */
    record CurrentAssignment(String group, String memberId, MemberAssignment value) implements ConsumerGroupRecord {
        @Override
        public boolean isTombstone() {
            return value == null;
        }
    }

    /**
     * {@code ConsumerGroupRegularExpression} (type 16): what a subscribed regex matched when it was last resolved.
     * A null value deletes it (no member subscribes to the regex any more).
     */
    record RegularExpression(String group, String regex, ResolvedRegex value) implements ConsumerGroupRecord {
        @Override
        public boolean isTombstone() {
            return value == null;
        }
    }

    /**
     * The topics a regex matched (sorted), the topic metadata {@code version} it was resolved against (Kafka stores
     * its metadata image offset; we store {@link TopicLookup#version}) and when.
     */
    record ResolvedRegex(List<String> topics, long version, long timestamp) {
        public ResolvedRegex {
            topics = List.copyOf(new java.util.TreeSet<>(topics));
        }
    }

    /**
     * A member's reconciliation state: {@code assigned} it may own, {@code pendingRevocation} it still owns but must
     * give up before anyone else gets them. {@code state} uses Kafka's MemberState values. {@code epochs} holds,
     * for every partition of both sets, the member epoch at which it was assigned (Kafka's tagged
     * {@code AssignmentEpochs}, which lets an OffsetCommit with an older epoch through for partitions assigned
     * at or before it); partitions it does not list get {@code max(memberEpoch, 0)}, as Kafka reads old records.
     */
    record MemberAssignment(int memberEpoch, int previousMemberEpoch, byte state, Map<UUID, Set<Integer>> assigned,
                            Map<UUID, Set<Integer>> pendingRevocation, Map<UUID, Map<Integer, Integer>> epochs) {
        public static final byte STABLE = 0;
        public static final byte UNREVOKED_PARTITIONS = 1;
        public static final byte UNRELEASED_PARTITIONS = 2;
        public static final byte UNKNOWN = 127;

        public MemberAssignment {
            assigned = Partitions.copy(assigned);
            pendingRevocation = Partitions.copy(pendingRevocation);
            epochs = epochsOf(assigned, pendingRevocation, epochs, Math.max(memberEpoch, 0));
        }

        /** Every partition at the default epoch (a record without assignment epochs). */
        public MemberAssignment(int memberEpoch, int previousMemberEpoch, byte state, Map<UUID, Set<Integer>> assigned,
                                Map<UUID, Set<Integer>> pendingRevocation) {
            this(memberEpoch, previousMemberEpoch, state, assigned, pendingRevocation, Map.of());
        }

        /** The epoch at which the member got the partition, searching assigned then pending revocation; or null. */
        public Integer assignmentEpoch(UUID topic, int partition) {
            Map<Integer, Integer> e = epochs.get(topic);
            return e == null ? null : e.get(partition);
        }

        /** The same partitions, each at the epoch it was assigned, under another member epoch. */
        public MemberAssignment withMemberEpoch(int epoch, int previous) {
            return new MemberAssignment(epoch, previous, state, assigned, pendingRevocation, epochs);
        }

        private static Map<UUID, Map<Integer, Integer>> epochsOf(Map<UUID, Set<Integer>> assigned,
                                                                 Map<UUID, Set<Integer>> pending,
                                                                 Map<UUID, Map<Integer, Integer>> given, int fallback) {
            Map<UUID, Map<Integer, Integer>> out = new java.util.TreeMap<>();
            for (Map<UUID, Set<Integer>> set : List.of(assigned, pending)) {
                set.forEach((topic, partitions) -> {
                    Map<Integer, Integer> known = given.getOrDefault(topic, Map.of());
                    Map<Integer, Integer> e = out.computeIfAbsent(topic, t -> new java.util.TreeMap<>());
                    partitions.forEach(p -> e.put(p, known.getOrDefault(p, fallback)));
                });
            }
            out.replaceAll((t, e) -> Map.copyOf(e));
            return Map.copyOf(out);
        }
    }
}
