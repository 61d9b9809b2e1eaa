package dev.runnel.server.group;

import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.message.ConsumerGroupDescribeRequest;
import dev.runnel.wire.message.ConsumerGroupDescribeResponse;
import dev.runnel.wire.message.ConsumerGroupHeartbeatRequest;
import dev.runnel.wire.message.ConsumerGroupHeartbeatResponse;
import dev.runnel.wire.message.HeartbeatRequest;
import dev.runnel.wire.message.HeartbeatResponse;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.LeaveGroupRequest;
import dev.runnel.wire.message.LeaveGroupResponse;
import dev.runnel.wire.message.ListGroupsRequest;
import dev.runnel.wire.message.ListGroupsResponse;
import dev.runnel.wire.message.OffsetCommitRequest;
import dev.runnel.wire.message.OffsetCommitResponse;
import dev.runnel.wire.message.OffsetFetchRequest;
import dev.runnel.wire.message.OffsetFetchResponse;
import dev.runnel.wire.message.SyncGroupResponse;
import dev.runnel.wire.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.runnel.server.group.GroupHarness.done;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Classic requests on a KIP-848 consumer group and consumer heartbeats on a classic group, answered as Kafka
 * 4.3's GroupMetadataManager answers them: with {@code group.consumer.migration.policy=disabled} classic members
 * cannot join consumer groups and classic groups with members are not upgraded; with the default (bidirectional)
 * they are (details in {@link ConsumerGroupMigrationTest}). Empty groups of the other type are converted under any
 * policy, with tombstones in {@code __consumer_offsets} and their offsets kept.
 */
class GroupTypeConflictTest {
    private static final String GROUP = "conflict";
    private GroupHarness h;
    private TopicMetadata topic;

    @BeforeEach
    void setUp() {
        h = new GroupHarness().loadAll();
        topic = h.metadata.add("orders", 4);
    }

