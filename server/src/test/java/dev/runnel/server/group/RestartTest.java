package dev.runnel.server.group;

import dev.runnel.wire.message.DescribeGroupsRequest;
import dev.runnel.wire.message.DescribeGroupsResponse;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.OffsetCommitRequest;
import dev.runnel.wire.message.OffsetFetchRequest;
import dev.runnel.wire.message.OffsetFetchResponse;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;
import org.apache.kafka.coordinator.group.GroupCoordinatorRecordSerde;
import org.apache.kafka.coordinator.group.generated.GroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;
import org.apache.kafka.server.common.ApiMessageAndVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.runnel.server.group.GroupHarness.done;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A new coordinator replaying the same log finds the same groups and offsets. */
class RestartTest {
    private static OffsetFetchResponse.OffsetFetchResponsePartitions offset(GroupHarness h, String group, String topic, int partition) {
        OffsetFetchResponse r = (OffsetFetchResponse) done(h.call(h.fetch, 8, new OffsetFetchRequest().setGroups(List.of(
                new OffsetFetchRequest.OffsetFetchRequestGroup().setGroupId(group).setTopics(List.of(
                        new OffsetFetchRequest.OffsetFetchRequestTopics().setName(topic).setPartitionIndexes(List.of(partition))))))));
        return r.groups().get(0).topics().get(0).partitions().get(0);
    }

    private static DescribeGroupsResponse.DescribedGroup describe(GroupHarness h, String group) {
        return ((DescribeGroupsResponse) done(h.call(h.describe, 5, new DescribeGroupsRequest().setGroups(List.of(group)))))
                .groups().get(0);
    }

    private static void commit(GroupHarness h, String group, int generation, String member, String topic, int partition,
                               long offset, String metadata) {
        done(h.call(h.commit, 8, new OffsetCommitRequest().setGroupId(group).setGenerationIdOrMemberEpoch(generation)
                .setMemberId(member).setTopics(new ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestTopic()
                        .setName(topic).setPartitions(new ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                .setPartitionIndex(partition).setCommittedOffset(offset).setCommittedMetadata(metadata)))))))));
    }

    @Test
    void restartKeepsCommittedOffsetsAndGroupMetadata() {
        GroupHarness before = new GroupHarness().loadAll();
        before.metadata.add("orders", 2);
        CompletableFuture<JoinGroupResponse> a = before.joinNew("stable");
        CompletableFuture<JoinGroupResponse> b = before.joinNew("stable");
        before.advance(3000);
        before.advance(3000);
        JoinGroupResponse ja = done(a);
        JoinGroupResponse jb = done(b);
        JoinGroupResponse leader = ja.leader().equals(ja.memberId()) ? ja : jb;
        byte[] assignA = "A".getBytes(StandardCharsets.UTF_8);
        byte[] assignB = "B".getBytes(StandardCharsets.UTF_8);
        before.sync("stable", jb.memberId(), jb.generationId(), Map.of());
        before.sync("stable", leader.memberId(), leader.generationId(), Map.of(ja.memberId(), assignA, jb.memberId(), assignB));
        commit(before, "stable", ja.generationId(), ja.memberId(), "orders", 1, 1234, "checkpoint");
        commit(before, "simple", -1, "", "orders", 0, 55, "");
        commit(before, "gone", -1, "", "orders", 0, 1, "");
        before.coordinator.deleteGroups(List.of("gone")).join();
        DescribeGroupsResponse.DescribedGroup was = describe(before, "stable");

        GroupHarness after = new GroupHarness(before.log, before.config);
        after.metadata.add("orders", 2);
        assertEquals(GroupCoordinator.PartitionState.NOT_COORDINATOR, after.coordinator.partitionState(0));
        after.loadAll();

        assertEquals(1234, offset(after, "stable", "orders", 1).committedOffset());
        assertEquals("checkpoint", offset(after, "stable", "orders", 1).metadata());
        assertEquals(55, offset(after, "simple", "orders", 0).committedOffset());
        assertEquals(-1, offset(after, "gone", "orders", 0).committedOffset());
        DescribeGroupsResponse.DescribedGroup now = describe(after, "stable");
        assertEquals("Stable", now.groupState());
        assertEquals(was.protocolType(), now.protocolType());
        assertEquals(was.protocolData(), now.protocolData());
        assertEquals(was.members().size(), now.members().size());
        for (int i = 0; i < was.members().size(); i++) {
            assertEquals(was.members().get(i).memberId(), now.members().get(i).memberId());
            assertEquals(was.members().get(i).clientHost(), now.members().get(i).clientHost());
            assertArrayEquals(was.members().get(i).memberAssignment(), now.members().get(i).memberAssignment());
            assertArrayEquals(was.members().get(i).memberMetadata(), now.members().get(i).memberMetadata());
        }
        assertEquals(0, describe(after, "gone").errorCode());
        assertEquals("Dead", describe(after, "gone").groupState());

        // the loaded members go on heartbeating in their generation; silent ones expire as before
        assertEquals(0, after.heartbeat("stable", ja.memberId(), ja.generationId()));
        after.advance(GroupHarness.SESSION_MS + 1);
        assertEquals("Empty", describe(after, "stable").groupState());
    }

    @Test
    void loadsRecordsWrittenByKafka() {
        GroupCoordinatorRecordSerde serde = new GroupCoordinatorRecordSerde();
        GroupHarness h = new GroupHarness();
        h.metadata.add("t", 1);
        int partition = h.coordinator.partitionFor("kafka-group");
        CoordinatorRecord offset = CoordinatorRecord.record(
                new OffsetCommitKey().setGroup("kafka-group").setTopic("t").setPartition(0),
                new ApiMessageAndVersion(new OffsetCommitValue().setOffset(77).setLeaderEpoch(3).setMetadata("from kafka")
                        .setCommitTimestamp(1).setTopicId(Uuid.randomUuid()), (short) 4));
        CoordinatorRecord group = CoordinatorRecord.record(new GroupMetadataKey().setGroup("kafka-group"),
                new ApiMessageAndVersion(new GroupMetadataValue().setProtocolType("consumer").setGeneration(4)
                        .setProtocol("range").setLeader("m1").setCurrentStateTimestamp(10)
                        .setMembers(List.of(new GroupMetadataValue.MemberMetadata().setMemberId("m1").setClientId("c")
                                .setClientHost("/10.0.0.1").setRebalanceTimeout(30000).setSessionTimeout(10000)
                                .setSubscription(GroupHarness.subscription("t")).setAssignment(new byte[] {1, 2}))), (short) 4));
        for (CoordinatorRecord r : List.of(offset, group)) {
            h.log.appendRaw(partition, new InMemoryCoordinatorLog.Entry(serde.serializeKey(r), serde.serializeValue(r)));
        }
        h.loadAll();
        OffsetFetchResponse.OffsetFetchResponsePartitions p = offset(h, "kafka-group", "t", 0);
        assertEquals(77, p.committedOffset());
        assertEquals(3, p.committedLeaderEpoch());
        assertEquals("from kafka", p.metadata());
        DescribeGroupsResponse.DescribedGroup d = describe(h, "kafka-group");
        assertEquals("Stable", d.groupState());
        assertEquals("m1", d.members().get(0).memberId());
        assertArrayEquals(new byte[] {1, 2}, d.members().get(0).memberAssignment());
        assertEquals(0, h.heartbeat("kafka-group", "m1", 4));
    }
}
