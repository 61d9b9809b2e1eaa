package dev.runnel.server.group;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;
import org.apache.kafka.coordinator.group.GroupCoordinatorRecordSerde;
import org.apache.kafka.coordinator.group.generated.ShareGroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.ShareGroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.GroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.LegacyOffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.LegacyOffsetCommitValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;
import org.apache.kafka.server.common.ApiMessageAndVersion;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Our __consumer_offsets records against Kafka's own serde and generated record classes, both directions. */
class CoordinatorRecordCodecTest {
    private static final long SEED = Long.getLong("seed", System.nanoTime());
    private final Random random = new Random(SEED);
    private final GroupCoordinatorRecordSerde kafka = new GroupCoordinatorRecordSerde();

    private String text(int max) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            sb.append(random.nextInt(8) == 0 ? 'é' : (char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    private byte[] bytes(int max) {
        byte[] b = new byte[random.nextInt(max + 1)];
        random.nextBytes(b);
        return b;
    }

    private OffsetAndMetadata randomOffset(boolean expire, boolean topicId) {
        return new OffsetAndMetadata(random.nextLong() & Long.MAX_VALUE, random.nextInt(100) - 1, text(20),
                random.nextLong() & Long.MAX_VALUE, expire ? random.nextLong() & Long.MAX_VALUE : -1,
                topicId ? new UUID(random.nextLong(), random.nextLong()) : OffsetAndMetadata.NO_TOPIC_ID);
    }

    private StoredGroup randomGroup() {
        List<StoredGroup.Member> members = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            members.add(new StoredGroup.Member(text(30), random.nextBoolean() ? text(10) : null, text(10), "/" + text(9),
                    random.nextInt(1000000), random.nextInt(100000), bytes(40), bytes(40)));
        }
        return new StoredGroup(random.nextBoolean() ? "consumer" : "", random.nextInt(1000),
                n == 0 ? null : text(8), n == 0 ? null : members.get(0).memberId(), random.nextLong() & Long.MAX_VALUE, members);
    }

    private static OffsetCommitValue kafkaOffset(OffsetAndMetadata o) {
        return new OffsetCommitValue().setOffset(o.offset()).setLeaderEpoch(o.leaderEpoch()).setMetadata(o.metadata())
                .setCommitTimestamp(o.commitTimestampMs()).setExpireTimestamp(o.expireTimestampMs())
                .setTopicId(new Uuid(o.topicId().getMostSignificantBits(), o.topicId().getLeastSignificantBits()));
    }

    private static GroupMetadataValue kafkaGroup(StoredGroup g) {
        List<GroupMetadataValue.MemberMetadata> members = new ArrayList<>();
        for (StoredGroup.Member m : g.members()) {
            members.add(new GroupMetadataValue.MemberMetadata().setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId())
                    .setClientId(m.clientId()).setClientHost(m.clientHost()).setRebalanceTimeout(m.rebalanceTimeoutMs())
                    .setSessionTimeout(m.sessionTimeoutMs()).setSubscription(m.subscription()).setAssignment(m.assignment()));
        }
        return new GroupMetadataValue().setProtocolType(g.protocolType()).setGeneration(g.generation())
                .setProtocol(g.protocol()).setLeader(g.leader()).setCurrentStateTimestamp(g.currentStateTimestamp())
                .setMembers(members);
    }

    @Test
    void offsetCommitRecordsAreByteIdenticalToKafkas() {
        for (int i = 0; i < 200; i++) {
            boolean expire = random.nextInt(4) == 0;
            OffsetAndMetadata o = randomOffset(expire, random.nextBoolean());
            var ours = new dev.runnel.server.group.CoordinatorRecord.OffsetCommit(text(15), text(15), random.nextInt(1000), o);
            CoordinatorRecord theirs = CoordinatorRecord.record(
                    new OffsetCommitKey().setGroup(ours.group()).setTopic(ours.topic()).setPartition(ours.partition()),
                    new ApiMessageAndVersion(kafkaOffset(o), expire ? (short) 1 : (short) 4));
            assertArrayEquals(kafka.serializeKey(theirs), CoordinatorRecordCodec.encodeKey(ours), "seed " + SEED);
            assertArrayEquals(kafka.serializeValue(theirs), CoordinatorRecordCodec.encodeValue(ours), "seed " + SEED);
        }
    }

