package dev.runnel.server.group;

import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.message.ConsumerGroupDescribeRequest;
import dev.runnel.wire.message.ConsumerGroupDescribeResponse;
import dev.runnel.wire.message.ConsumerGroupHeartbeatResponse;
import dev.runnel.wire.message.DescribeGroupsRequest;
import dev.runnel.wire.message.DescribeGroupsResponse;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.ListGroupsRequest;
import dev.runnel.wire.message.ListGroupsResponse;
import dev.runnel.wire.message.OffsetCommitRequest;
import dev.runnel.wire.message.OffsetCommitResponse;
import dev.runnel.wire.message.SyncGroupRequest;
import dev.runnel.wire.message.SyncGroupResponse;
import dev.runnel.wire.protocol.Errors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static dev.runnel.server.group.GroupHarness.done;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KIP-848 online migration with Kafka 4.3's default {@code group.consumer.migration.policy=bidirectional}: classic
 * members inside consumer groups, upgrade of a classic group when a consumer-protocol member joins, downgrade when
 * the last one leaves, classic members' deadlines, and replay after a restart. Time is the harness's manual clock.
 */
class ConsumerGroupMigrationTest {
    private static final String GROUP = "migrating";
    private static final int PARTITIONS = 6;
    private GroupHarness h;
    private TopicMetadata topic;

    @BeforeEach
    void setUp() {
        h = new GroupHarness().loadAll();
        topic = h.metadata.add("orders", PARTITIONS);
    }

    private ConsumerClient consumer(String id) {
        ConsumerClient c = new ConsumerClient(h, GROUP, id);
        assertEquals(0, c.join(List.of("orders"), null).errorCode(), () -> "join: " + c.last);
        return c;
    }

    /** Polls every client until nothing moves any more. */
    private void settle(List<ConsumerClient> consumers, List<ClassicClient> classics) {
        for (int round = 0; round < 12; round++) {
            for (ConsumerClient c : consumers) {
                assertEquals(0, c.heartbeat().errorCode(), () -> "heartbeat: " + c.last);
            }
            for (ClassicClient k : classics) {
                k.poll();
            }
        }
    }

    /** Every partition of the topic is owned by exactly one client. */
    private void assertEachPartitionOwnedOnce(List<ConsumerClient> consumers, List<ClassicClient> classics) {
        List<Integer> owned = new ArrayList<>();
        consumers.forEach(c -> owned.addAll(c.partitions(topic.topicId())));
        classics.forEach(k -> k.owned.forEach(tp -> owned.add(tp.partition())));
        assertEquals(PARTITIONS, owned.size(), "owned " + owned);
        assertEquals(PARTITIONS, new HashSet<>(owned).size(), "owned " + owned);
    }

    private ConsumerGroupDescribeResponse.DescribedGroup describe(GroupHarness harness) {
        ConsumerGroupDescribeResponse r = done(harness.call(harness.consumerDescribe, 0,
                new ConsumerGroupDescribeRequest().setGroupIds(List.of(GROUP))));
        return r.groups().get(0);
    }

    private String groupType(GroupHarness harness) {
        ListGroupsResponse r = done(harness.call(harness.list, 5, new ListGroupsRequest()));
        return r.groups().stream().filter(g -> g.groupId().equals(GROUP)).findFirst().orElseThrow().groupType();
    }

    private List<CoordinatorRecord> written(int from) {
        List<CoordinatorRecord> out = new ArrayList<>();
        var entries = h.log.entries(h.coordinator.partitionFor(GROUP));
        for (var e : entries.subList(from, entries.size())) {
            out.add(CoordinatorRecordCodec.decode(ByteBuffer.wrap(e.key()), e.value() == null ? null : ByteBuffer.wrap(e.value())));
        }
        return out;
    }

    private int logSize() {
        return h.log.entries(h.coordinator.partitionFor(GROUP)).size();
    }

