package dev.runnel.server.group;

import dev.runnel.wire.message.DescribeGroupsRequest;
import dev.runnel.wire.message.DescribeGroupsResponse;
import dev.runnel.wire.message.JoinGroupRequest;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.LeaveGroupRequest;
import dev.runnel.wire.message.LeaveGroupResponse;
import dev.runnel.wire.message.SyncGroupResponse;
import dev.runnel.wire.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.runnel.server.group.GroupHarness.done;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Join, sync, heartbeat and leave cycles of classic groups, driven through the handlers like real clients. */
class ClassicGroupProtocolTest {
    private final GroupHarness h = new GroupHarness().loadAll();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Three members join a new group; the join phase ends after the initial rebalance delay. */
    private List<JoinGroupResponse> formGroup(String group, int members) {
        List<CompletableFuture<JoinGroupResponse>> joins = new java.util.ArrayList<>();
        for (int i = 0; i < members; i++) {
            joins.add(h.joinNew(group));
        }
        joins.forEach(f -> assertFalse(f.isDone(), "parked until the initial delay is over"));
        h.advance(3000); // members arrived during the delay, so it is extended once
        h.advance(3000);
        return joins.stream().map(GroupHarness::done).toList();
    }

    private static JoinGroupResponse leaderOf(List<JoinGroupResponse> joins) {
        return joins.stream().filter(j -> j.leader().equals(j.memberId())).findFirst().orElseThrow();
    }

    /** Leader syncs with an assignment per member; everybody gets theirs. Returns the generation. */
    private int stabilize(String group, List<JoinGroupResponse> joins) {
        int generation = joins.get(0).generationId();
        JoinGroupResponse leader = leaderOf(joins);
        Map<String, CompletableFuture<SyncGroupResponse>> syncs = new HashMap<>();
        for (JoinGroupResponse j : joins) {
            if (j != leader) {
                syncs.put(j.memberId(), h.sync(group, j.memberId(), generation, Map.of()));
            }
        }
        syncs.values().forEach(f -> assertFalse(f.isDone(), "followers wait for the leader"));
        Map<String, byte[]> assignment = new HashMap<>();
        joins.forEach(j -> assignment.put(j.memberId(), bytes("assigned-to-" + j.memberId())));
        syncs.put(leader.memberId(), h.sync(group, leader.memberId(), generation, assignment));
        syncs.forEach((member, f) -> {
            SyncGroupResponse r = done(f);
            assertEquals(0, r.errorCode());
            assertEquals("consumer", r.protocolType());
            assertEquals("range", r.protocolName());
            assertArrayEquals(bytes("assigned-to-" + member), r.assignment());
        });
        return generation;
    }

    private DescribeGroupsResponse.DescribedGroup describe(String group) {
        DescribeGroupsResponse r = done(h.call(h.describe, 5, new DescribeGroupsRequest().setGroups(List.of(group))));
        return r.groups().get(0);
    }

    @Test
    void threeMembersJoinSyncAndHeartbeat() {
        List<JoinGroupResponse> joins = formGroup("g", 3);
        JoinGroupResponse leader = leaderOf(joins);
        for (JoinGroupResponse j : joins) {
            assertEquals(0, j.errorCode());
            assertEquals(1, j.generationId());
            assertEquals("range", j.protocolName(), "both protocols are supported by all; range gets the votes");
            assertEquals("consumer", j.protocolType());
            assertTrue(j.memberId().startsWith("client-"), "member ids start with the client id");
            assertEquals(j == leader ? 3 : 0, j.members().size(), "only the leader gets the members' metadata");
        }
        assertArrayEquals(GroupHarness.subscription("topic-a"), leader.members().get(0).metadata());
        int generation = stabilize("g", joins);
        for (JoinGroupResponse j : joins) {
            assertEquals(0, h.heartbeat("g", j.memberId(), generation));
        }
        DescribeGroupsResponse.DescribedGroup d = describe("g");
        assertEquals("Stable", d.groupState());
        assertEquals("range", d.protocolData());
        assertEquals(3, d.members().size());
        assertEquals("/127.0.0.1", d.members().get(0).clientHost());
    }

    @Test
    void versionsBeforeFourJoinWithoutMemberIdRequired() {
        CompletableFuture<JoinGroupResponse> f = h.call(h.join, 3, GroupHarness.joinRequest("old", "", null, "range"));
        h.advance(3000);
        JoinGroupResponse r = done(f);
        assertEquals(0, r.errorCode());
        assertEquals(1, r.generationId());
        assertEquals(r.memberId(), r.leader());
    }