    @Test
    void groupMetadataRecordsAreByteIdenticalToKafkas() {
        for (int i = 0; i < 200; i++) {
            StoredGroup g = randomGroup();
            var ours = new dev.runnel.server.group.CoordinatorRecord.GroupMetadata(text(15), g);
            CoordinatorRecord theirs = CoordinatorRecord.record(new GroupMetadataKey().setGroup(ours.group()),
                    new ApiMessageAndVersion(kafkaGroup(g), (short) 3));
            assertArrayEquals(kafka.serializeKey(theirs), CoordinatorRecordCodec.encodeKey(ours), "seed " + SEED);
            assertArrayEquals(kafka.serializeValue(theirs), CoordinatorRecordCodec.encodeValue(ours), "seed " + SEED);
        }
    }

    @Test
    void tombstonesHaveNoValueAndKafkaReadsTheirKeys() {
        var offsetTombstone = new dev.runnel.server.group.CoordinatorRecord.OffsetCommit("g", "t", 3, null);
        var groupTombstone = new dev.runnel.server.group.CoordinatorRecord.GroupMetadata("g", null);
        assertNull(CoordinatorRecordCodec.encodeValue(offsetTombstone));
        assertNull(CoordinatorRecordCodec.encodeValue(groupTombstone));
        CoordinatorRecord read = kafka.deserialize(ByteBuffer.wrap(CoordinatorRecordCodec.encodeKey(offsetTombstone)), null);
        assertEquals(new OffsetCommitKey().setGroup("g").setTopic("t").setPartition(3), read.key());
        assertNull(read.value());
        read = kafka.deserialize(ByteBuffer.wrap(CoordinatorRecordCodec.encodeKey(groupTombstone)), null);
        assertEquals(new GroupMetadataKey().setGroup("g"), read.key());
    }

    @Test
    void readsEveryOffsetCommitValueVersionKafkaCanWrite() {
        for (short version = 0; version <= 4; version++) {
            for (int i = 0; i < 50; i++) {
                OffsetAndMetadata o = randomOffset(version == 1, version == 4 && random.nextBoolean());
                OffsetCommitValue value = kafkaOffset(o);
                CoordinatorRecord theirs = CoordinatorRecord.record(
                        new OffsetCommitKey().setGroup("grp").setTopic("topic").setPartition(7),
                        new ApiMessageAndVersion(value, version));
                var decoded = (dev.runnel.server.group.CoordinatorRecord.OffsetCommit) CoordinatorRecordCodec.decode(
                        kafka.serializeKey(theirs), kafka.serializeValue(theirs));
                OffsetAndMetadata expected = new OffsetAndMetadata(o.offset(), version >= 3 ? o.leaderEpoch() : -1,
                        o.metadata(), o.commitTimestampMs(), version == 1 ? o.expireTimestampMs() : -1,
                        version == 4 ? o.topicId() : OffsetAndMetadata.NO_TOPIC_ID);
                assertEquals("grp", decoded.group());
                assertEquals("topic", decoded.topic());
                assertEquals(7, decoded.partition());
                assertEquals(expected, decoded.value(), "version " + version + " seed " + SEED);
            }
        }
    }

