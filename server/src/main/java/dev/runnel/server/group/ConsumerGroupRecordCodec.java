package dev.runnel.server.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Kafka's {@code __consumer_offsets} records of KIP-848 consumer groups. Keys are the int16 type then
 * non-flexible fields; every value is version 0, flexible (compact strings and arrays as unsigned varint length
 * plus one, a tagged-field section after each struct).
 *
 * <pre>
 * type 3 ConsumerGroupMetadataKey          group        value: epoch int32, tag 0 = metadata_hash int64
 * type 4 ConsumerGroupPartitionMetadataKey group        (values read and ignored: Kafka 4.1+ writes only
 *                                          its tombstone, when a group is deleted)
 * type 5 ConsumerGroupMemberMetadataKey    group, member value: instance_id?, rack_id?, client_id, client_host,
 *                                          [subscribed_topic_names], subscribed_topic_regex?, rebalance_timeout
 *                                          int32, server_assignor?, tag 0 classic member metadata: int8 1 (not
 *                                          null), session_timeout int32, [name, metadata bytes], tagged fields
 * type 6 ConsumerGroupTargetAssignmentMetadataKey group value: assignment_epoch int32 (tag 0 timestamp: skipped)
 * type 7 ConsumerGroupTargetAssignmentMemberKey group, member value: [topic_id uuid, [partitions int32]]
 * type 8 ConsumerGroupCurrentMemberAssignmentKey group, member value: member_epoch int32, previous_member_epoch
 *                                          int32, state int8, assigned [topic_id, [partitions], tag 0
 *                                          assignment_epochs [int32] one per partition], pending_revocation [same]
 * type 16 ConsumerGroupRegularExpressionKey group, regex value: [topics], version int64, timestamp int64
 * </pre>
 * Stateless and thread-safe.
 */
final class ConsumerGroupRecordCodec {
    static final short METADATA = 3;
    static final short PARTITION_METADATA = 4;
    static final short MEMBER_METADATA = 5;
    static final short TARGET_ASSIGNMENT_METADATA = 6;
    static final short TARGET_ASSIGNMENT_MEMBER = 7;
    static final short CURRENT_MEMBER_ASSIGNMENT = 8;
    static final short REGULAR_EXPRESSION = 16;

    private ConsumerGroupRecordCodec() {
    }

    static byte[] encodeKey(ConsumerGroupRecord record) {
        RecordWriter w = new RecordWriter();
        if (record instanceof ConsumerGroupRecord.GroupEpoch r) {
            w.int16(METADATA).string(r.group(), false);
        } else if (record instanceof ConsumerGroupRecord.MemberMetadata r) {
            w.int16(MEMBER_METADATA).string(r.group(), false).string(r.memberId(), false);
        } else if (record instanceof ConsumerGroupRecord.TargetAssignmentEpoch r) {
            w.int16(TARGET_ASSIGNMENT_METADATA).string(r.group(), false);
        } else if (record instanceof ConsumerGroupRecord.TargetAssignmentMember r) {
            w.int16(TARGET_ASSIGNMENT_MEMBER).string(r.group(), false).string(r.memberId(), false);
        } else if (record instanceof ConsumerGroupRecord.CurrentAssignment r) {
            w.int16(CURRENT_MEMBER_ASSIGNMENT).string(r.group(), false).string(r.memberId(), false);
        } else if (record instanceof ConsumerGroupRecord.RegularExpression r) {
            w.int16(REGULAR_EXPRESSION).string(r.group(), false).string(r.regex(), false);
        } else if (record instanceof ConsumerGroupRecord.PartitionMetadataTombstone r) {
            w.int16(PARTITION_METADATA).string(r.group(), false);
        }
        return w.toBytes();
    }