    private ConsumerGroupHeartbeatResponse consumerJoin(String memberId, String instanceId) {
        return done(h.call(h.consumerHeartbeat, 1, new ConsumerGroupHeartbeatRequest().setGroupId(GROUP)
                .setMemberId(memberId).setMemberEpoch(0).setInstanceId(instanceId).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of("orders")).setTopicPartitions(new ArrayList<>())));
    }

    private ConsumerGroupDescribeResponse.DescribedGroup describe() {
        ConsumerGroupDescribeResponse r = done(h.call(h.consumerDescribe, 0,
                new ConsumerGroupDescribeRequest().setGroupIds(List.of(GROUP))));
        return r.groups().get(0);
    }

    private List<ListGroupsResponse.ListedGroup> listed() {
        ListGroupsResponse r = done(h.call(h.list, 5, new ListGroupsRequest()));
        return r.groups().stream().filter(g -> g.groupId().equals(GROUP)).toList();
    }

    private void migrationDisabled() {
        h = new GroupHarness(new InMemoryCoordinatorLog(), GroupHarness.config(Integer.MAX_VALUE),
                ConsumerGroupConfig.defaults().withMigrationPolicy(ConsumerGroupMigrationPolicy.DISABLED)).loadAll();
        topic = h.metadata.add("orders", 4);
    }

    @Test
    void classicJoinToAConsumerGroupWithMembersIsInconsistentAndChangesNothingWhenMigrationIsDisabled() {
        migrationDisabled();
        assertEquals(0, consumerJoin("m1", null).errorCode());
        int entries = h.log.entries(h.coordinator.partitionFor(GROUP)).size();

        JoinGroupResponse first = done(h.join(GROUP, "", "range"));
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), first.errorCode());
        assertEquals("", first.memberId());
        JoinGroupResponse known = done(h.join(GROUP, "m1", "range"));
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), known.errorCode());

        assertEquals(entries, h.log.entries(h.coordinator.partitionFor(GROUP)).size(), "nothing written");
        List<ListGroupsResponse.ListedGroup> groups = listed();
        assertEquals(1, groups.size());
        assertEquals("consumer", groups.get(0).groupType());
        assertEquals(1, describe().members().size());
    }

    @Test
    void syncAndHeartbeatToAConsumerGroupFindNoClassicMember() {
        assertEquals(0, consumerJoin("m1", null).errorCode());
        assertEquals(0, consumerJoin("s1", "instance-1").errorCode());

        SyncGroupResponse sync = done(h.sync(GROUP, "m1", 1, Map.of()));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), sync.errorCode());
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), h.heartbeat(GROUP, "m1", 1), "a consumer-protocol member");
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), h.heartbeat(GROUP, "stranger", 1));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), h.heartbeat(GROUP, "s1", "instance-9", 1));
        assertEquals(Errors.FENCED_INSTANCE_ID.code(), h.heartbeat(GROUP, "zombie", "instance-1", 1));
        HeartbeatResponse again = done(h.call(h.heartbeat, 4, new HeartbeatRequest().setGroupId(GROUP)
                .setMemberId("s1").setGroupInstanceId("instance-1").setGenerationId(1)));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), again.errorCode(), "found, but not a classic member");
        assertEquals(2, describe().members().size());
    }

    @Test
    void leaveGroupFencesTheNamedConsumerMembersWithOneEpochBump() {
        assertEquals(0, consumerJoin("m1", null).errorCode());
        assertEquals(0, consumerJoin("m2", null).errorCode());
        assertEquals(0, consumerJoin("s1", "instance-1").errorCode());
        int epoch = describe().groupEpoch();

        LeaveGroupResponse r = done(h.call(h.leave, 5, new LeaveGroupRequest().setGroupId(GROUP).setMembers(List.of(
                new LeaveGroupRequest.MemberIdentity().setMemberId("m1"),
                new LeaveGroupRequest.MemberIdentity().setMemberId("").setGroupInstanceId("instance-1"),
                new LeaveGroupRequest.MemberIdentity().setMemberId("zombie").setGroupInstanceId("instance-1"),
                new LeaveGroupRequest.MemberIdentity().setMemberId("ghost")))));
        assertEquals(0, r.errorCode());
        assertEquals(List.of((short) 0, (short) 0, Errors.FENCED_INSTANCE_ID.code(), Errors.UNKNOWN_MEMBER_ID.code()),
                r.members().stream().map(LeaveGroupResponse.MemberResponse::errorCode).toList());

        ConsumerGroupDescribeResponse.DescribedGroup after = describe();
        assertEquals(List.of("m2"), after.members().stream().map(ConsumerGroupDescribeResponse.Member::memberId).toList());
        assertEquals(epoch + 1, after.groupEpoch());
        ConsumerGroupHeartbeatResponse fenced = done(h.call(h.consumerHeartbeat, 1, new ConsumerGroupHeartbeatRequest()
                .setGroupId(GROUP).setMemberId("m1").setMemberEpoch(epoch).setTopicPartitions(List.of())));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), fenced.errorCode());
    }

    @Test
    void classicJoinReplacesAnEmptyConsumerGroupWithTombstonesAndKeepsItsOffsets() {
        assertEquals(0, consumerJoin("m1", null).errorCode());
        OffsetCommitResponse committed = done(h.call(h.commit, 9, new OffsetCommitRequest().setGroupId(GROUP)
                .setMemberId("m1").setGenerationIdOrMemberEpoch(describe().members().get(0).memberEpoch())
                .setTopics(List.of(new OffsetCommitRequest.OffsetCommitRequestTopic().setName("orders")
                        .setPartitions(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(17)))))));
        assertEquals(0, committed.topics().get(0).partitions().get(0).errorCode());
        ConsumerGroupHeartbeatResponse left = done(h.call(h.consumerHeartbeat, 1, new ConsumerGroupHeartbeatRequest()
                .setGroupId(GROUP).setMemberId("m1").setMemberEpoch(-1)));
        assertEquals(0, left.errorCode());
        int partition = h.coordinator.partitionFor(GROUP);
        int before = h.log.entries(partition).size();

        JoinGroupResponse first = done(h.join(GROUP, "", "range"));
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.errorCode());

        List<CoordinatorRecord> written = decode(h.log.entries(partition).subList(before, h.log.entries(partition).size()));
        assertEquals(List.of(new ConsumerGroupRecord.TargetAssignmentEpoch(GROUP, null),
                new ConsumerGroupRecord.PartitionMetadataTombstone(GROUP),
                new ConsumerGroupRecord.GroupEpoch(GROUP, null)), written.subList(0, 3));
        assertTrue(written.get(3) instanceof CoordinatorRecord.GroupMetadata g && g.value() != null
                && g.value().members().isEmpty(), "then the new, empty classic group");
        assertEquals(4, written.size());
        assertEquals("classic", listed().get(0).groupType());
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), describe().errorCode());

        CompletableFuture<JoinGroupResponse> joining = h.join(GROUP, first.memberId(), "range");
        h.advance(3000);
        assertEquals(0, done(joining).errorCode());
        assertEquals(17L, committedOffset(h));

        GroupHarness restarted = new GroupHarness(h.log, h.config);
        restarted.metadata.createTopic(topic);
        restarted.loadAll();
        assertEquals("classic", listedIn(restarted).get(0).groupType());
        assertEquals(17L, committedOffset(restarted));
    }

    @Test
    void classicJoinToAConsumerGroupWithMembersJoinsItByDefault() {
        assertEquals(0, consumerJoin("m1", null).errorCode());
        JoinGroupResponse first = done(h.join(GROUP, "", "range"));
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.errorCode());
        JoinGroupResponse joined = done(h.join(GROUP, first.memberId(), "range"));
        assertEquals(0, joined.errorCode());
        assertEquals(2, describe().members().size());
        assertEquals("consumer", listed().get(0).groupType());
    }

    @Test
    void consumerHeartbeatToAClassicGroupWithMembersUpgradesItByDefault() {
        CompletableFuture<JoinGroupResponse> member = h.joinNew(GROUP);
        assertEquals(0, consumerJoin("m1", null).errorCode());
        assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), done(member).errorCode(), "the parked member must rejoin");
        assertEquals("consumer", listed().get(0).groupType());
        assertEquals(2, describe().members().size());
    }

    @Test
    void consumerHeartbeatToAClassicGroupWithMembersIsNotFoundWhenMigrationIsDisabled() {
        migrationDisabled();
        CompletableFuture<JoinGroupResponse> member = h.joinNew(GROUP);
        assertFalse(member.isDone(), "the member waits in the join phase");
        ConsumerGroupHeartbeatResponse r = consumerJoin("m1", null);
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), r.errorCode());
        assertEquals("Cannot upgrade classic group " + GROUP + " to consumer group because online upgrade is disabled.",
                r.errorMessage());
        ConsumerGroupHeartbeatResponse later = done(h.call(h.consumerHeartbeat, 1, new ConsumerGroupHeartbeatRequest()
                .setGroupId(GROUP).setMemberId("m1").setMemberEpoch(3).setTopicPartitions(List.of())));
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), later.errorCode());
        assertEquals("Group " + GROUP + " is not a consumer group.", later.errorMessage());
        assertEquals("classic", listed().get(0).groupType());
    }

    @Test
    void consumerHeartbeatWithAnEpochToAMissingGroupIsNotFound() {
        ConsumerGroupHeartbeatResponse r = done(h.call(h.consumerHeartbeat, 1, new ConsumerGroupHeartbeatRequest()
                .setGroupId("nowhere").setMemberId("m1").setMemberEpoch(5).setTopicPartitions(List.of())));
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), r.errorCode());
        assertEquals("Consumer group nowhere not found.", r.errorMessage());
    }

    @Test
    void consumerHeartbeatReplacesAnEmptyClassicGroupAndKeepsItsOffsets() {
        CompletableFuture<JoinGroupResponse> joining = h.joinNew(GROUP);
        h.advance(3000);
        JoinGroupResponse joined = done(joining);
        assertEquals(0, joined.errorCode());
        done(h.sync(GROUP, joined.memberId(), joined.generationId(), Map.of()));
        OffsetCommitResponse committed = done(h.call(h.commit, 8, new OffsetCommitRequest().setGroupId(GROUP)
                .setMemberId(joined.memberId()).setGenerationIdOrMemberEpoch(joined.generationId())
                .setTopics(List.of(new OffsetCommitRequest.OffsetCommitRequestTopic().setName("orders")
                        .setPartitions(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(17)))))));
        assertEquals(0, committed.topics().get(0).partitions().get(0).errorCode());
        done(h.call(h.leave, 5, new LeaveGroupRequest().setGroupId(GROUP).setMembers(List.of(
                new LeaveGroupRequest.MemberIdentity().setMemberId(joined.memberId())))));

        assertEquals(0, consumerJoin("m1", null).errorCode());
        assertEquals("consumer", listed().get(0).groupType());
        assertEquals(1, listed().size());
        assertEquals(17L, committedOffset(h));
    }

    private static List<CoordinatorRecord> decode(List<InMemoryCoordinatorLog.Entry> entries) {
        List<CoordinatorRecord> out = new ArrayList<>();
        for (InMemoryCoordinatorLog.Entry e : entries) {
            out.add(CoordinatorRecordCodec.decode(ByteBuffer.wrap(e.key()), e.value() == null ? null : ByteBuffer.wrap(e.value())));
        }
        return out;
    }

    private static List<ListGroupsResponse.ListedGroup> listedIn(GroupHarness harness) {
        ListGroupsResponse r = done(harness.call(harness.list, 5, new ListGroupsRequest()));
        return r.groups().stream().filter(g -> g.groupId().equals(GROUP)).toList();
    }

    private static long committedOffset(GroupHarness harness) {
        OffsetFetchResponse r = done(harness.call(harness.fetch, 8, new OffsetFetchRequest().setGroups(List.of(
                new OffsetFetchRequest.OffsetFetchRequestGroup().setGroupId(GROUP).setTopics(List.of(
                        new OffsetFetchRequest.OffsetFetchRequestTopics().setName("orders").setPartitionIndexes(List.of(0))))))));
        return r.groups().get(0).topics().get(0).partitions().get(0).committedOffset();
    }
}
