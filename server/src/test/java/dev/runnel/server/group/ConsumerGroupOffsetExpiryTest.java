package dev.runnel.server.group;

import dev.runnel.wire.message.ListGroupsRequest;
import dev.runnel.wire.message.ListGroupsResponse;
import dev.runnel.wire.message.OffsetDeleteRequest;
import dev.runnel.wire.message.OffsetDeleteResponse;
import dev.runnel.wire.message.OffsetFetchRequest;
import dev.runnel.wire.message.OffsetFetchResponse;
import dev.runnel.wire.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static dev.runnel.server.group.GroupHarness.done;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code offsets.retention.minutes} for KIP-848 consumer groups, as Kafka's cleanupGroupMetadata applies it: an
 * offset of a topic no member subscribes to expires a retention period after its commit, whatever the group's
 * state; an empty group left without offsets is deleted; all of it as tombstones in {@code __consumer_offsets}.
 */
class ConsumerGroupOffsetExpiryTest {
    private static final String GROUP = "expiring";
    private static final long RETENTION_MS = 60_000;
    private GroupHarness h;

    @BeforeEach
    void setUp() {
        GroupCoordinatorConfig config = new GroupCoordinatorConfig(GroupHarness.PARTITIONS, 6000, 300_000, 3000,
                Integer.MAX_VALUE, GroupCoordinatorConfig.NEW_MEMBER_JOIN_TIMEOUT_MS, RETENTION_MS, 4096);
        h = new GroupHarness(new InMemoryCoordinatorLog(), config).loadAll();
        h.metadata.add("orders", 2);
        h.metadata.add("payments", 2);
        h.metadata.add("refunds", 2);
    }

    /** Advances time in heartbeat-sized steps so the members stay alive. */
    private void pass(long ms, ConsumerClient... alive) {
        for (long done = 0; done < ms; done += 5000) {
            h.advance(Math.min(5000, ms - done));
            for (ConsumerClient c : alive) {
                assertEquals(0, c.heartbeat().errorCode());
            }
        }
    }

    private int expire() {
        return h.coordinator.expireOffsets().join();
    }

    private long committed(String topic) {
        OffsetFetchResponse r = done(h.call(h.fetch, 8, new OffsetFetchRequest().setGroups(List.of(
                new OffsetFetchRequest.OffsetFetchRequestGroup().setGroupId(GROUP).setTopics(List.of(
                        new OffsetFetchRequest.OffsetFetchRequestTopics().setName(topic).setPartitionIndexes(List.of(0))))))));
        return r.groups().get(0).topics().get(0).partitions().get(0).committedOffset();
    }

    private List<CoordinatorRecord> logSince(int from) {
        List<InMemoryCoordinatorLog.Entry> entries = h.log.entries(h.coordinator.partitionFor(GROUP));
        List<CoordinatorRecord> out = new ArrayList<>();
        for (InMemoryCoordinatorLog.Entry e : entries.subList(from, entries.size())) {
            out.add(CoordinatorRecordCodec.decode(ByteBuffer.wrap(e.key()), e.value() == null ? null : ByteBuffer.wrap(e.value())));
        }
        return out;
    }

    private int logSize() {
        return h.log.entries(h.coordinator.partitionFor(GROUP)).size();
    }

