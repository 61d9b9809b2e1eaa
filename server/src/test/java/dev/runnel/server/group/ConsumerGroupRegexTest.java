package dev.runnel.server.group;

import dev.runnel.server.metadata.TopicMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regex subscriptions are resolved once per change of the broker's topics (or of the group's regexes) and the
 * result is stored as Kafka's ConsumerGroupRegularExpression record (type 16), which a restart replays.
 */
class ConsumerGroupRegexTest {
    private static final String GROUP = "regex";
    private GroupHarness h;
    private TopicMetadata orders;

    @BeforeEach
    void setUp() {
        h = new GroupHarness().loadAll();
        orders = h.metadata.add("orders", 4);
        h.metadata.add("payments", 2);
    }

    private List<CoordinatorRecord> log() {
        List<CoordinatorRecord> out = new ArrayList<>();
        for (InMemoryCoordinatorLog.Entry e : h.log.entries(h.coordinator.partitionFor(GROUP))) {
            out.add(CoordinatorRecordCodec.decode(ByteBuffer.wrap(e.key()), e.value() == null ? null : ByteBuffer.wrap(e.value())));
        }
        return out;
    }

    private List<ConsumerGroupRecord.RegularExpression> regexRecords() {
        return log().stream().filter(r -> r instanceof ConsumerGroupRecord.RegularExpression)
                .map(r -> (ConsumerGroupRecord.RegularExpression) r).toList();
    }

    private int groupEpoch() {
        return ((ConsumerGroupRecord.GroupEpoch) log().stream().filter(r -> r instanceof ConsumerGroupRecord.GroupEpoch)
                .reduce((a, b) -> b).orElseThrow()).value().epoch();
    }

    @Test
    void resolvedOnceAndAgainOnlyWhenTopicsChange() {
        ConsumerClient a = new ConsumerClient(h, GROUP, "member-a");
        a.join(null, "ord.*");
        ConsumerClient.converge(a);
        List<ConsumerGroupRecord.RegularExpression> first = regexRecords();
        assertEquals(1, first.size());
        assertEquals(List.of("orders"), first.get(0).value().topics());
        assertEquals("ord.*", first.get(0).regex());
        assertEquals(Set.of(0, 1, 2, 3), a.partitions(orders.topicId()));

        int entries = log().size();
        for (int i = 0; i < 5; i++) {
            a.heartbeat();
        }
        assertEquals(entries, log().size(), "steady heartbeats write nothing and resolve nothing");

        int epoch = groupEpoch();
        TopicMetadata ordinals = h.metadata.add("ordinals", 2);
        ConsumerClient.converge(a);
        List<ConsumerGroupRecord.RegularExpression> second = regexRecords();
        assertEquals(2, second.size());
        assertEquals(List.of("orders", "ordinals"), second.get(1).value().topics());
        assertEquals(epoch + 1, groupEpoch(), "the new topic bumps the group epoch once");
        assertEquals(Set.of(0, 1), a.partitions(ordinals.topicId()));

        // an unrelated topic changes the version: one new resolution, same topics, no rebalance
        h.metadata.add("zebra", 1);
        ConsumerClient.converge(a);
        List<ConsumerGroupRecord.RegularExpression> third = regexRecords();
        assertEquals(3, third.size());
        assertEquals(second.get(1).value().topics(), third.get(2).value().topics());
        assertEquals(epoch + 1, groupEpoch());

        // a second member with the same regex uses the stored resolution
        ConsumerClient b = new ConsumerClient(h, GROUP, "member-b");
        b.join(null, "ord.*");
        ConsumerClient.converge(a, b);
        assertEquals(3, regexRecords().size());
    }

    @Test
    void aRegexNobodySubscribesToIsDeletedAndARestartKeepsTheOthers() {
        ConsumerClient a = new ConsumerClient(h, GROUP, "member-a");
        ConsumerClient b = new ConsumerClient(h, GROUP, "member-b");
        a.join(null, "ord.*");
        b.join(null, "pay.*");
        ConsumerClient.converge(a, b);
        assertEquals(2, regexRecords().size());

        b.leave();
        List<ConsumerGroupRecord.RegularExpression> records = regexRecords();
        assertEquals(new ConsumerGroupRecord.RegularExpression(GROUP, "pay.*", null), records.get(records.size() - 1));
        ConsumerClient.converge(a);

        GroupHarness restarted = new GroupHarness(h.log, h.config);
        h.metadata.topics().forEach(restarted.metadata::createTopic);
        restarted.loadAll();
        h = restarted;
        a.h = restarted;
        int entries = log().size();
        ConsumerClient.converge(a);
        assertEquals(entries, log().size(), "the stored resolution is still current after the restart: "
                + log().subList(entries, log().size()));
        assertEquals(Set.of(0, 1, 2, 3), a.partitions(orders.topicId()));
    }

    @Test
    void switchingFromRegexToNamesDeletesTheResolution() {
        ConsumerClient a = new ConsumerClient(h, GROUP, "member-a");
        a.join(null, "ord.*");
        ConsumerClient.converge(a);
        a.send(new dev.runnel.wire.message.ConsumerGroupHeartbeatRequest().setGroupId(GROUP).setMemberId(a.id)
                .setMemberEpoch(a.epoch).setSubscribedTopicRegex("").setSubscribedTopicNames(List.of("payments"))
                .setTopicPartitions(List.of()));
        ConsumerClient.converge(a);
        List<ConsumerGroupRecord.RegularExpression> records = regexRecords();
        assertNull(records.get(records.size() - 1).value());
        assertTrue(a.partitions(orders.topicId()).isEmpty());
        assertEquals(2, a.owned.values().iterator().next().size());
    }
}
