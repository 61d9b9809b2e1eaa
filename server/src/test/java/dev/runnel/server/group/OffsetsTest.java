package dev.runnel.server.group;

import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.message.DeleteGroupsRequest;
import dev.runnel.wire.message.DeleteGroupsResponse;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.ListGroupsRequest;
import dev.runnel.wire.message.ListGroupsResponse;
import dev.runnel.wire.message.OffsetCommitRequest;
import dev.runnel.wire.message.OffsetCommitResponse;
import dev.runnel.wire.message.OffsetDeleteRequest;
import dev.runnel.wire.message.OffsetDeleteResponse;
import dev.runnel.wire.message.OffsetFetchRequest;
import dev.runnel.wire.message.OffsetFetchResponse;
import dev.runnel.wire.protocol.Errors;
import dev.runnel.wire.protocol.Types;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static dev.runnel.server.group.GroupHarness.done;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OffsetCommit, OffsetFetch, OffsetDelete, ListGroups and DeleteGroups through the handlers. */
class OffsetsTest {
    private final GroupHarness h = new GroupHarness().loadAll();
    private final TopicMetadata orders = h.metadata.add("orders", 3);
    private final TopicMetadata payments = h.metadata.add("payments", 1);

    private static OffsetCommitRequest.OffsetCommitRequestTopic topic(String name, UUID id, int partition, long offset, String metadata) {
        return new OffsetCommitRequest.OffsetCommitRequestTopic().setName(name).setTopicId(id)
                .setPartitions(new java.util.ArrayList<>(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                        .setPartitionIndex(partition).setCommittedOffset(offset).setCommittedLeaderEpoch(7)
                        .setCommittedMetadata(metadata))));
    }

    private OffsetCommitResponse commit(int version, String group, int generation, String member,
                                        OffsetCommitRequest.OffsetCommitRequestTopic... topics) {
        return (OffsetCommitResponse) done(h.call(h.commit, version, new OffsetCommitRequest().setGroupId(group)
                .setGenerationIdOrMemberEpoch(generation).setMemberId(member)
                .setTopics(new java.util.ArrayList<>(List.of(topics)))));
    }

    private OffsetFetchResponse.OffsetFetchResponseGroup fetch(String group, String topic, int... partitions) {
        List<Integer> list = java.util.Arrays.stream(partitions).boxed().toList();
        OffsetFetchRequest r = new OffsetFetchRequest().setGroups(List.of(new OffsetFetchRequest.OffsetFetchRequestGroup()
                .setGroupId(group).setTopics(List.of(new OffsetFetchRequest.OffsetFetchRequestTopics().setName(topic)
                        .setPartitionIndexes(list)))));
        return ((OffsetFetchResponse) done(h.call(h.fetch, 9, r))).groups().get(0);
    }

    private static short error(OffsetCommitResponse r, int topic, int partition) {
        return r.topics().get(topic).partitions().get(partition).errorCode();
    }

    @Test
    void committedOffsetsAndMetadataRoundTrip() {
        OffsetCommitResponse r = commit(8, "simple", -1, "", topic("orders", null, 1, 42, "my metadata"),
                topic("payments", null, 0, 7, null));
        assertEquals(0, error(r, 0, 0));
        assertEquals(0, error(r, 1, 0));
        OffsetFetchResponse.OffsetFetchResponseGroup g = fetch("simple", "orders", 0, 1);
        assertEquals(0, g.errorCode());
        var p0 = g.topics().get(0).partitions().get(0);
        var p1 = g.topics().get(0).partitions().get(1);
        assertEquals(-1, p0.committedOffset(), "no offset committed for partition 0");
        assertEquals("", p0.metadata());
        assertEquals(42, p1.committedOffset());
        assertEquals(7, p1.committedLeaderEpoch());
        assertEquals("my metadata", p1.metadata());
        assertEquals("", fetch("simple", "payments", 0).topics().get(0).partitions().get(0).metadata(),
                "null metadata is stored as empty");

        // v1-v7 single-group shape, and null topics meaning "all" (v2+)
        OffsetFetchResponse v5 = (OffsetFetchResponse) done(h.call(h.fetch, 5, new OffsetFetchRequest().setGroupId("simple").setTopics(null)));
        assertEquals(2, v5.topics().size());
        assertEquals("orders", v5.topics().get(0).name());
        assertEquals(42, v5.topics().get(0).partitions().get(0).committedOffset());
        assertEquals("payments", v5.topics().get(1).name());

        // v10 speaks topic ids, both ways
        OffsetCommitResponse byId = commit(10, "simple", -1, "", topic("", orders.topicId(), 2, 99, "by id"));
        assertEquals(0, error(byId, 0, 0));
        OffsetFetchResponse v10 = (OffsetFetchResponse) done(h.call(h.fetch, 10, new OffsetFetchRequest().setGroups(List.of(
                new OffsetFetchRequest.OffsetFetchRequestGroup().setGroupId("simple").setTopics(List.of(
                        new OffsetFetchRequest.OffsetFetchRequestTopics().setTopicId(orders.topicId()).setPartitionIndexes(List.of(2)),
                        new OffsetFetchRequest.OffsetFetchRequestTopics().setTopicId(UUID.randomUUID()).setPartitionIndexes(List.of(0))))))));
        var topics = v10.groups().get(0).topics();
        assertEquals(orders.topicId(), topics.get(0).topicId());
        assertEquals(99, topics.get(0).partitions().get(0).committedOffset());
        assertEquals("by id", topics.get(0).partitions().get(0).metadata());
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), topics.get(1).partitions().get(0).errorCode());
    }

    @Test
    void unknownTopicsPartitionsAndOversizedMetadataAreRejected() {
        OffsetCommitResponse r = commit(8, "g", -1, "", topic("nope", null, 0, 1, ""), topic("orders", null, 9, 1, ""),
                topic("orders", null, 0, 1, "x".repeat(4097)));
        assertEquals(Errors.OFFSET_METADATA_TOO_LARGE.code(), error(r, 0, 0));
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), r.topics().stream().filter(t -> t.name().equals("nope"))
                .findFirst().orElseThrow().partitions().get(0).errorCode());
        OffsetCommitResponse byId = commit(10, "g", -1, "", topic("", UUID.randomUUID(), 0, 1, ""));
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), error(byId, 0, 0));
        assertEquals(-1, fetch("g", "orders", 0).topics().get(0).partitions().get(0).committedOffset());
    }

    @Test
    void membersCommitWithTheirGeneration() {
        CompletableFuture<JoinGroupResponse> f = h.joinNew("g");
        h.advance(3000);
        JoinGroupResponse member = done(f);
        int generation = member.generationId();
        var t = topic("orders", null, 0, 5, "");
        assertEquals(Errors.REBALANCE_IN_PROGRESS.code(), error(commit(8, "g", generation, member.memberId(), t), 0, 0),
                "not synced yet");
        h.sync("g", member.memberId(), generation, Map.of());
        assertEquals(0, error(commit(8, "g", generation, member.memberId(), t), 0, 0));
        assertEquals(Errors.ILLEGAL_GENERATION.code(), error(commit(8, "g", generation + 1, member.memberId(), t), 0, 0));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), error(commit(8, "g", generation, "someone-else", t), 0, 0));
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), error(commit(8, "g", -1, "", t), 0, 0), "group is not empty");
        assertEquals(Errors.ILLEGAL_GENERATION.code(), error(commit(8, "missing", 3, "m", t), 0, 0));
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), error(commit(9, "missing", 3, "m", t), 0, 0));
        assertEquals(5, fetch("g", "orders", 0).topics().get(0).partitions().get(0).committedOffset());
    }

    @Test
    void commitResponseWaitsForTheRecordAndRequireStableFetchWaitsToo() {
        h.log.holdAppends();
        CompletableFuture<Object> c = h.call(h.commit, 8, new OffsetCommitRequest().setGroupId("g")
                .setTopics(new java.util.ArrayList<>(List.of(topic("orders", null, 0, 11, "")))));
        CompletableFuture<Object> stable = h.call(h.fetch, 8, new OffsetFetchRequest().setRequireStable(true)
                .setGroups(List.of(new OffsetFetchRequest.OffsetFetchRequestGroup().setGroupId("g").setTopics(null))));
        assertFalse(c.isDone());
        assertFalse(stable.isDone());
        h.log.releaseAppends();
        assertEquals(0, ((OffsetCommitResponse) done(c)).topics().get(0).partitions().get(0).errorCode());
        assertEquals(11, ((OffsetFetchResponse) done(stable)).groups().get(0).topics().get(0).partitions().get(0).committedOffset());
        assertEquals(1, h.log.entries(h.coordinator.partitionFor("g")).size());
    }

    @Test
    void offsetDeleteRefusesSubscribedTopicsAndDeletesTheRest() {
        CompletableFuture<JoinGroupResponse> f = h.joinNew("g"); // subscribed to topic-a
        h.advance(3000);
        JoinGroupResponse member = done(f);
        h.sync("g", member.memberId(), member.generationId(), Map.of());
        h.metadata.add("topic-a", 1);
        commit(8, "g", member.generationId(), member.memberId(), topic("topic-a", null, 0, 1, ""), topic("orders", null, 0, 2, ""));
        OffsetDeleteResponse r = (OffsetDeleteResponse) done(h.call(h.deleteOffsets, 0, new OffsetDeleteRequest().setGroupId("g")
                .setTopics(List.of(
                        new OffsetDeleteRequest.OffsetDeleteRequestTopic().setName("topic-a").setPartitions(List.of(
                                new OffsetDeleteRequest.OffsetDeleteRequestPartition().setPartitionIndex(0))),
                        new OffsetDeleteRequest.OffsetDeleteRequestTopic().setName("orders").setPartitions(List.of(
                                new OffsetDeleteRequest.OffsetDeleteRequestPartition().setPartitionIndex(0))),
                        new OffsetDeleteRequest.OffsetDeleteRequestTopic().setName("ghost").setPartitions(List.of(
                                new OffsetDeleteRequest.OffsetDeleteRequestPartition().setPartitionIndex(0)))))));
        assertEquals(0, r.errorCode());
        assertEquals(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code(), r.topics().get(0).partitions().get(0).errorCode());
        assertEquals(0, r.topics().get(1).partitions().get(0).errorCode());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), r.topics().get(2).partitions().get(0).errorCode());
        assertEquals(1, fetch("g", "topic-a", 0).topics().get(0).partitions().get(0).committedOffset());
        assertEquals(-1, fetch("g", "orders", 0).topics().get(0).partitions().get(0).committedOffset());
        OffsetDeleteResponse unknown = (OffsetDeleteResponse) done(h.call(h.deleteOffsets, 0,
                new OffsetDeleteRequest().setGroupId("nobody")));
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), unknown.errorCode());
    }

    @Test
    void deleteGroupsDeletesOnlyEmptyGroupsWithTheirOffsets() {
        commit(8, "idle", -1, "", topic("orders", null, 0, 3, ""));
        CompletableFuture<JoinGroupResponse> f = h.joinNew("busy");
        h.advance(3000);
        assertEquals(0, done(f).errorCode());
        DeleteGroupsResponse r = (DeleteGroupsResponse) done(h.call(h.deleteGroups, 2,
                new DeleteGroupsRequest().setGroupsNames(List.of("idle", "busy", "unknown", "idle"))));
        assertEquals(3, r.results().size());
        Map<String, Short> errors = new java.util.HashMap<>();
        r.results().forEach(x -> errors.put(x.groupId(), x.errorCode()));
        assertEquals(Map.of("idle", (short) 0, "busy", Errors.NON_EMPTY_GROUP.code(), "unknown", Errors.GROUP_ID_NOT_FOUND.code()), errors);
        assertEquals(-1, fetch("idle", "orders", 0).topics().get(0).partitions().get(0).committedOffset());
        ListGroupsResponse groups = (ListGroupsResponse) done(h.call(h.list, 3, new ListGroupsRequest()));
        assertEquals(List.of("busy"), groups.groups().stream().map(ListGroupsResponse.ListedGroup::groupId).toList());
    }

    @Test
    void listGroupsFiltersByStateAndType() {
        commit(8, "simple", -1, "", topic("orders", null, 0, 3, ""));
        CompletableFuture<JoinGroupResponse> f = h.joinNew("joining");
        ListGroupsResponse all = (ListGroupsResponse) done(h.call(h.list, 5, new ListGroupsRequest()));
        assertEquals(2, all.groups().size());
        ListGroupsResponse empty = (ListGroupsResponse) done(h.call(h.list, 4, new ListGroupsRequest().setStatesFilter(List.of("Empty"))));
        assertEquals(List.of("simple"), empty.groups().stream().map(ListGroupsResponse.ListedGroup::groupId).toList());
        assertEquals("", empty.groups().get(0).protocolType());
        ListGroupsResponse rebalancing = (ListGroupsResponse) done(h.call(h.list, 5,
                new ListGroupsRequest().setStatesFilter(List.of("preparingrebalance")).setTypesFilter(List.of("Classic"))));
        assertEquals("joining", rebalancing.groups().get(0).groupId());
        assertEquals("consumer", rebalancing.groups().get(0).protocolType());
        assertEquals("classic", rebalancing.groups().get(0).groupType());
        ListGroupsResponse consumerType = (ListGroupsResponse) done(h.call(h.list, 5,
                new ListGroupsRequest().setTypesFilter(List.of("consumer"))));
        assertTrue(consumerType.groups().isEmpty(), "no KIP-848 groups here");
        assertFalse(f.isDone());
    }

    @Test
    void offsetsOfEmptyGroupsExpireAfterRetention() {
        commit(8, "simple", -1, "", topic("orders", null, 0, 3, ""));
        h.advance(h.config.offsetsRetentionMs() - 1);
        assertEquals(0, h.coordinator.expireOffsets().join());
        h.advance(1);
        assertEquals(1, h.coordinator.expireOffsets().join());
        assertEquals(-1, fetch("simple", "orders", 0).topics().get(0).partitions().get(0).committedOffset());
        ListGroupsResponse groups = (ListGroupsResponse) done(h.call(h.list, 3, new ListGroupsRequest()));
        assertTrue(groups.groups().isEmpty(), "an empty group without offsets is removed");
    }

    @Test
    void offsetsWithExplicitRetentionExpireAtTheirOwnDeadline() {
        OffsetCommitRequest r = new OffsetCommitRequest().setGroupId("old-client").setRetentionTimeMs(1000)
                .setTopics(new java.util.ArrayList<>(List.of(topic("orders", null, 0, 3, ""))));
        done(h.call(h.commit, 2, r));
        var stored = CoordinatorRecordCodec.decode(h.log.entries(h.coordinator.partitionFor("old-client")).get(0).key(),
                h.log.entries(h.coordinator.partitionFor("old-client")).get(0).value());
        assertEquals(h.clock.get() + 1000, ((CoordinatorRecord.OffsetCommit) stored).value().expireTimestampMs());
        h.advance(1000);
        assertEquals(1, h.coordinator.expireOffsets().join());
        assertNull(h.log.entries(h.coordinator.partitionFor("old-client")).get(1).value(), "a tombstone was written");
        assertEquals(Types.ZERO_UUID, OffsetAndMetadata.NO_TOPIC_ID);
    }
}