    private short commit(ClassicClient k, int generation, int partition) {
        OffsetCommitResponse r = done(h.call(h.commit, 8, new OffsetCommitRequest().setGroupId(GROUP)
                .setMemberId(k.memberId).setGenerationIdOrMemberEpoch(generation)
                .setTopics(List.of(new OffsetCommitRequest.OffsetCommitRequestTopic().setName("orders")
                        .setPartitions(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                .setPartitionIndex(partition).setCommittedOffset(42)))))));
        return r.topics().get(0).partitions().get(0).errorCode();
    }

    @Test
    void classicMemberJoinsAConsumerGroupAndGetsItsShareInTheEmbeddedConsumerProtocolFormat() {
        ConsumerClient c1 = consumer("c1");
        ConsumerClient.converge(c1);
        assertEquals(PARTITIONS, c1.partitions(topic.topicId()).size());

        ClassicClient k1 = new ClassicClient(h, GROUP, "orders");
        JoinGroupResponse joined = k1.join();
        assertEquals(0, joined.errorCode());
        assertEquals("consumer", joined.protocolType());
        assertEquals("range", joined.protocolName());
        assertEquals("", joined.leader(), "the server assigns: nobody leads");
        assertTrue(joined.members().isEmpty());
        assertEquals(describe(h).groupEpoch(), joined.generationId(), "the generation is the member epoch");
        // its share is still owned by c1: the assignment stays empty until c1 revokes
        SyncGroupResponse synced = k1.sync();
        assertEquals(0, synced.errorCode());
        assertEquals("range", synced.protocolName());

        settle(List.of(c1), List.of(k1));
        assertEachPartitionOwnedOnce(List.of(c1), List.of(k1));
        assertEquals(PARTITIONS / 2, k1.owned.size());

        ConsumerGroupDescribeResponse.DescribedGroup described = describe(h);
        assertEquals("Stable", described.groupState());
        ConsumerGroupDescribeResponse.Member classic = described.members().stream()
                .filter(m -> m.memberId().equals(k1.memberId)).findFirst().orElseThrow();
        assertEquals(0, classic.memberType(), "a classic member");
        assertEquals(k1.generation, classic.memberEpoch());
        ConsumerGroupRecord.MemberMetadata metadata = written(0).stream()
                .filter(r -> r instanceof ConsumerGroupRecord.MemberMetadata m && m.memberId().equals(k1.memberId))
                .map(r -> (ConsumerGroupRecord.MemberMetadata) r).reduce((a, b) -> b).orElseThrow();
        assertEquals(GroupHarness.SESSION_MS, metadata.value().classic().sessionTimeoutMs());
        assertEquals("range", metadata.value().classic().preferred().name());

        // a classic member commits with its generation; a newer one is ILLEGAL_GENERATION
        int mine = k1.owned.iterator().next().partition();
        assertEquals(0, commit(k1, k1.generation, mine));
        assertEquals(Errors.ILLEGAL_GENERATION.code(), commit(k1, k1.generation + 1, mine));
    }

    @Test
    void disabledPolicyRejectsTheClassicJoinAndUpgradeOnlyPolicyStillLetsClassicMembersIn() {
        h = new GroupHarness(new InMemoryCoordinatorLog(), GroupHarness.config(Integer.MAX_VALUE),
                ConsumerGroupConfig.defaults().withMigrationPolicy(ConsumerGroupMigrationPolicy.UPGRADE)).loadAll();
        topic = h.metadata.add("orders", PARTITIONS);
        ConsumerClient c1 = consumer("c1");
        ClassicClient k1 = new ClassicClient(h, GROUP, "orders");
        assertEquals(0, k1.join().errorCode(), "only disabled keeps classic members out");
        ConsumerClient.converge(c1);
        assertEquals(0, c1.leave().errorCode());
        assertEquals("consumer", groupType(h), "no downgrade under the upgrade policy");
        assertEquals(1, describe(h).members().size());
    }

    /** Two classic members, Stable at generation 1 with a range assignment made by the leader. */
    private List<ClassicClient> stableClassicGroup() {
        ClassicClient k1 = new ClassicClient(h, GROUP, "orders");
        ClassicClient k2 = new ClassicClient(h, GROUP, "orders");
        JoinGroupResponse first1 = done(k1.joinAsync());
        k1.memberId = first1.memberId();
        CompletableFuture<JoinGroupResponse> j1 = k1.joinAsync();
        JoinGroupResponse first2 = done(k2.joinAsync());
        k2.memberId = first2.memberId();
        CompletableFuture<JoinGroupResponse> j2 = k2.joinAsync();
        // group.initial.rebalance.delay.ms, extended once because k2 arrived during the first delay
        h.advance(3000);
        h.advance(3000);
        k1.adopt(done(j1));
        k2.adopt(done(j2));
        assertEquals(1, k1.generation);
        ClassicClient leader = done(j1).leader().equals(k1.memberId) ? k1 : k2;
        ClassicClient follower = leader == k1 ? k2 : k1;
        List<SyncGroupRequest.SyncGroupRequestAssignment> plan = List.of(
                new SyncGroupRequest.SyncGroupRequestAssignment().setMemberId(leader.memberId).setAssignment(
                        ClassicClient.assignmentBytes(tp(0), tp(1), tp(2))),
                new SyncGroupRequest.SyncGroupRequestAssignment().setMemberId(follower.memberId).setAssignment(
                        ClassicClient.assignmentBytes(tp(3), tp(4), tp(5))));
        CompletableFuture<SyncGroupResponse> followerSync = follower.syncAsync(List.of());
        leader.adopt(done(leader.syncAsync(plan)));
        follower.adopt(done(followerSync));
        assertEquals(3, leader.owned.size());
        assertEquals(3, follower.owned.size());
        return List.of(k1, k2);
    }

    private static TopicPartition tp(int p) {
        return new TopicPartition("orders", p);
    }

    @Test
    void consumerProtocolMemberUpgradesAClassicGroupWithMembersWhichKeepTheirPartitionsUntilTheyRebalance() {
        List<ClassicClient> classics = stableClassicGroup();
        int before = logSize();

        ConsumerClient c1 = consumer("c1");
        List<CoordinatorRecord> records = written(before);
        assertEquals(new CoordinatorRecord.GroupMetadata(GROUP, null), records.get(0), "the classic group's tombstone first");
        List<ConsumerGroupRecord.CurrentAssignment> converted = records.stream()
                .filter(r -> r instanceof ConsumerGroupRecord.CurrentAssignment).map(r -> (ConsumerGroupRecord.CurrentAssignment) r)
                .filter(r -> !r.memberId().equals("c1")).toList();
        assertEquals(2, converted.size());
        for (ConsumerGroupRecord.CurrentAssignment a : converted) {
            assertEquals(1, a.value().memberEpoch(), "the generation becomes the member epoch");
            assertEquals(3, a.value().assigned().get(topic.topicId()).size(), "the last assignment is kept");
        }
        assertTrue(c1.partitions(topic.topicId()).isEmpty(), "everything is still owned by the classic members");
        assertEquals("consumer", groupType(h));
        ConsumerGroupDescribeResponse.DescribedGroup described = describe(h);
        assertEquals(3, described.members().size());
        assertEquals(2, described.members().stream().filter(m -> m.memberType() == 0).count());

        // the classic members learn of the rebalance by their heartbeat, revoke, rejoin and converge
        assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), classics.get(0).heartbeat());
        settle(List.of(c1), classics);
        assertEachPartitionOwnedOnce(List.of(c1), classics);
        assertEquals(2, c1.partitions(topic.topicId()).size());
        assertEquals("Stable", describe(h).groupState());
    }

    @Test
    void upgradeIsRefusedWithKafkasMessagesWhenThePolicyForbidsIt() {
        h = new GroupHarness(new InMemoryCoordinatorLog(), GroupHarness.config(Integer.MAX_VALUE),
                ConsumerGroupConfig.defaults().withMigrationPolicy(ConsumerGroupMigrationPolicy.DOWNGRADE)).loadAll();
        topic = h.metadata.add("orders", PARTITIONS);
        stableClassicGroup();
        ConsumerClient c1 = new ConsumerClient(h, GROUP, "c1");
        ConsumerGroupHeartbeatResponse r = c1.join(List.of("orders"), null);
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), r.errorCode());
        assertEquals("Cannot upgrade classic group " + GROUP + " to consumer group because online upgrade is disabled.",
                r.errorMessage());
        assertEquals("classic", groupType(h));
    }

    @Test
    void lastConsumerProtocolMemberLeavingDowngradesToAClassicGroupThatRebalancesItsClassicMembers() {
        ConsumerClient c1 = consumer("c1");
        ClassicClient k1 = new ClassicClient(h, GROUP, "orders");
        ClassicClient k2 = new ClassicClient(h, GROUP, "orders");
        k1.join();
        k2.join();
        settle(List.of(c1), List.of(k1, k2));
        assertEachPartitionOwnedOnce(List.of(c1), List.of(k1, k2));
        int groupEpoch = describe(h).groupEpoch();
        int before = logSize();

        assertEquals(0, c1.leave().errorCode());
        List<CoordinatorRecord> records = written(before);
        CoordinatorRecord last = records.get(records.size() - 1);
        assertEquals(new ConsumerGroupRecord.GroupEpoch(GROUP, null), records.get(records.size() - 2));
        assertEquals(new ConsumerGroupRecord.PartitionMetadataTombstone(GROUP), records.get(records.size() - 3));
        CoordinatorRecord.GroupMetadata classic = assertInstanceOf(CoordinatorRecord.GroupMetadata.class, last);
        assertEquals(groupEpoch, classic.value().generation());
        assertEquals("consumer", classic.value().protocolType());
        assertEquals("range", classic.value().protocol());
        Set<TopicPartition> held = new HashSet<>();
        for (StoredGroup.Member m : classic.value().members()) {
            held.addAll(ClassicClient.assignment(m.assignment()));
            assertEquals(GroupHarness.SESSION_MS, m.sessionTimeoutMs());
        }
        assertEquals(4, held.size(), "each classic member holds its target assignment");

        assertEquals("classic", groupType(h));
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), describe(h).errorCode());
        DescribeGroupsResponse described = done(h.call(h.describe, 5, new DescribeGroupsRequest().setGroups(List.of(GROUP))));
        assertEquals("PreparingRebalance", described.groups().get(0).groupState());

        // both rejoin through the classic protocol; the second join completes the phase
        assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), k1.heartbeat());
        CompletableFuture<JoinGroupResponse> j1 = k1.joinAsync();
        assertFalse(j1.isDone());
        assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), k2.heartbeat());
        JoinGroupResponse r2 = done(k2.joinAsync());
        JoinGroupResponse r1 = done(j1);
        assertEquals(groupEpoch + 1, r1.generationId());
        assertEquals(r1.generationId(), r2.generationId());
        assertEquals(1, (r1.members().isEmpty() ? 0 : 1) + (r2.members().isEmpty() ? 0 : 1), "one leader");

        GroupHarness restarted = new GroupHarness(h.log, h.config);
        restarted.metadata.createTopic(topic);
        restarted.loadAll();
        assertEquals("classic", groupType(restarted), "the downgrade survives a restart");
    }

    @Test
    void classicMemberThatDoesNotSyncWithinItsRebalanceTimeoutIsFenced() {
        ConsumerClient c1 = consumer("c1");
        ClassicClient k1 = new ClassicClient(h, GROUP, "orders");
        k1.join();
        for (int i = 0; i < 6; i++) {
            h.advance(GroupHarness.REBALANCE_MS / 6 - (i == 5 ? 1 : 0));
            c1.heartbeat();
            short error = k1.heartbeat();
            assertTrue(error == 0 || error == Errors.REBALANCE_IN_PROGRESS.code(), "heartbeats keep its session, not its place");
        }
        assertEquals(2, describe(h).members().size());
        h.advance(1);
        assertEquals(1, describe(h).members().size(), "fenced: it never sent SyncGroup");
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), k1.heartbeat());
    }

    @Test
    void classicMemberToldToRejoinIsFencedAfterItsRebalanceTimeoutEvenWhileItHeartbeats() {
        ConsumerClient c1 = consumer("c1");
        ClassicClient k1 = new ClassicClient(h, GROUP, "orders");
        k1.join();
        k1.sync();
        ConsumerClient.converge(c1);
        assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), k1.heartbeat(), "its partitions are free now");
        for (int i = 0; i < 5; i++) {
            h.advance(GroupHarness.REBALANCE_MS / 5 - 1);
            c1.heartbeat();
            assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), k1.heartbeat());
        }
        h.advance(5);
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), k1.heartbeat(), "fenced by the join deadline");
        assertEquals(1, describe(h).members().size());
    }

    @Test
    void classicMemberSessionUsesItsJoinGroupSessionTimeout() {
        ConsumerClient c1 = consumer("c1");
        ClassicClient k1 = new ClassicClient(h, GROUP, "orders");
        k1.join();
        k1.sync();
        for (int i = 0; i < 3; i++) {
            h.advance(GroupHarness.SESSION_MS - 1);
            c1.heartbeat();
            k1.heartbeat();
        }
        assertEquals(2, describe(h).members().size());
        h.advance(GroupHarness.SESSION_MS);
        assertEquals(1, describe(h).members().size(), "its 10 s session expired, not the 45 s consumer one");
        assertEquals("consumer", groupType(h));
    }

    @Test
    void classicMembersInAConsumerGroupSurviveARestart() {
        ConsumerClient c1 = consumer("c1");
        ClassicClient k1 = new ClassicClient(h, GROUP, "orders");
        k1.join();
        settle(List.of(c1), List.of(k1));
        List<TopicPartition> owned = new ArrayList<>(k1.owned);

        GroupHarness restarted = new GroupHarness(h.log, h.config);
        restarted.metadata.createTopic(topic);
        restarted.loadAll();
        ClassicClient again = new ClassicClient(restarted, GROUP, "orders");
        again.memberId = k1.memberId;
        again.generation = k1.generation;
        assertEquals(0, again.heartbeat());
        SyncGroupResponse synced = again.sync();
        assertEquals(0, synced.errorCode());
        assertEquals(owned, new ArrayList<>(again.owned));
        ConsumerGroupDescribeResponse.DescribedGroup described = describe(restarted);
        assertEquals(1, described.members().stream().filter(m -> m.memberType() == 0).count());
        assertNotNull(described.members().stream().filter(m -> m.memberId().equals("c1")).findFirst().orElse(null));
    }
}
