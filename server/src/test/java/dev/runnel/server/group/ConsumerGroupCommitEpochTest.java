package dev.runnel.server.group;

import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * OffsetCommit from KIP-848 members with an older member epoch: Kafka 4.3 accepts it for a partition the member
 * got at or before that epoch ({@code ConsumerGroup.createAssignmentEpochValidator}), and the assignment epochs
 * survive a restart because they are stored in the current assignment records.
 */
class ConsumerGroupCommitEpochTest {
    private static final String GROUP = "epochs";
    private GroupHarness h;
    private TopicMetadata topic;

    @BeforeEach
    void setUp() {
        h = new GroupHarness().loadAll();
        topic = h.metadata.add("orders", 6);
    }

    @Test
    void olderEpochCommitsOnlyForPartitionsAssignedAtOrBeforeIt() {
        ConsumerClient a = new ConsumerClient(h, GROUP, "member-a");
        a.join(List.of("orders"), null);
        ConsumerClient.converge(a);
        int first = a.epoch;
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), a.partitions(topic.topicId()));

        ConsumerClient b = new ConsumerClient(h, GROUP, "member-b");
        b.join(List.of("orders"), null);
        ConsumerClient.converge(a, b);
        int second = a.epoch;
        assertEquals(second, b.epoch);
        Set<Integer> kept = a.partitions(topic.topicId());
        Set<Integer> moved = b.partitions(topic.topicId());
        assertEquals(3, kept.size());

        int keptPartition = kept.iterator().next();
        int movedPartition = moved.iterator().next();
        // a still owns keptPartition since the first epoch: its late commit goes through
        assertEquals(0, a.commit(9, first, "orders", keptPartition, 10));
        // but a no longer owns movedPartition
        assertEquals(Errors.STALE_MEMBER_EPOCH.code(), a.commit(9, first, "orders", movedPartition, 10));
        // b got its partitions at the second epoch: the first is too old for them
        assertEquals(Errors.STALE_MEMBER_EPOCH.code(), b.commit(9, first, "orders", movedPartition, 10));
        assertEquals(0, b.commit(9, second, "orders", movedPartition, 10));
        // an epoch newer than the member's is stale too, and consumer members must use v9+
        assertEquals(Errors.STALE_MEMBER_EPOCH.code(), a.commit(9, second + 1, "orders", keptPartition, 10));
        assertEquals(Errors.UNSUPPORTED_VERSION.code(), a.commit(8, second, "orders", keptPartition, 10));

        // b leaves: a takes its partitions at a third epoch, keeping the old ones at the first
        b.leave();
        ConsumerClient.converge(a);
        int third = a.epoch;
        assertFalse(third == second);
        assertEquals(0, a.commit(9, second, "orders", keptPartition, 11));
        assertEquals(Errors.STALE_MEMBER_EPOCH.code(), a.commit(9, second, "orders", movedPartition, 11));
        assertEquals(0, a.commit(9, third, "orders", movedPartition, 11));

        // the epochs are in the log: after a restart the same commits get the same answers
        GroupHarness restarted = new GroupHarness(h.log, h.config);
        restarted.metadata.createTopic(topic);
        restarted.loadAll();
        a.h = restarted;
        assertEquals(0, a.commit(9, first, "orders", keptPartition, 12));
        assertEquals(Errors.STALE_MEMBER_EPOCH.code(), a.commit(9, second, "orders", movedPartition, 12));
    }

    @Test
    void partitionsPendingRevocationKeepTheirAssignmentEpoch() {
        ConsumerClient a = new ConsumerClient(h, GROUP, "member-a");
        a.join(List.of("orders"), null);
        ConsumerClient.converge(a);
        int first = a.epoch;
        ConsumerClient b = new ConsumerClient(h, GROUP, "member-b");
        b.join(List.of("orders"), null);
        ConsumerClient.converge(a, b);
        Set<Integer> before = new HashSet<>(a.partitions(topic.topicId()));
        assertEquals(3, before.size());

        ConsumerClient c = new ConsumerClient(h, GROUP, "member-c");
        c.join(List.of("orders"), null);
        a.heartbeat(); // told to revoke one partition; until its next heartbeat it still owns it
        Set<Integer> revoking = new HashSet<>(before);
        revoking.removeAll(a.partitions(topic.topicId()));
        assertEquals(1, revoking.size());
        int pending = revoking.iterator().next();
        assertEquals(0, a.commit(9, first, "orders", pending, 5), "pending revocation, assigned at the first epoch");

        a.heartbeat(); // revoked now
        assertEquals(Errors.STALE_MEMBER_EPOCH.code(), a.commit(9, first, "orders", pending, 6));
    }
}