    @Test
    void readsLegacyOffsetCommitKeys() {
        CoordinatorRecord theirs = CoordinatorRecord.record(
                new LegacyOffsetCommitKey().setGroup("old").setTopic("t").setPartition(1),
                new ApiMessageAndVersion(new LegacyOffsetCommitValue().setOffset(42).setMetadata("m").setCommitTimestamp(5), (short) 0));
        var decoded = (dev.runnel.server.group.CoordinatorRecord.OffsetCommit) CoordinatorRecordCodec.decode(
                kafka.serializeKey(theirs), kafka.serializeValue(theirs));
        assertEquals(new OffsetAndMetadata(42, -1, "m", 5, -1, null), decoded.value());
        assertEquals("old", decoded.group());
    }

    @Test
    void readsEveryGroupMetadataValueVersionKafkaCanWrite() {
        for (short version = 0; version <= 4; version++) {
            for (int i = 0; i < 50; i++) {
                StoredGroup g = randomGroup();
                CoordinatorRecord theirs = CoordinatorRecord.record(new GroupMetadataKey().setGroup("grp"),
                        new ApiMessageAndVersion(kafkaGroup(g), version));
                var decoded = (dev.runnel.server.group.CoordinatorRecord.GroupMetadata) CoordinatorRecordCodec.decode(
                        kafka.serializeKey(theirs), kafka.serializeValue(theirs));
                StoredGroup d = decoded.value();
                assertEquals(g.protocolType(), d.protocolType());
                assertEquals(g.generation(), d.generation());
                assertEquals(g.protocol(), d.protocol());
                assertEquals(g.leader(), d.leader());
                assertEquals(version >= 2 ? g.currentStateTimestamp() : -1, d.currentStateTimestamp());
                assertEquals(g.members().size(), d.members().size());
                for (int m = 0; m < g.members().size(); m++) {
                    StoredGroup.Member a = g.members().get(m);
                    StoredGroup.Member b = d.members().get(m);
                    assertEquals(a.memberId(), b.memberId());
                    assertEquals(version >= 3 ? a.groupInstanceId() : null, b.groupInstanceId());
                    assertEquals(a.clientId(), b.clientId());
                    assertEquals(a.clientHost(), b.clientHost());
                    assertEquals(version >= 1 ? a.rebalanceTimeoutMs() : -1, b.rebalanceTimeoutMs());
                    assertEquals(a.sessionTimeoutMs(), b.sessionTimeoutMs());
                    assertArrayEquals(a.subscription(), b.subscription());
                    assertArrayEquals(a.assignment(), b.assignment(), "version " + version + " seed " + SEED);
                }
            }
        }
    }

    @Test
    void kafkaReadsWhatWeWrite() {
        OffsetAndMetadata o = randomOffset(false, true);
        var ours = new dev.runnel.server.group.CoordinatorRecord.OffsetCommit("g", "t", 0, o);
        CoordinatorRecord read = kafka.deserialize(ByteBuffer.wrap(CoordinatorRecordCodec.encodeKey(ours)),
                ByteBuffer.wrap(CoordinatorRecordCodec.encodeValue(ours)));
        assertEquals(kafkaOffset(o).setExpireTimestamp(-1), read.value().message());
        StoredGroup g = randomGroup();
        var group = new dev.runnel.server.group.CoordinatorRecord.GroupMetadata("g", g);
        read = kafka.deserialize(ByteBuffer.wrap(CoordinatorRecordCodec.encodeKey(group)),
                ByteBuffer.wrap(CoordinatorRecordCodec.encodeValue(group)));
        assertEquals(kafkaGroup(g), read.value().message());
    }

    @Test
    void skipsRecordTypesOfOtherGroupKinds() {
        // consumer group records are decoded since KIP-848 support (ConsumerGroupRecordCodecTest); share groups are not
        CoordinatorRecord theirs = CoordinatorRecord.record(new ShareGroupMetadataKey().setGroupId("new"),
                new ApiMessageAndVersion(new ShareGroupMetadataValue().setEpoch(3), (short) 0));
        assertNull(CoordinatorRecordCodec.decode(kafka.serializeKey(theirs), kafka.serializeValue(theirs)));
    }
}