    @Test
    void unsubscribedTopicsExpireWhileMembersAreThereAndTheEmptyGroupGoesWithItsLastOffset() {
        ConsumerClient a = new ConsumerClient(h, GROUP, "member-a");
        a.join(List.of("orders"), "ref.*");
        ConsumerClient.converge(a);
        assertEquals(0, a.commit(9, a.epoch, "orders", 0, 10));
        assertEquals(0, a.commit(9, a.epoch, "payments", 0, 20));
        assertEquals(0, a.commit(9, a.epoch, "refunds", 0, 30));

        pass(RETENTION_MS - 5000, a);
        assertEquals(0, expire());
        pass(5000, a);
        int before = logSize();
        assertEquals(1, expire(), "only payments: orders is subscribed by name, refunds by regex");
        assertEquals(List.of(new CoordinatorRecord.OffsetCommit(GROUP, "payments", 0, null)), logSince(before));
        assertEquals(-1L, committed("payments"));
        assertEquals(10L, committed("orders"));
        assertEquals(30L, committed("refunds"));

        a.leave();
        before = logSize();
        assertEquals(2, expire(), "the group is empty: nothing is subscribed any more");
        List<CoordinatorRecord> written = logSince(before);
        assertEquals(List.of(new CoordinatorRecord.OffsetCommit(GROUP, "orders", 0, null),
                new CoordinatorRecord.OffsetCommit(GROUP, "refunds", 0, null),
                new ConsumerGroupRecord.TargetAssignmentEpoch(GROUP, null),
                new ConsumerGroupRecord.PartitionMetadataTombstone(GROUP),
                new ConsumerGroupRecord.GroupEpoch(GROUP, null)), written);
        ListGroupsResponse listed = done(h.call(h.list, 5, new ListGroupsRequest()));
        assertTrue(listed.groups().stream().noneMatch(g -> g.groupId().equals(GROUP)));

        GroupHarness restarted = new GroupHarness(h.log, h.config);
        h.metadata.topics().forEach(restarted.metadata::createTopic);
        restarted.loadAll();
        h = restarted;
        ListGroupsResponse afterRestart = done(h.call(h.list, 5, new ListGroupsRequest()));
        assertTrue(afterRestart.groups().stream().noneMatch(g -> g.groupId().equals(GROUP)));
        assertEquals(-1L, committed("orders"));
    }

    @Test
    void anEmptyGroupKeepsItsOffsetsForTheRetentionPeriodAfterTheirCommit() {
        ConsumerClient a = new ConsumerClient(h, GROUP, "member-a");
        a.join(List.of("orders"), null);
        ConsumerClient.converge(a);
        assertEquals(0, a.commit(9, a.epoch, "orders", 0, 10));
        pass(30_000, a);
        assertEquals(0, a.commit(9, a.epoch, "orders", 1, 11));
        a.leave();

        h.advance(RETENTION_MS - 30_000);
        assertEquals(1, expire(), "partition 0 was committed a retention period ago");
        ListGroupsResponse listed = done(h.call(h.list, 5, new ListGroupsRequest()));
        assertEquals(1, listed.groups().size(), "one offset left");
        h.advance(30_000);
        assertEquals(1, expire());
        ListGroupsResponse gone = done(h.call(h.list, 5, new ListGroupsRequest()));
        assertTrue(gone.groups().isEmpty());
    }

    @Test
    void offsetDeleteWorksOnConsumerGroupsForUnsubscribedTopics() {
        ConsumerClient a = new ConsumerClient(h, GROUP, "member-a");
        a.join(List.of("orders"), null);
        ConsumerClient.converge(a);
        assertEquals(0, a.commit(9, a.epoch, "orders", 0, 10));
        assertEquals(0, a.commit(9, a.epoch, "payments", 0, 20));
        OffsetDeleteResponse r = done(h.call(h.deleteOffsets, 0, new OffsetDeleteRequest().setGroupId(GROUP).setTopics(List.of(
                new OffsetDeleteRequest.OffsetDeleteRequestTopic().setName("orders").setPartitions(List.of(
                        new OffsetDeleteRequest.OffsetDeleteRequestPartition().setPartitionIndex(0))),
                new OffsetDeleteRequest.OffsetDeleteRequestTopic().setName("payments").setPartitions(List.of(
                        new OffsetDeleteRequest.OffsetDeleteRequestPartition().setPartitionIndex(0)))))));
        assertEquals(0, r.errorCode());
        assertEquals(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code(), r.topics().get(0).partitions().get(0).errorCode());
        assertEquals(0, r.topics().get(1).partitions().get(0).errorCode());
        assertEquals(10L, committed("orders"));
        assertEquals(-1L, committed("payments"));
    }
}
