package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * KIP-848 end to end: kafka-clients consumers with {@code group.protocol=consumer} share a 6-partition topic while
 * members join and leave. After each change every partition is owned by exactly one member, no two members ever
 * own the same partition, and with commitSync after each poll every record is consumed exactly once. The same
 * holds for a group mixing classic and consumer-protocol members (KIP-848 online migration).
 */
class ConsumerProtocolIT {
    private static final String TOPIC = "kip848";
    private static final String GROUP = "kip848-group";
    private static final int PARTITIONS = 6;

    @TempDir
    Path dataDir;

    private final Set<String> consumed = new HashSet<>();
    private int produced;

    @Test
    void consumersShareTheTopicAcrossJoinsAndLeavesAndConsumeEachRecordOnce() throws Exception {
        // a short heartbeat interval only makes reconciliation quicker; the protocol is the same
        try (RunningBroker broker = RunningBroker.start(dataDir, Map.of("group.consumer.heartbeat.interval.ms", "500"));
             Admin admin = Clients.admin(broker.bootstrap());
             KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            List<KafkaConsumer<byte[], byte[]>> members = new ArrayList<>();
            try {
                members.add(subscribed(broker));
                produce(producer, 120);
                pollUntilSharedAndConsumed(members, 1);

                members.add(subscribed(broker));
                produce(producer, 120);
                pollUntilSharedAndConsumed(members, 2);

                members.add(subscribed(broker));
                produce(producer, 120);
                pollUntilSharedAndConsumed(members, 3);
                // every member owning a partition is not yet the end: the target assignment may still be reconciling
                long balanceDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (members.stream().anyMatch(c -> c.assignment().size() != PARTITIONS / 3)
                        && System.nanoTime() < balanceDeadline) {
                    pollOnce(members);
                }
                for (KafkaConsumer<byte[], byte[]> c : members) {
                    assertEquals(PARTITIONS / 3, c.assignment().size(), "uniform assignor balances");
                }

                ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(GROUP)).all()
                        .get(30, TimeUnit.SECONDS).get(GROUP);
                assertEquals(GroupType.CONSUMER, described.type());
                assertEquals(3, described.members().size());

                KafkaConsumer<byte[], byte[]> leaving = members.remove(1);
                leaving.close(Duration.ofSeconds(10));
                produce(producer, 120);
                pollUntilSharedAndConsumed(members, 2);

                members.remove(0).close(Duration.ofSeconds(10));
                produce(producer, 120);
                pollUntilSharedAndConsumed(members, 1);
            } finally {
                members.forEach(c -> c.close(Duration.ofSeconds(10)));
            }
            assertEquals(produced, consumed.size());
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertEquals(PARTITIONS, committed.size());
            long total = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
            assertEquals(produced, total, "committed offsets cover every record");
        }
    }

    private KafkaConsumer<byte[], byte[]> subscribed(RunningBroker broker) {
        return subscribed(broker, GROUP, "consumer");
    }

    private KafkaConsumer<byte[], byte[]> subscribed(RunningBroker broker, String group, String protocol) {
        KafkaConsumer<byte[], byte[]> c = Clients.consumer(broker.bootstrap(), Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 25));
        c.subscribe(List.of(TOPIC));
        return c;
    }

    /**
     * KIP-848 online migration (Kafka 4.3's default {@code group.consumer.migration.policy=bidirectional}): classic
     * and consumer-protocol consumers are members of one consumer group at once and share the topic; when the
     * consumer-protocol members leave, the group becomes a classic group again and the classic members go on.
     */
    @Test
    void classicAndConsumerProtocolMembersShareOneGroupAndTheClassicOnesGoOnAfterTheOthersLeave() throws Exception {
        String group = "migration-group";
        try (RunningBroker broker = RunningBroker.start(dataDir, Map.of("group.consumer.heartbeat.interval.ms", "500"));
             Admin admin = Clients.admin(broker.bootstrap());
             KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            List<KafkaConsumer<byte[], byte[]>> members = new ArrayList<>();
            try {
                members.add(subscribed(broker, group, "consumer"));
                members.add(subscribed(broker, group, "classic"));
                members.add(subscribed(broker, group, "consumer"));
                members.add(subscribed(broker, group, "classic"));
                produce(producer, 240);
                pollUntilSharedAndConsumed(members, 4);

                ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).all()
                        .get(30, TimeUnit.SECONDS).get(group);
                assertEquals(GroupType.CONSUMER, described.type());
                assertEquals(4, described.members().size());
                assertEquals(2, described.members().stream().filter(m -> m.upgraded().orElse(true)).count(),
                        "two members use the consumer protocol");

                // one at a time, each after the group settled: a classic member commits with its generation, so
                // the group must not change type under a classic member that has not rejoined yet
                members.remove(2).close(Duration.ofSeconds(10));
                produce(producer, 120);
                pollUntilSharedAndConsumed(members, 3);
                pollUntilStable(admin, group, members);
                members.remove(0).close(Duration.ofSeconds(10));
                produce(producer, 120);
                pollUntilSharedAndConsumed(members, 2);
                ConsumerGroupDescription after = admin.describeConsumerGroups(List.of(group)).all()
                        .get(30, TimeUnit.SECONDS).get(group);
                assertEquals(GroupType.CLASSIC, after.type(), "downgraded when the last consumer-protocol member left");
                assertEquals(2, after.members().size());
            } finally {
                members.forEach(c -> c.close(Duration.ofSeconds(10)));
            }
            assertEquals(produced, consumed.size());
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertEquals(PARTITIONS, committed.size());
            assertEquals(produced, committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum(),
                    "committed offsets cover every record");
        }
    }

    private void produce(KafkaProducer<byte[], byte[]> producer, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, ("r" + (produced + i)).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
        produced += count;
    }

    /**
     * Polls every member (committing after each non-empty poll) until the {@code expected} members together own
     * each partition exactly once and everything produced was consumed; never may two members own a partition.
     */
    private void pollUntilSharedAndConsumed(List<KafkaConsumer<byte[], byte[]>> members, int expected) {
        BooleanSupplier done = () -> {
            Set<TopicPartition> union = new HashSet<>();
            int total = 0;
            for (KafkaConsumer<byte[], byte[]> c : members) {
                union.addAll(c.assignment());
                total += c.assignment().size();
                if (c.assignment().isEmpty()) {
                    return false;
                }
            }
            return members.size() == expected && union.size() == PARTITIONS && total == PARTITIONS
                    && consumed.size() == produced;
        };
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder state = new StringBuilder();
                members.forEach(c -> state.append(c.assignment()).append(' '));
                fail("members did not converge: " + state + " consumed " + consumed.size() + "/" + produced);
            }
            pollOnce(members);
        }
    }

    /** One poll of every member, committing after each non-empty poll; no two members may own a partition. */
    private void pollOnce(List<KafkaConsumer<byte[], byte[]>> members) {
        for (KafkaConsumer<byte[], byte[]> c : members) {
            var records = c.poll(Duration.ofMillis(50));
            for (ConsumerRecord<byte[], byte[]> r : records) {
                String id = r.partition() + "@" + r.offset();
                assertTrue(consumed.add(id), "record " + id + " consumed twice");
            }
            if (!records.isEmpty()) {
                c.commitSync(Duration.ofSeconds(30));
            }
            assertExclusive(members);
        }
    }

    /** Polls (consuming and committing) until the consumer group reports Stable. */
    private void pollUntilStable(Admin admin, String group, List<KafkaConsumer<byte[], byte[]>> members) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).groupState()
                != org.apache.kafka.common.GroupState.STABLE) {
            if (System.nanoTime() > deadline) {
                fail("group " + group + " did not become stable");
            }
            pollOnce(members);
        }
    }

    private static void assertExclusive(List<KafkaConsumer<byte[], byte[]>> members) {
        Set<TopicPartition> seen = new HashSet<>();
        for (KafkaConsumer<byte[], byte[]> c : members) {
            for (TopicPartition tp : c.assignment()) {
                assertTrue(seen.add(tp), tp + " owned by two members");
            }
        }
    }
}