    /** The value bytes, or null for a tombstone. */
    static byte[] encodeValue(ConsumerGroupRecord record) {
        if (record.isTombstone()) {
            return null;
        }
        RecordWriter w = new RecordWriter().int16(0);
        if (record instanceof ConsumerGroupRecord.GroupEpoch r) {
            w.int32(r.value().epoch());
            if (r.value().metadataHash() == 0) {
                w.uvarint(0);
            } else {
                w.uvarint(1).uvarint(0).uvarint(8).int64(r.value().metadataHash());
            }
            return w.toBytes();
        } else if (record instanceof ConsumerGroupRecord.MemberMetadata r) {
            ConsumerGroupRecord.MemberSubscription s = r.value();
            w.string(s.instanceId(), true).string(s.rackId(), true).string(s.clientId(), true)
                    .string(s.clientHost(), true).uvarint(s.subscribedTopicNames().size() + 1);
            s.subscribedTopicNames().forEach(t -> w.string(t, true));
            w.string(s.subscribedTopicRegex(), true).int32(s.rebalanceTimeoutMs()).string(s.serverAssignor(), true);
            if (s.classic() != null) {
                byte[] classic = classicMetadata(s.classic());
                w.uvarint(1).uvarint(0).uvarint(classic.length).bytes(classic);
                return w.toBytes();
            }
        } else if (record instanceof ConsumerGroupRecord.TargetAssignmentEpoch r) {
            w.int32(r.assignmentEpoch());
        } else if (record instanceof ConsumerGroupRecord.TargetAssignmentMember r) {
            writePartitions(w, r.partitions());
        } else if (record instanceof ConsumerGroupRecord.CurrentAssignment r) {
            ConsumerGroupRecord.MemberAssignment a = r.value();
            w.int32(a.memberEpoch()).int32(a.previousMemberEpoch()).int8(a.state());
            writePartitions(w, a.assigned(), a.epochs());
            writePartitions(w, a.pendingRevocation(), a.epochs());
        } else if (record instanceof ConsumerGroupRecord.RegularExpression r) {
            w.uvarint(r.value().topics().size() + 1);
            r.value().topics().forEach(t -> w.string(t, true));
            w.int64(r.value().version()).int64(r.value().timestamp());
        }
        return w.uvarint(0).toBytes();
    }

    /** The tagged, nullable ClassicMemberMetadata struct: 1 (present), then its fields. */
    private static byte[] classicMetadata(ConsumerGroupRecord.ClassicMemberMetadata c) {
        RecordWriter w = new RecordWriter().int8(1).int32(c.sessionTimeoutMs()).uvarint(c.protocols().size() + 1);
        for (ClassicGroupMember.Protocol p : c.protocols()) {
            w.string(p.name(), true).uvarint(p.metadata().length + 1).bytes(p.metadata()).uvarint(0);
        }
        return w.uvarint(0).toBytes();
    }

