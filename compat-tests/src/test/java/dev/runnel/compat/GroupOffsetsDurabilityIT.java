package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Committed group offsets survive a clean broker restart and a kill -9: a new member of the group resumes exactly
 * at the committed offsets (the last commit wins, even when it moved an offset backwards).
 */
class GroupOffsetsDurabilityIT {
    private static final String TOPIC = "offsets-durable";
    private static final String GROUP = "g-durable";
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 100;
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final TopicPartition P2 = new TopicPartition(TOPIC, 2);
    /** What the group commits last: p1 at its log end, p2 moved backwards from 60. */
    private static final Map<TopicPartition, OffsetAndMetadata> LAST_COMMIT = Map.of(
            P0, new OffsetAndMetadata(37, "after-37"), P1, new OffsetAndMetadata(PER_PARTITION, ""),
            P2, new OffsetAndMetadata(5, "rewound"));

    @Test
    void cleanRestartKeepsCommittedOffsets(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (RunningBroker broker = RunningBroker.start(data)) {
            produceAndCommit(broker.bootstrap());
        }
        assertTrue(Files.exists(data.resolve(".kafka_cleanshutdown")));
        try (RunningBroker broker = RunningBroker.start(data)) {
            assertGroupResumesAtCommittedOffsets(broker.bootstrap());
        }
    }

    @Test
    void killDashNineKeepsCommittedOffsets(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        try (BrokerProcess broker = new BrokerProcess(data)) {
            broker.start();
            produceAndCommit(broker.bootstrap());
            broker.kill();
            broker.start();
            assertGroupResumesAtCommittedOffsets(broker.bootstrap());
        }
    }

    @Test
    void liveMembersRideThroughAKillDashNineAndKeepConsumingWithoutLosingRecords(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        String topic = "live-through-kill";
        GroupLedger ledger = new GroupLedger();
        Map<String, Object> config = Map.of(ConsumerConfig.GROUP_ID_CONFIG, "g-live",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10000, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        try (BrokerProcess broker = new BrokerProcess(data)) {
            broker.start();
            try (Admin admin = Clients.admin(broker.bootstrap())) {
                admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (GroupMember a = GroupMember.start("a", broker.bootstrap(), topic, config, ledger);
                 GroupMember b = GroupMember.start("b", broker.bootstrap(), topic, config, ledger)) {
                Set<String> produced = new HashSet<>(produceValues(broker.bootstrap(), topic, "before", 300));
                awaitProcessed(ledger, produced, a, b);
                broker.kill();
                broker.start();
                produced.addAll(produceValues(broker.bootstrap(), topic, "after", 300));
                awaitProcessed(ledger, produced, a, b);
                assertEquals(List.of(), ledger.violations(), "ownership overlaps and committed records processed again");
                assertEquals(produced, Set.copyOf(ledger.processedIds()));
                assertEquals(PARTITIONS, a.owned().size() + b.owned().size(), "a: " + a + ", b: " + b);
            }
        }
    }

    private static List<String> produceValues(String bootstrap, String topic, String prefix, int count) throws Exception {
        List<String> values = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < count; i++) {
                values.add(prefix + "-" + i);
                producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        values.get(i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        return values;
    }

    private static void awaitProcessed(GroupLedger ledger, Set<String> values, GroupMember... members) {
        Await.until(Duration.ofSeconds(60), values.size() + " records are processed", () -> {
            for (GroupMember m : members) {
                m.assertHealthy();
            }
            return ledger.processedIds().containsAll(values);
        }, () -> "members " + List.of(members) + ", missing "
                + values.stream().filter(v -> !ledger.processedIds().contains(v)).limit(20).toList());
    }

    private static void produceAndCommit(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, p, null, value(p, i)));
                }
            }
            producer.flush();
        }
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, groupConfig())) {
            consumer.subscribe(List.of(TOPIC));
            Await.until(Duration.ofSeconds(30), "the member is assigned every partition", () -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == PARTITIONS;
            });
            // settles the OffsetFetch the consumer sent to initialise its positions: the classic consumer would
            // hand that (pre-commit) answer to committed() below if it were still pending
            consumer.assignment().forEach(consumer::position);
            consumer.commitSync(Map.of(P0, new OffsetAndMetadata(10), P1, new OffsetAndMetadata(20),
                    P2, new OffsetAndMetadata(60)));
            consumer.commitSync(LAST_COMMIT);
            assertEquals(LAST_COMMIT, withoutEpochs(consumer.committed(Set.of(P0, P1, P2))));
        }
    }

    private static void assertGroupResumesAtCommittedOffsets(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            Map<TopicPartition, OffsetAndMetadata> stored = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertEquals(LAST_COMMIT, withoutEpochs(stored), "offsets the coordinator holds after the restart");
        }
        Map<String, Object> config = new HashMap<>(groupConfig());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"); // a lost offset fails the poll instead of hiding
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, config)) {
            Map<TopicPartition, Long> positionsAtAssignment = new HashMap<>();
            consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    partitions.forEach(tp -> positionsAtAssignment.put(tp, consumer.position(tp)));
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }
            });
            Map<TopicPartition, ConsumerRecord<byte[], byte[]>> first = new HashMap<>();
            Await.until(Duration.ofSeconds(30), "the first record of p0 and p2 arrives", () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r));
                return first.containsKey(P0) && first.containsKey(P2);
            }, () -> "positions " + positionsAtAssignment + ", first records " + first.keySet());
            Map<TopicPartition, Long> committed = LAST_COMMIT.entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
            assertEquals(committed, positionsAtAssignment, "position() when assigned equals the committed offset");
            for (TopicPartition tp : List.of(P0, P2)) {
                ConsumerRecord<byte[], byte[]> r = first.get(tp);
                long expected = LAST_COMMIT.get(tp).offset();
                assertEquals(expected, r.offset(), "first offset read from " + tp);
                assertEquals(new String(value(tp.partition(), (int) expected), StandardCharsets.UTF_8),
                        new String(r.value(), StandardCharsets.UTF_8));
            }
            assertTrue(!first.containsKey(P1), "p1 was committed at its log end: nothing to read");
            assertEquals(PER_PARTITION, consumer.position(P1));
        }
    }

    private static Map<String, Object> groupConfig() {
        return Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP, ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    }

    private static Map<TopicPartition, OffsetAndMetadata> withoutEpochs(Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<TopicPartition, OffsetAndMetadata> plain = new HashMap<>();
        offsets.forEach((tp, om) -> plain.put(tp, new OffsetAndMetadata(om.offset(), om.metadata())));
        return plain;
    }

    private static byte[] value(int partition, int index) {
        return ("p" + partition + "-" + index).getBytes(StandardCharsets.UTF_8);
    }
}
