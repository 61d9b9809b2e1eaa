package dev.runnel.server.group;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;
import org.apache.kafka.coordinator.group.GroupCoordinatorRecordSerde;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupPartitionMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupRegularExpressionKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupRegularExpressionValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataValue;
import org.apache.kafka.server.common.ApiMessageAndVersion;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Our KIP-848 records are byte for byte what Kafka's generated record classes write, and read back alike. */
class ConsumerGroupRecordCodecTest {
    private static final long SEED = Long.getLong("seed", System.nanoTime());
    private final Random random = new Random(SEED);
    private final GroupCoordinatorRecordSerde kafka = new GroupCoordinatorRecordSerde();

    private String text(int max) {
        StringBuilder b = new StringBuilder();
        int n = 1 + random.nextInt(max);
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + random.nextInt(26)));
        }
        return b.toString();
    }

    private String maybe(int max) {
        return random.nextBoolean() ? null : text(max);
    }

    private Map<UUID, Set<Integer>> partitions() {
        Map<UUID, Set<Integer>> out = new TreeMap<>();
        int topics = random.nextInt(4);
        for (int i = 0; i < topics; i++) {
            Set<Integer> ps = new TreeSet<>();
            int n = 1 + random.nextInt(5);
            for (int j = 0; j < n; j++) {
                ps.add(random.nextInt(100));
            }
            out.put(new UUID(random.nextLong(), random.nextLong()), ps);
        }
        return Partitions.copy(out);
    }

    private static List<ConsumerGroupTargetAssignmentMemberValue.TopicPartition> targetTopics(Map<UUID, Set<Integer>> ps) {
        List<ConsumerGroupTargetAssignmentMemberValue.TopicPartition> out = new ArrayList<>();
        ps.forEach((t, p) -> out.add(new ConsumerGroupTargetAssignmentMemberValue.TopicPartition()
                .setTopicId(uuid(t)).setPartitions(new ArrayList<>(p))));
        return out;
    }

    private static List<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> currentTopics(
            Map<UUID, Set<Integer>> ps, Map<UUID, Map<Integer, Integer>> epochs) {
        List<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> out = new ArrayList<>();
        ps.forEach((t, p) -> out.add(new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions()
                .setTopicId(uuid(t)).setPartitions(new ArrayList<>(p))
                .setAssignmentEpochs(epochs == null ? null : p.stream().map(epochs.get(t)::get).toList())));
        return out;
    }

    private Map<UUID, Map<Integer, Integer>> epochs(Map<UUID, Set<Integer>> assigned, Map<UUID, Set<Integer>> pending) {
        Map<UUID, Map<Integer, Integer>> out = new TreeMap<>();
        for (Map<UUID, Set<Integer>> set : List.of(assigned, pending)) {
            set.forEach((t, ps) -> ps.forEach(p -> out.computeIfAbsent(t, k -> new TreeMap<>()).put(p, random.nextInt(1000))));
        }
        return out;
    }

    private static Uuid uuid(UUID u) {
        return new Uuid(u.getMostSignificantBits(), u.getLeastSignificantBits());
    }

    private void same(CoordinatorRecord theirs, ConsumerGroupRecord ours) {
        assertArrayEquals(kafka.serializeKey(theirs), CoordinatorRecordCodec.encodeKey(ours), "seed " + SEED);
        assertArrayEquals(kafka.serializeValue(theirs), CoordinatorRecordCodec.encodeValue(ours), "seed " + SEED);
        assertEquals(ours, CoordinatorRecordCodec.decode(kafka.serializeKey(theirs), kafka.serializeValue(theirs)), "seed " + SEED);
    }

    @Test
    void everyRecordTypeIsByteIdenticalToKafkasAndReadsBack() {
        for (int i = 0; i < 200; i++) {
            String group = text(10);
            String member = text(22);
            long hash = random.nextBoolean() ? 0 : random.nextLong();
            int epoch = random.nextInt(1000);
            same(CoordinatorRecord.record(new ConsumerGroupMetadataKey().setGroupId(group), new ApiMessageAndVersion(
                            new ConsumerGroupMetadataValue().setEpoch(epoch).setMetadataHash(hash), (short) 0)),
                    new ConsumerGroupRecord.GroupEpoch(group, new ConsumerGroupRecord.GroupEpochValue(epoch, hash)));

            List<String> topics = new ArrayList<>(new TreeSet<>(List.of(text(8), text(8))));
            var sub = new ConsumerGroupRecord.MemberSubscription(maybe(8), maybe(8), text(8), "/" + text(8), topics,
                    maybe(8), random.nextInt(100000), maybe(6));
            same(CoordinatorRecord.record(new ConsumerGroupMemberMetadataKey().setGroupId(group).setMemberId(member),
                            new ApiMessageAndVersion(new ConsumerGroupMemberMetadataValue().setInstanceId(sub.instanceId())
                                    .setRackId(sub.rackId()).setClientId(sub.clientId()).setClientHost(sub.clientHost())
                                    .setSubscribedTopicNames(topics).setSubscribedTopicRegex(sub.subscribedTopicRegex())
                                    .setRebalanceTimeoutMs(sub.rebalanceTimeoutMs()).setServerAssignor(sub.serverAssignor()),
                                    (short) 0)),
                    new ConsumerGroupRecord.MemberMetadata(group, member, sub));

            same(CoordinatorRecord.record(new ConsumerGroupTargetAssignmentMetadataKey().setGroupId(group),
                            new ApiMessageAndVersion(new ConsumerGroupTargetAssignmentMetadataValue().setAssignmentEpoch(epoch), (short) 0)),
                    new ConsumerGroupRecord.TargetAssignmentEpoch(group, epoch));

            Map<UUID, Set<Integer>> target = partitions();
            same(CoordinatorRecord.record(new ConsumerGroupTargetAssignmentMemberKey().setGroupId(group).setMemberId(member),
                            new ApiMessageAndVersion(new ConsumerGroupTargetAssignmentMemberValue()
                                    .setTopicPartitions(targetTopics(target)), (short) 0)),
                    new ConsumerGroupRecord.TargetAssignmentMember(group, member, target));

            Map<UUID, Set<Integer>> assigned = partitions();
            Map<UUID, Set<Integer>> pending = partitions();
            Map<UUID, Map<Integer, Integer>> epochs = epochs(assigned, pending);
            byte state = new byte[] {0, 1, 2, 127}[random.nextInt(4)];
            same(CoordinatorRecord.record(new ConsumerGroupCurrentMemberAssignmentKey().setGroupId(group).setMemberId(member),
                            new ApiMessageAndVersion(new ConsumerGroupCurrentMemberAssignmentValue().setMemberEpoch(epoch)
                                    .setPreviousMemberEpoch(epoch - 1).setState(state)
                                    .setAssignedPartitions(currentTopics(assigned, epochs))
                                    .setPartitionsPendingRevocation(currentTopics(pending, epochs)), (short) 0)),
                    new ConsumerGroupRecord.CurrentAssignment(group, member, new ConsumerGroupRecord.MemberAssignment(
                            epoch, epoch - 1, state, assigned, pending, epochs)));
        }
    }

    @Test
    void regularExpressionRecordsAreByteIdenticalToKafkas() {
        for (int i = 0; i < 50; i++) {
            String group = text(10);
            String regex = text(6) + ".*";
            List<String> topics = new ArrayList<>(new TreeSet<>(List.of(text(8), text(8), text(8))));
            long version = random.nextLong();
            long timestamp = random.nextLong();
            same(CoordinatorRecord.record(new ConsumerGroupRegularExpressionKey().setGroupId(group).setRegularExpression(regex),
                            new ApiMessageAndVersion(new ConsumerGroupRegularExpressionValue().setTopics(topics)
                                    .setVersion(version).setTimestamp(timestamp), (short) 0)),
                    new ConsumerGroupRecord.RegularExpression(group, regex,
                            new ConsumerGroupRecord.ResolvedRegex(topics, version, timestamp)));
        }
        var tombstone = new ConsumerGroupRecord.RegularExpression("g", "a.*", null);
        CoordinatorRecord read = kafka.deserialize(java.nio.ByteBuffer.wrap(CoordinatorRecordCodec.encodeKey(tombstone)), null);
        assertEquals(new ConsumerGroupRegularExpressionKey().setGroupId("g").setRegularExpression("a.*"), read.key());
        assertEquals(tombstone, CoordinatorRecordCodec.decode(CoordinatorRecordCodec.encodeKey(tombstone), null));
    }

    @Test
    void currentAssignmentWithoutEpochsReadsEveryPartitionAtTheMemberEpochAsKafkaDoes() {
        Map<UUID, Set<Integer>> assigned = Map.of(new UUID(1, 2), Set.of(0, 3));
        Map<UUID, Set<Integer>> pending = Map.of(new UUID(3, 4), Set.of(1));
        for (int memberEpoch : new int[] {7, -2}) {
            CoordinatorRecord old = CoordinatorRecord.record(new ConsumerGroupCurrentMemberAssignmentKey().setGroupId("g")
                    .setMemberId("m"), new ApiMessageAndVersion(new ConsumerGroupCurrentMemberAssignmentValue()
                    .setMemberEpoch(memberEpoch).setPreviousMemberEpoch(1).setState((byte) 1)
                    .setAssignedPartitions(currentTopics(assigned, null))
                    .setPartitionsPendingRevocation(currentTopics(pending, null)), (short) 0));
            var read = (ConsumerGroupRecord.CurrentAssignment) CoordinatorRecordCodec.decode(kafka.serializeKey(old),
                    kafka.serializeValue(old));
            int expected = Math.max(memberEpoch, 0);
            assertEquals(expected, read.value().assignmentEpoch(new UUID(1, 2), 3));
            assertEquals(expected, read.value().assignmentEpoch(new UUID(3, 4), 1));
            assertNull(read.value().assignmentEpoch(new UUID(3, 4), 0));
        }
    }

    @Test
    void tombstonesAreReadByKafkaAsTheirKeys() {
        var tombstone = new ConsumerGroupRecord.CurrentAssignment("g", "m", null);
        assertNull(CoordinatorRecordCodec.encodeValue(tombstone));
        CoordinatorRecord read = kafka.deserialize(java.nio.ByteBuffer.wrap(CoordinatorRecordCodec.encodeKey(tombstone)), null);
        assertEquals(new ConsumerGroupCurrentMemberAssignmentKey().setGroupId("g").setMemberId("m"), read.key());
        assertEquals(tombstone, CoordinatorRecordCodec.decode(CoordinatorRecordCodec.encodeKey(tombstone), null));
    }

    @Test
    void classicMemberMetadataIsByteIdenticalToKafkasAndReadsBack() {
        for (int i = 0; i < 100; i++) {
            String group = text(10);
            String member = text(22);
            List<ClassicGroupMember.Protocol> protocols = new ArrayList<>();
            List<ConsumerGroupMemberMetadataValue.ClassicProtocol> theirProtocols = new ArrayList<>();
            int n = 1 + random.nextInt(3);
            for (int j = 0; j < n; j++) {
                byte[] metadata = new byte[random.nextInt(40)];
                random.nextBytes(metadata);
                String name = text(8);
                protocols.add(new ClassicGroupMember.Protocol(name, metadata));
                theirProtocols.add(new ConsumerGroupMemberMetadataValue.ClassicProtocol().setName(name).setMetadata(metadata));
            }
            int sessionTimeout = random.nextInt(100000);
            List<String> topics = new ArrayList<>(new TreeSet<>(List.of(text(8), text(8))));
            var sub = new ConsumerGroupRecord.MemberSubscription(maybe(8), maybe(8), text(8), "/" + text(8), topics,
                    null, random.nextInt(100000), null, new ConsumerGroupRecord.ClassicMemberMetadata(sessionTimeout, protocols));
            same(CoordinatorRecord.record(new ConsumerGroupMemberMetadataKey().setGroupId(group).setMemberId(member),
                            new ApiMessageAndVersion(new ConsumerGroupMemberMetadataValue().setInstanceId(sub.instanceId())
                                    .setRackId(sub.rackId()).setClientId(sub.clientId()).setClientHost(sub.clientHost())
                                    .setSubscribedTopicNames(topics).setSubscribedTopicRegex(null)
                                    .setRebalanceTimeoutMs(sub.rebalanceTimeoutMs()).setServerAssignor(null)
                                    .setClassicMemberMetadata(new ConsumerGroupMemberMetadataValue.ClassicMemberMetadata()
                                            .setSessionTimeoutMs(sessionTimeout).setSupportedProtocols(theirProtocols)),
                                    (short) 0)),
                    new ConsumerGroupRecord.MemberMetadata(group, member, sub));
        }
    }

    @Test
    void partitionMetadataTombstoneIsKafkasType4Key() {
        var tombstone = new ConsumerGroupRecord.PartitionMetadataTombstone("g");
        assertNull(CoordinatorRecordCodec.encodeValue(tombstone));
        CoordinatorRecord read = kafka.deserialize(java.nio.ByteBuffer.wrap(CoordinatorRecordCodec.encodeKey(tombstone)), null);
        assertEquals(new ConsumerGroupPartitionMetadataKey().setGroupId("g"), read.key());
        assertEquals(tombstone, CoordinatorRecordCodec.decode(CoordinatorRecordCodec.encodeKey(tombstone), null));
    }
}