    @Test
    void newMemberTriggersRebalanceAndExistingMembersRejoin() {
        List<JoinGroupResponse> joins = formGroup("g", 2);
        int generation = stabilize("g", joins);
        CompletableFuture<JoinGroupResponse> third = h.joinNew("g");
        assertFalse(third.isDone());
        for (JoinGroupResponse j : joins) {
            assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), h.heartbeat("g", j.memberId(), generation));
        }
        CompletableFuture<JoinGroupResponse> r1 = h.join("g", joins.get(0).memberId(), "range", "roundrobin");
        assertFalse(r1.isDone(), "waits for the other known member");
        CompletableFuture<JoinGroupResponse> r2 = h.join("g", joins.get(1).memberId(), "range", "roundrobin");
        List<JoinGroupResponse> next = List.of(done(r1), done(r2), done(third));
        next.forEach(j -> assertEquals(generation + 1, j.generationId()));
        assertEquals(3, leaderOf(next).members().size());
        stabilize("g", next);
        assertEquals("Stable", describe("g").groupState());
    }

    @Test
    void leaveTriggersRebalanceOfTheRest() {
        List<JoinGroupResponse> joins = formGroup("g", 2);
        int generation = stabilize("g", joins);
        String leaving = joins.get(1).memberId();
        LeaveGroupResponse left = done(h.call(h.leave, 5, new LeaveGroupRequest().setGroupId("g").setMembers(List.of(
                new LeaveGroupRequest.MemberIdentity().setMemberId(leaving),
                new LeaveGroupRequest.MemberIdentity().setMemberId("nobody")))));
        assertEquals(0, left.errorCode());
        assertEquals(0, left.members().get(0).errorCode());
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), left.members().get(1).errorCode());
        String staying = joins.get(0).memberId();
        assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), h.heartbeat("g", staying, generation));
        JoinGroupResponse rejoined = done(h.join("g", staying, "range"));
        assertEquals(generation + 1, rejoined.generationId());
        assertEquals(1, rejoined.members().size());
        assertEquals(staying, rejoined.leader());
    }

    @Test
    void leaveV0AnswersWithOneErrorCode() {
        List<JoinGroupResponse> joins = formGroup("g", 1);
        stabilize("g", joins);
        LeaveGroupResponse ok = done(h.call(h.leave, 0, new LeaveGroupRequest().setGroupId("g").setMemberId(joins.get(0).memberId())));
        assertEquals(0, ok.errorCode());
        LeaveGroupResponse unknown = done(h.call(h.leave, 2, new LeaveGroupRequest().setGroupId("g").setMemberId("x")));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), unknown.errorCode());
        assertEquals("Empty", describe("g").groupState());
    }

    @Test
    void sessionTimeoutRemovesSilentMembers() {
        List<JoinGroupResponse> joins = formGroup("g", 2);
        int generation = stabilize("g", joins);
        String alive = joins.get(0).memberId();
        h.advance(6000);
        assertEquals(0, h.heartbeat("g", alive, generation));
        h.advance(6000); // the other member's session (10 s) is over
        assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), h.heartbeat("g", alive, generation));
        JoinGroupResponse rejoined = done(h.join("g", alive, "range"));
        assertEquals(1, rejoined.members().size());
        stabilize("g", List.of(rejoined));
        h.advance(GroupHarness.SESSION_MS + 1); // now the last member goes silent too
        DescribeGroupsResponse.DescribedGroup d = describe("g");
        assertEquals("Empty", d.groupState());
        assertEquals(0, d.members().size());
    }

    @Test
    void staticMemberRejoinsWithoutRebalanceAndFencesItsOldId() {
        CompletableFuture<JoinGroupResponse> a = h.joinStatic("s", "", "instance-a");
        CompletableFuture<JoinGroupResponse> b = h.joinStatic("s", "", "instance-b");
        h.advance(3000);
        h.advance(3000);
        List<JoinGroupResponse> joins = List.of(done(a), done(b));
        int generation = stabilize("s", joins);
        String oldB = joins.get(1).memberId();
        assertTrue(oldB.startsWith("instance-b-"));

        // instance-b restarts and joins without a member id: same protocols, so no rebalance
        JoinGroupResponse again = done(h.joinStatic("s", "", "instance-b"));
        assertEquals(0, again.errorCode());
        assertEquals(generation, again.generationId());
        assertFalse(again.memberId().equals(oldB));
        assertEquals("Stable", describe("s").groupState());
        assertEquals(0, h.heartbeat("s", joins.get(0).memberId(), "instance-a", generation));
        assertEquals(Errors.FENCED_INSTANCE_ID.code(), h.heartbeat("s", oldB, "instance-b", generation));
        SyncGroupResponse assignment = done(h.sync("s", again.memberId(), generation, Map.of()));
        assertArrayEquals(bytes("assigned-to-" + oldB), assignment.assignment(), "the new id keeps the old assignment");
        assertEquals(0, h.heartbeat("s", again.memberId(), "instance-b", generation));
    }

    @Test
    void staticLeaderRejoiningAtV9SkipsAssignment() {
        CompletableFuture<JoinGroupResponse> a = h.joinStatic("s", "", "instance-a");
        h.advance(3000);
        JoinGroupResponse first = done(a);
        int generation = stabilize("s", List.of(first));
        JoinGroupResponse again = done(h.joinStatic("s", "", "instance-a"));
        assertTrue(again.skipAssignment());
        assertEquals(again.memberId(), again.leader());
        assertEquals(1, again.members().size());
        assertEquals(generation, again.generationId());
    }

    @Test
    void errorPaths() {
        List<JoinGroupResponse> joins = formGroup("g", 2);
        int generation = stabilize("g", joins);
        String m = joins.get(0).memberId();
        assertEquals(Errors.ILLEGAL_GENERATION.code(), h.heartbeat("g", m, generation + 5));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), h.heartbeat("g", "stranger", generation));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), h.heartbeat("no-such-group", m, 1));
        // a different protocol type, or no protocol in common, cannot join
        JoinGroupRequest otherType = GroupHarness.joinRequest("g", "", null, "range").setProtocolType("connect");
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), ((JoinGroupResponse) done(h.call(h.join, 9, otherType))).errorCode());
        JoinGroupRequest noCommon = GroupHarness.joinRequest("g", "", null, "sticky");
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), ((JoinGroupResponse) done(h.call(h.join, 9, noCommon))).errorCode());
        // SyncGroup v5 must repeat the protocol it was given
        var wrongName = new dev.runnel.wire.message.SyncGroupRequest().setGroupId("g").setMemberId(m)
                .setGenerationId(generation).setProtocolType("consumer").setProtocolName("roundrobin");
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), ((SyncGroupResponse) done(h.call(h.sync, 5, wrongName))).errorCode());
        var missing = new dev.runnel.wire.message.SyncGroupRequest().setGroupId("g").setMemberId(m).setGenerationId(generation);
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), ((SyncGroupResponse) done(h.call(h.sync, 5, missing))).errorCode());
        assertEquals(0, ((SyncGroupResponse) done(h.call(h.sync, 4, missing))).errorCode(), "optional before v5");
        // during a rebalance, SyncGroup is refused
        h.join("g", m, "range");
        assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), done(h.sync("g", joins.get(1).memberId(), generation, Map.of())).errorCode());
        // bad requests
        JoinGroupRequest tooShort = GroupHarness.joinRequest("g2", "", null, "range").setSessionTimeoutMs(10);
        assertEquals(Errors.INVALID_SESSION_TIMEOUT.code(), ((JoinGroupResponse) done(h.call(h.join, 9, tooShort))).errorCode());
        assertEquals(Errors.INVALID_GROUP_ID.code(), done(h.join("", "", "range")).errorCode());
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), done(h.join("never-seen", "made-up-id", "range")).errorCode());
    }

    @Test
    void groupMaxSizeRejectsTheExtraMember() {
        GroupHarness small = new GroupHarness(new InMemoryCoordinatorLog(), GroupHarness.config(1)).loadAll();
        CompletableFuture<JoinGroupResponse> first = small.joinNew("g");
        JoinGroupResponse id = done(small.join("g", "", "range"));
        JoinGroupResponse second = done(small.join("g", id.memberId(), "range"));
        assertEquals(Errors.GROUP_MAX_SIZE_REACHED.code(), second.errorCode());
        small.advance(3000);
        assertEquals(0, done(first).errorCode());
    }

    @Test
    void partitionsNotLoadedHereAnswerNotCoordinatorAndLoadingOnesLoadInProgress() {
        GroupHarness none = new GroupHarness();
        assertEquals(Errors.NOT_COORDINATOR.code(), done(none.join("g", "", "range")).errorCode());
        assertEquals(Errors.NOT_COORDINATOR.code(), none.heartbeat("g", "m", 1));

        CoordinatorLog slow = new CoordinatorLog() {
            @Override
            public CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Void> replay(int partition, java.util.function.Consumer<CoordinatorRecord> sink) {
                return new CompletableFuture<>(); // never finishes loading
            }
        };
        GroupCoordinator loading = new GroupCoordinator(GroupHarness.config(10), slow, h.timer, h.clock::get, p -> Runnable::run);
        int p = loading.partitionFor("g");
        loading.loadPartition(p);
        assertEquals(GroupCoordinator.PartitionState.LOADING, loading.partitionState(p));
        Requester client = new Requester("c", "/127.0.0.1", (short) 9);
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS.code(),
                loading.joinGroup(client, GroupHarness.joinRequest("g", "", null, "range")).join().errorCode());
        // Kafka answers heartbeats blindly while loading
        assertEquals(0, loading.heartbeat(client, new dev.runnel.wire.message.HeartbeatRequest().setGroupId("g")
                .setMemberId("m").setGenerationId(1)).join().errorCode());
    }

    @Test
    void syncResponsesWaitUntilTheAssignmentIsCommitted() {
        List<JoinGroupResponse> joins = formGroup("g", 2);
        JoinGroupResponse leader = leaderOf(joins);
        JoinGroupResponse follower = joins.get(0) == leader ? joins.get(1) : joins.get(0);
        int generation = leader.generationId();
        h.log.holdAppends();
        CompletableFuture<SyncGroupResponse> fromFollower = h.sync("g", follower.memberId(), generation, Map.of());
        CompletableFuture<SyncGroupResponse> fromLeader = h.sync("g", leader.memberId(), generation,
                Map.of(leader.memberId(), bytes("L"), follower.memberId(), bytes("F")));
        assertEquals(1, h.log.heldAppends());
        assertFalse(fromLeader.isDone());
        assertFalse(fromFollower.isDone());
        h.log.releaseAppends();
        assertArrayEquals(bytes("L"), done(fromLeader).assignment());
        assertArrayEquals(bytes("F"), done(fromFollower).assignment());
    }

    @Test
    void failedAssignmentWriteMakesMembersRejoin() {
        List<JoinGroupResponse> joins = formGroup("g", 1);
        JoinGroupResponse leader = joins.get(0);
        h.log.holdAppends();
        CompletableFuture<SyncGroupResponse> sync = h.sync("g", leader.memberId(), leader.generationId(), Map.of());
        h.log.failHeldAppends(new GroupException(Errors.NOT_ENOUGH_REPLICAS));
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), done(sync).errorCode());
        assertEquals("PreparingRebalance", describe("g").groupState());
    }

    @Test
    void joinAfterJoinPhaseTimeoutDropsMembersThatDidNotRejoin() {
        List<JoinGroupResponse> joins = formGroup("g", 2);
        int generation = stabilize("g", joins);
        String rejoining = joins.get(0).memberId();
        CompletableFuture<JoinGroupResponse> r = h.join("g", rejoining, "range", "roundrobin", "sticky");
        assertFalse(r.isDone());
        h.advance(5000);
        assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), h.heartbeat("g", joins.get(1).memberId(), generation));
        h.advance(GroupHarness.REBALANCE_MS); // the other member never rejoins within the rebalance timeout
        JoinGroupResponse done = done(r);
        assertEquals(generation + 1, done.generationId());
        assertEquals(1, done.members().size());
    }

    @Test
    void administratorRemovesStaticMembersByInstanceId() {
        CompletableFuture<JoinGroupResponse> a = h.joinStatic("s", "", "instance-a");
        h.advance(3000);
        int generation = stabilize("s", List.of(done(a)));
        LeaveGroupResponse r = done(h.call(h.leave, 4, new LeaveGroupRequest().setGroupId("s").setMembers(List.of(
                new LeaveGroupRequest.MemberIdentity().setGroupInstanceId("instance-a"),
                new LeaveGroupRequest.MemberIdentity().setGroupInstanceId("instance-z")))));
        assertEquals(0, r.members().get(0).errorCode());
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), r.members().get(1).errorCode());
        assertEquals("Empty", describe("s").groupState());
        CompletableFuture<JoinGroupResponse> back = h.joinStatic("s", "", "instance-a");
        h.advance(3000);
        // leaving emptied the group (generation + 1); coming back is the next generation
        assertEquals(generation + 2, done(back).generationId());
    }

    @Test
    void describeReportsUnknownGroupsAsDeadAndFromV6WithAnError() {
        DescribeGroupsResponse v5 = done(h.call(h.describe, 5, new DescribeGroupsRequest().setGroups(List.of("ghost"))));
        assertEquals("Dead", v5.groups().get(0).groupState());
        assertEquals(0, v5.groups().get(0).errorCode());
        DescribeGroupsResponse v6 = done(h.call(h.describe, 6, new DescribeGroupsRequest().setGroups(List.of("ghost"))
                .setIncludeAuthorizedOperations(true)));
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), v6.groups().get(0).errorCode());
        CompletableFuture<JoinGroupResponse> f = h.joinNew("g");
        h.advance(3000);
        done(f);
        DescribeGroupsResponse joining = done(h.call(h.describe, 6, new DescribeGroupsRequest().setGroups(List.of("g"))
                .setIncludeAuthorizedOperations(true)));
        assertEquals("CompletingRebalance", joining.groups().get(0).groupState());
        assertEquals("", joining.groups().get(0).protocolData(), "the protocol is shown once Stable");
        assertEquals((1 << 3) | (1 << 6) | (1 << 8), joining.groups().get(0).authorizedOperations());
    }
}
