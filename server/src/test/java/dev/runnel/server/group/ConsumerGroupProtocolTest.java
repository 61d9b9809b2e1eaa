package dev.runnel.server.group;

import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.message.ConsumerGroupDescribeRequest;
import dev.runnel.wire.message.ConsumerGroupDescribeResponse;
import dev.runnel.wire.message.ConsumerGroupHeartbeatRequest;
import dev.runnel.wire.message.ConsumerGroupHeartbeatResponse;
import dev.runnel.wire.message.ListGroupsRequest;
import dev.runnel.wire.message.ListGroupsResponse;
import dev.runnel.wire.message.OffsetCommitRequest;
import dev.runnel.wire.message.OffsetCommitResponse;
import dev.runnel.wire.message.OffsetFetchRequest;
import dev.runnel.wire.message.OffsetFetchResponse;
import dev.runnel.wire.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static dev.runnel.server.group.GroupHarness.done;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KIP-848 consumer groups through the ConsumerGroupHeartbeat handler, with members simulated like the Java
 * client (they report what they own and adopt each assignment they receive), on a manual timer.
 */
class ConsumerGroupProtocolTest {
    private static final String GROUP = "cg";
    private GroupHarness h;
    private TopicMetadata topic;

    /** A client: its id, epoch and the partitions it owns. */
    private final class Member {
        final String id = UUID.randomUUID().toString();
        final String instanceId;
        int epoch;
        Map<UUID, Set<Integer>> owned = new HashMap<>();
        ConsumerGroupHeartbeatResponse last;

        Member(String instanceId) {
            this.instanceId = instanceId;
        }

        ConsumerGroupHeartbeatResponse join() {
            return send(new ConsumerGroupHeartbeatRequest().setGroupId(GROUP).setMemberId(id).setMemberEpoch(0)
                    .setInstanceId(instanceId).setRebalanceTimeoutMs(300_000)
                    .setSubscribedTopicNames(List.of(topic.name())).setTopicPartitions(new ArrayList<>()));
        }

        ConsumerGroupHeartbeatResponse joinWith(String regex, String assignor) {
            return send(new ConsumerGroupHeartbeatRequest().setGroupId(GROUP).setMemberId(id).setMemberEpoch(0)
                    .setRebalanceTimeoutMs(300_000).setSubscribedTopicRegex(regex).setServerAssignor(assignor)
                    .setSubscribedTopicNames(regex == null ? List.of(topic.name()) : null)
                    .setTopicPartitions(new ArrayList<>()));
        }

        ConsumerGroupHeartbeatResponse heartbeat() {
            List<ConsumerGroupHeartbeatRequest.TopicPartitions> tps = new ArrayList<>();
            owned.forEach((t, ps) -> tps.add(new ConsumerGroupHeartbeatRequest.TopicPartitions().setTopicId(t)
                    .setPartitions(new ArrayList<>(ps))));
            return send(new ConsumerGroupHeartbeatRequest().setGroupId(GROUP).setMemberId(id).setMemberEpoch(epoch)
                    .setInstanceId(instanceId).setTopicPartitions(tps));
        }

        ConsumerGroupHeartbeatResponse leave(int leaveEpoch) {
            return send(new ConsumerGroupHeartbeatRequest().setGroupId(GROUP).setMemberId(id).setMemberEpoch(leaveEpoch)
                    .setInstanceId(instanceId));
        }

        ConsumerGroupHeartbeatResponse send(ConsumerGroupHeartbeatRequest request) {
            last = done(h.<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>call(h.consumerHeartbeat, 1, request));
            if (last.errorCode() == 0) {
                epoch = last.memberEpoch();
                if (last.assignment() != null) {
                    owned = new HashMap<>();
                    for (ConsumerGroupHeartbeatResponse.TopicPartitions tp : last.assignment().topicPartitions()) {
                        owned.put(tp.topicId(), new TreeSet<>(tp.partitions()));
                    }
                }
            }
            return last;
        }

        Set<Integer> partitions() {
            return owned.getOrDefault(topic.topicId(), Set.of());
        }
    }

    @BeforeEach
    void setUp() {
        h = new GroupHarness().loadAll();
        topic = h.metadata.add("orders", 6);
    }