    private static ConsumerGroupRecord.ClassicMemberMetadata readClassicMetadata(ByteBuffer b) {
        if (b.get() < 0) {
            return null;
        }
        int sessionTimeout = b.getInt();
        int count = RecordReader.length(b);
        List<ClassicGroupMember.Protocol> protocols = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = RecordReader.string(b, true);
            byte[] metadata = RecordReader.bytes(b, true);
            RecordReader.skipTaggedFields(b);
            protocols.add(new ClassicGroupMember.Protocol(name, metadata));
        }
        RecordReader.skipTaggedFields(b);
        return new ConsumerGroupRecord.ClassicMemberMetadata(sessionTimeout, protocols);
    }

    private static void writePartitions(RecordWriter w, Map<UUID, Set<Integer>> partitions) {
        writePartitions(w, partitions, null);
    }

    /** With {@code epochs}, each topic carries tag 0: the assignment epoch of each partition, in the same order. */
    private static void writePartitions(RecordWriter w, Map<UUID, Set<Integer>> partitions,
                                        Map<UUID, Map<Integer, Integer>> epochs) {
        w.uvarint(partitions.size() + 1);
        partitions.forEach((topic, ps) -> {
            w.uuid(topic).uvarint(ps.size() + 1);
            ps.forEach(w::int32);
            if (epochs == null) {
                w.uvarint(0);
            } else {
                Map<Integer, Integer> e = epochs.get(topic);
                RecordWriter array = new RecordWriter().uvarint(ps.size() + 1);
                ps.forEach(p -> array.int32(e.get(p)));
                byte[] bytes = array.toBytes();
                w.uvarint(1).uvarint(0).uvarint(bytes.length).bytes(bytes);
            }
        });
    }

    /** Decodes a record of types 3-8 and 16 (null for a type 4 value, which is not kept). */
    static ConsumerGroupRecord decode(short type, ByteBuffer key, ByteBuffer value) {
        String group = RecordReader.string(key, false);
        switch (type) {
            case METADATA -> {
                if (value == null) {
                    return new ConsumerGroupRecord.GroupEpoch(group, null);
                }
                checkVersion(value);
                int epoch = value.getInt();
                long[] hash = {0};
                RecordReader.taggedFields(value, (tag, b) -> {
                    if (tag == 0) {
                        hash[0] = b.getLong();
                    }
                });
                return new ConsumerGroupRecord.GroupEpoch(group, new ConsumerGroupRecord.GroupEpochValue(epoch, hash[0]));
            }
            case MEMBER_METADATA -> {
                String member = RecordReader.string(key, false);
                if (value == null) {
                    return new ConsumerGroupRecord.MemberMetadata(group, member, null);
                }
                checkVersion(value);
                String instanceId = RecordReader.string(value, true);
                String rackId = RecordReader.string(value, true);
                String clientId = RecordReader.string(value, true);
                String clientHost = RecordReader.string(value, true);
                int count = RecordReader.length(value);
                List<String> topics = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    topics.add(RecordReader.string(value, true));
                }
                String regex = RecordReader.string(value, true);
                int rebalanceTimeout = value.getInt();
                String assignor = RecordReader.string(value, true);
                ConsumerGroupRecord.ClassicMemberMetadata[] classic = {null};
                RecordReader.taggedFields(value, (tag, b) -> {
                    if (tag == 0) {
                        classic[0] = readClassicMetadata(b);
                    }
                });
                return new ConsumerGroupRecord.MemberMetadata(group, member, new ConsumerGroupRecord.MemberSubscription(
                        instanceId, rackId, clientId, clientHost, topics, regex, rebalanceTimeout, assignor, classic[0]));
            }
            case TARGET_ASSIGNMENT_METADATA -> {
                if (value == null) {
                    return new ConsumerGroupRecord.TargetAssignmentEpoch(group, null);
                }
                checkVersion(value);
                return new ConsumerGroupRecord.TargetAssignmentEpoch(group, value.getInt());
            }
            case TARGET_ASSIGNMENT_MEMBER -> {
                String member = RecordReader.string(key, false);
                if (value == null) {
                    return new ConsumerGroupRecord.TargetAssignmentMember(group, member, null);
                }
                checkVersion(value);
                return new ConsumerGroupRecord.TargetAssignmentMember(group, member, readPartitions(value));
            }
            case CURRENT_MEMBER_ASSIGNMENT -> {
                String member = RecordReader.string(key, false);
                if (value == null) {
                    return new ConsumerGroupRecord.CurrentAssignment(group, member, null);
                }
                checkVersion(value);
                int epoch = value.getInt();
                int previous = value.getInt();
                byte state = value.get();
                Map<UUID, Map<Integer, Integer>> epochs = new TreeMap<>();
                Map<UUID, Set<Integer>> assigned = readPartitions(value, epochs);
                Map<UUID, Set<Integer>> pending = readPartitions(value, epochs);
                return new ConsumerGroupRecord.CurrentAssignment(group, member,
                        new ConsumerGroupRecord.MemberAssignment(epoch, previous, state, assigned, pending, epochs));
            }
            case REGULAR_EXPRESSION -> {
                String regex = RecordReader.string(key, false);
                if (value == null) {
                    return new ConsumerGroupRecord.RegularExpression(group, regex, null);
                }
                checkVersion(value);
                int count = RecordReader.length(value);
                List<String> topics = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    topics.add(RecordReader.string(value, true));
                }
                long version = value.getLong();
                long timestamp = value.getLong();
                RecordReader.skipTaggedFields(value);
                return new ConsumerGroupRecord.RegularExpression(group, regex,
                        new ConsumerGroupRecord.ResolvedRegex(topics, version, timestamp));
            }
            case PARTITION_METADATA -> {
                return value == null ? new ConsumerGroupRecord.PartitionMetadataTombstone(group) : null;
            }
            default -> {
                return null;
            }
        }
    }

    private static void checkVersion(ByteBuffer value) {
        short version = value.getShort();
        if (version != 0) {
            throw new IllegalArgumentException("unknown consumer group record value version " + version);
        }
    }

    private static Map<UUID, Set<Integer>> readPartitions(ByteBuffer b) {
        return readPartitions(b, new TreeMap<>());
    }

    /**
     * Reads topic partitions; assignment epochs (tag 0) go to {@code epochs}. Like Kafka, epochs whose count does
     * not match the partitions are ignored (the partitions then get the default epoch).
     */
    private static Map<UUID, Set<Integer>> readPartitions(ByteBuffer b, Map<UUID, Map<Integer, Integer>> epochs) {
        int topics = RecordReader.length(b);
        Map<UUID, Set<Integer>> out = new TreeMap<>();
        for (int i = 0; i < topics; i++) {
            UUID topic = new UUID(b.getLong(), b.getLong());
            int count = RecordReader.length(b);
            List<Integer> ps = new ArrayList<>(count);
            for (int j = 0; j < count; j++) {
                ps.add(b.getInt());
            }
            RecordReader.taggedFields(b, (tag, buf) -> {
                int n = tag == 0 ? RecordReader.uvarint(buf) - 1 : -1;
                if (n == ps.size()) {
                    Map<Integer, Integer> e = epochs.computeIfAbsent(topic, t -> new TreeMap<>());
                    for (int p : ps) {
                        e.put(p, buf.getInt());
                    }
                }
            });
            out.put(topic, new TreeSet<>(ps));
        }
        return Partitions.copy(out);
    }
}