    /** Heartbeats every member until nothing changes; asserts no partition is ever owned twice. */
    private void converge(Member... members) {
        for (int round = 0; round < 10; round++) {
            for (Member m : members) {
                assertEquals(0, m.heartbeat().errorCode());
                assertExclusive(members);
            }
        }
    }

    private static void assertExclusive(Member... members) {
        Set<Integer> seen = new HashSet<>();
        for (Member m : members) {
            for (int p : m.partitions()) {
                assertTrue(seen.add(p), "partition " + p + " owned twice");
            }
        }
    }

    private ConsumerGroupDescribeResponse.DescribedGroup describe() {
        ConsumerGroupDescribeResponse r = done(h.call(h.consumerDescribe, 1,
                new ConsumerGroupDescribeRequest().setGroupIds(List.of(GROUP))));
        return r.groups().get(0);
    }

    @Test
    void firstMemberJoinsAndGetsEveryPartition() {
        Member a = new Member(null);
        ConsumerGroupHeartbeatResponse r = a.join();
        assertEquals(0, r.errorCode());
        assertEquals(a.id, r.memberId());
        assertEquals(1, r.memberEpoch());
        assertEquals(5000, r.heartbeatIntervalMs());
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), a.partitions());
        ConsumerGroupDescribeResponse.DescribedGroup g = describe();
        assertEquals("Stable", g.groupState());
        assertEquals(1, g.groupEpoch());
        assertEquals(1, g.assignmentEpoch());
        assertEquals("uniform", g.assignorName());
        assertEquals("orders", g.members().get(0).assignment().topicPartitions().get(0).topicName());
        // a plain heartbeat with nothing new carries no assignment
        assertNull(a.heartbeat().assignment());
    }

    @Test
    void secondMemberGetsPartitionsOnlyAfterTheFirstRevokesThem() {
        Member a = new Member(null);
        a.join();
        Member b = new Member(null);
        ConsumerGroupHeartbeatResponse joined = b.join();
        assertEquals(2, joined.memberEpoch());
        assertTrue(b.partitions().isEmpty(), "nothing is free yet: a still owns all");
        assertEquals("Reconciling", describe().groupState());

        // a is asked to revoke half, keeping its epoch until it has
        ConsumerGroupHeartbeatResponse revoke = a.heartbeat();
        assertEquals(1, revoke.memberEpoch());
        assertEquals(3, a.partitions().size());
        assertTrue(b.heartbeat().assignment() == null && b.partitions().isEmpty(), "still not released");

        assertEquals(2, a.heartbeat().memberEpoch());
        b.heartbeat();
        assertEquals(3, b.partitions().size());
        assertExclusive(a, b);
        Set<Integer> all = new TreeSet<>(a.partitions());
        all.addAll(b.partitions());
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), all);
        assertEquals("Stable", describe().groupState());
    }

    @Test
    void leavingMemberHandsItsPartitionsOver() {
        Member a = new Member(null);
        Member b = new Member(null);
        a.join();
        b.join();
        converge(a, b);
        ConsumerGroupHeartbeatResponse left = a.leave(-1);
        assertEquals(-1, left.memberEpoch());
        converge(b);
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), b.partitions());
        assertEquals(1, describe().members().size());
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), a.heartbeat().errorCode());
    }

    @Test
    void silentMemberIsFencedAfterTheSessionTimeout() {
        Member a = new Member(null);
        Member b = new Member(null);
        a.join();
        b.join();
        converge(a, b);
        for (int i = 0; i < 8; i++) {
            h.advance(5000);
            b.heartbeat();
        }
        h.advance(4999);
        b.heartbeat();
        assertEquals(2, describe().members().size(), "45 s not yet over for a");
        h.advance(1);
        converge(b);
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), b.partitions());
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), a.heartbeat().errorCode());
    }

    @Test
    void staticMemberRejoinsWithItsAssignmentAndWithoutARebalance() {
        Member a = new Member("instance-a");
        Member b = new Member(null);
        a.join();
        b.join();
        converge(a, b);
        Set<Integer> before = a.partitions();
        int groupEpoch = describe().groupEpoch();

        assertEquals(Errors.UNRELEASED_INSTANCE_ID.code(), new Member("instance-a").join().errorCode());
        assertEquals(-2, a.leave(-2).memberEpoch());
        Member again = new Member("instance-a");
        ConsumerGroupHeartbeatResponse r = again.join();
        assertEquals(0, r.errorCode());
        assertEquals(before, again.partitions());
        assertEquals(groupEpoch, describe().groupEpoch());
        assertEquals(groupEpoch, r.memberEpoch());
        converge(again, b);
        assertEquals(before, again.partitions());
        assertEquals(2, describe().members().size());
    }

    @Test
    void wrongEpochsAndBadRequestsGetKafkasErrors() {
        Member a = new Member(null);
        a.join();
        a.epoch = 7;
        assertEquals(Errors.FENCED_MEMBER_EPOCH.code(), a.heartbeat().errorCode());
        Member stranger = new Member(null);
        stranger.epoch = 1;
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), stranger.heartbeat().errorCode());
        ConsumerGroupHeartbeatResponse noTimeout = done(h.call(h.consumerHeartbeat, 1, new ConsumerGroupHeartbeatRequest()
                .setGroupId(GROUP).setMemberId("x").setMemberEpoch(0).setSubscribedTopicNames(List.of("orders"))
                .setTopicPartitions(new ArrayList<>())));
        assertEquals(Errors.INVALID_REQUEST.code(), noTimeout.errorCode());
        assertEquals("RebalanceTimeoutMs must be provided in first request.", noTimeout.errorMessage());
        ConsumerGroupHeartbeatResponse noMemberId = done(h.call(h.consumerHeartbeat, 1, new ConsumerGroupHeartbeatRequest()
                .setGroupId(GROUP).setMemberId("").setMemberEpoch(0).setRebalanceTimeoutMs(1000)
                .setSubscribedTopicNames(List.of("orders")).setTopicPartitions(new ArrayList<>())));
        assertEquals(Errors.INVALID_REQUEST.code(), noMemberId.errorCode());
        ConsumerGroupHeartbeatResponse assignor = done(h.call(h.consumerHeartbeat, 1, new ConsumerGroupHeartbeatRequest()
                .setGroupId(GROUP).setMemberId("y").setMemberEpoch(0).setRebalanceTimeoutMs(1000).setServerAssignor("sticky")
                .setSubscribedTopicNames(List.of("orders")).setTopicPartitions(new ArrayList<>())));
        assertEquals(Errors.UNSUPPORTED_ASSIGNOR.code(), assignor.errorCode());
        ConsumerGroupDescribeResponse missing = done(h.call(h.consumerDescribe, 1,
                new ConsumerGroupDescribeRequest().setGroupIds(List.of("nope"))));
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), missing.groups().get(0).errorCode());
    }

    @Test
    void groupSizeIsCappedByGroupConsumerMaxSize() {
        h = new GroupHarness(new InMemoryCoordinatorLog(), h.config,
                new ConsumerGroupConfig(45000, 5000, List.of("uniform", "range"), 1)).loadAll();
        topic = h.metadata.add("orders", 6);
        assertEquals(0, new Member(null).join().errorCode());
        assertEquals(Errors.GROUP_MAX_SIZE_REACHED.code(), new Member(null).join().errorCode());
    }

    @Test
    void partitionsNotLoadedHereAnswerNotCoordinator() {
        h = new GroupHarness();
        topic = h.metadata.add("orders", 6);
        assertEquals(Errors.NOT_COORDINATOR.code(), new Member(null).join().errorCode());
    }

    @Test
    void regexSubscriptionFollowsNewTopics() {
        Member a = new Member(null);
        a.joinWith("ord.*", null);
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), a.partitions());
        TopicMetadata more = h.metadata.add("ordinals", 2);
        h.metadata.add("unrelated", 3);
        a.heartbeat();
        assertEquals(Set.of(0, 1), a.owned.get(more.topicId()));
        assertEquals(2, a.owned.size());
        assertEquals("ord.*", describe().members().get(0).subscribedTopicRegex());
    }

    @Test
    void rangeAssignorCanBeRequested() {
        Member a = new Member(null);
        Member b = new Member(null);
        a.joinWith(null, "range");
        b.joinWith(null, "range");
        converge(a, b);
        Member first = a.id.compareTo(b.id) < 0 ? a : b;
        Member second = first == a ? b : a;
        assertEquals(Set.of(0, 1, 2), first.partitions());
        assertEquals(Set.of(3, 4, 5), second.partitions());
        assertEquals("range", describe().assignorName());
    }

    @Test
    void commitsAreCheckedAgainstTheMemberEpoch() {
        Member a = new Member(null);
        a.join();
        OffsetCommitResponse stale = done(h.call(h.commit, 9, commit(a.id, a.epoch + 1)));
        assertEquals(Errors.STALE_MEMBER_EPOCH.code(), stale.topics().get(0).partitions().get(0).errorCode());
        OffsetCommitResponse unknown = done(h.call(h.commit, 9, commit("ghost", 1)));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), unknown.topics().get(0).partitions().get(0).errorCode());
        OffsetCommitResponse ok = done(h.call(h.commit, 9, commit(a.id, a.epoch)));
        assertEquals(0, ok.topics().get(0).partitions().get(0).errorCode());
        OffsetFetchResponse fetched = done(h.call(h.fetch, 9, new OffsetFetchRequest().setGroups(List.of(
                new OffsetFetchRequest.OffsetFetchRequestGroup().setGroupId(GROUP).setMemberId(a.id).setMemberEpoch(a.epoch)
                        .setTopics(List.of(new OffsetFetchRequest.OffsetFetchRequestTopics().setName("orders")
                                .setPartitionIndexes(List.of(0))))))));
        assertEquals(42L, fetched.groups().get(0).topics().get(0).partitions().get(0).committedOffset());
        OffsetFetchResponse staleFetch = done(h.call(h.fetch, 9, new OffsetFetchRequest().setGroups(List.of(
                new OffsetFetchRequest.OffsetFetchRequestGroup().setGroupId(GROUP).setMemberId(a.id).setMemberEpoch(a.epoch + 5)
                        .setTopics(List.of(new OffsetFetchRequest.OffsetFetchRequestTopics().setName("orders")
                                .setPartitionIndexes(List.of(0))))))));
        assertEquals(Errors.STALE_MEMBER_EPOCH.code(), staleFetch.groups().get(0).errorCode());
    }

    private OffsetCommitRequest commit(String memberId, int epoch) {
        return new OffsetCommitRequest().setGroupId(GROUP).setMemberId(memberId).setGenerationIdOrMemberEpoch(epoch)
                .setTopics(List.of(new OffsetCommitRequest.OffsetCommitRequestTopic().setName("orders")
                        .setPartitions(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(42)))));
    }

    @Test
    void listGroupsShowsTheConsumerType() {
        new Member(null).join();
        ListGroupsResponse all = done(h.call(h.list, 5, new ListGroupsRequest().setTypesFilter(List.of("consumer"))));
        assertEquals(1, all.groups().size());
        assertEquals("consumer", all.groups().get(0).groupType());
        assertEquals("Stable", all.groups().get(0).groupState());
        ListGroupsResponse classic = done(h.call(h.list, 5, new ListGroupsRequest().setTypesFilter(List.of("classic"))));
        assertTrue(classic.groups().isEmpty());
    }

    @Test
    void restartRestoresMembersEpochsAndAssignments() {
        Member a = new Member(null);
        Member b = new Member("instance-b");
        a.join();
        b.join();
        converge(a, b);
        ConsumerGroupDescribeResponse.DescribedGroup before = describe();

        GroupHarness restarted = new GroupHarness(h.log, h.config);
        restarted.metadata.createTopic(topic);
        restarted.loadAll();
        h = restarted;
        ConsumerGroupDescribeResponse.DescribedGroup after = describe();
        assertEquals(before, after);
        // members carry on at their epochs, and nothing moves
        Set<Integer> aOwned = a.partitions();
        converge(a, b);
        assertEquals(aOwned, a.partitions());
        assertFalse(a.partitions().isEmpty());
        assertNotNull(after.members().get(0).memberId());
    }
}
