package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kafka-consumer-groups.sh and kafka-console-consumer.sh --group (Kafka 4.3 tools) against the group coordinator.
 * The many kafka-consumer-groups calls run in this JVM ({@link InProcessTool}); one runs in its own JVM.
 */
class ConsumerGroupsCliIT {
    /** Record i of a partition has timestamp BASE + i seconds. */
    private static final Instant BASE = Instant.parse("2024-05-01T00:00:00Z");

    @TempDir
    static Path dir;
    static RunningBroker broker;
    static Admin admin;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = RunningBroker.start(dir.resolve("data"));
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        broker.close();
    }

    @Test
    void describeListResetDeleteOffsetsAndDeleteAGroup() throws Exception {
        String topic = "cli-groups";
        String group = "cli-g";
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        TopicPartition p2 = new TopicPartition(topic, 2);
        produce(topic, 0, 10);
        produce(topic, 1, 6); // p2 stays empty

        String memberId;
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(broker.bootstrap(), Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                ConsumerConfig.CLIENT_ID_CONFIG, "cli-member"))) {
            consumer.subscribe(List.of(topic));
            Await.until(Duration.ofSeconds(30), "the member is assigned every partition", () -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 3;
            });
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(10), p1, new OffsetAndMetadata(2)));
            memberId = consumer.groupMetadata().memberId();

            // the member stays in the group (its heartbeat thread runs) while the tool looks at it
            assertEquals(List.of(
                    List.of(group, topic, "0", "10", "10", "0", memberId, "/127.0.0.1", "cli-member"),
                    List.of(group, topic, "1", "2", "6", "4", memberId, "/127.0.0.1", "cli-member"),
                    List.of(group, topic, "2", "-", "0", "-", memberId, "/127.0.0.1", "cli-member")),
                    rows(groups("--describe", "--group", group).ok().stdout()));
            List<List<String>> state = rows(groups("--describe", "--group", group, "--state").ok().stdout());
            assertEquals(List.of(List.of(group, broker.bootstrap(), "(0)", "range", "Stable", "1")), state);
            assertEquals(List.of(List.of(group, memberId, "/127.0.0.1", "cli-member", "3", "-", topic + ":0,1,2", "-", "-")),
                    rows(groups("--describe", "--group", group, "--members", "--verbose").ok().stdout()));
            assertTrue(lines(groups("--list").ok().stdout()).contains(group));
            assertTrue(rows(groups("--list", "--state", "--type").ok().stdout()).contains(List.of(group, "Classic", "Stable")));

            KafkaTool.Result reset = groups("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute");
            assertTrue(reset.stdout().contains("can only be reset if the group '" + group + "' is inactive, but the current state is Stable"),
                    reset.stdout());
            KafkaTool.Result delete = groups("--delete", "--group", group);
            assertTrue(delete.stdout().contains("GroupNotEmptyException"), delete.stdout());
        }

        // the member left: the group is Empty and keeps its offsets
        KafkaTool.Result described = groups("--describe", "--group", group).ok();
        assertTrue(described.stderr().contains("Consumer group '" + group + "' has no active members."), described.stderr());
        assertEquals(List.of(List.of(group, topic, "0", "10", "10", "0", "-", "-", "-"),
                List.of(group, topic, "1", "2", "6", "4", "-", "-", "-")), rows(described.stdout()));

        admin.deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(3))).all().get(30, TimeUnit.SECONDS);
        assertEquals(List.of(List.of(group, topic, "0", "3"), List.of(group, topic, "1", "0"), List.of(group, topic, "2", "0")),
                rows(groups("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute").ok().stdout()));
        assertEquals(Map.of(p0, 3L, p1, 0L, p2, 0L), committed(group));

        // the first record at or after 00:00:04.500 is the fifth; the empty partition falls back to its end
        assertEquals(List.of(List.of(group, topic, "0", "5"), List.of(group, topic, "1", "5"), List.of(group, topic, "2", "0")),
                rows(groups("--reset-offsets", "--group", group, "--all-topics", "--to-datetime", "2024-05-01T00:00:04.500",
                        "--execute").ok().stdout()));
        assertEquals(Map.of(p0, 5L, p1, 5L, p2, 0L), committed(group));

        // shifts are clamped to [log start, log end]
        assertEquals(List.of(List.of(group, topic, "0", "3"), List.of(group, topic, "1", "3")),
                rows(groups("--reset-offsets", "--group", group, "--topic", topic + ":0,1", "--shift-by", "-2",
                        "--execute").ok().stdout()));
        assertEquals(List.of(List.of(group, topic, "0", "10"), List.of(group, topic, "1", "6")),
                rows(groups("--reset-offsets", "--group", group, "--topic", topic + ":0,1", "--shift-by", "100",
                        "--dry-run").ok().stdout()));
        assertEquals(Map.of(p0, 3L, p1, 3L, p2, 0L), committed(group), "a dry run changes nothing");

        assertEquals(List.of(List.of(topic, "1", "Successful")),
                rows(groups("--delete-offsets", "--group", group, "--topic", topic + ":1").ok().stdout()));
        assertEquals(Map.of(p0, 3L, p2, 0L), committed(group));

        assertTrue(rows(groups("--list", "--state").ok().stdout()).contains(List.of(group, "Empty")));
        assertTrue(groups("--delete", "--group", group).ok().stdout()
                .contains("Deletion of requested consumer groups ('" + group + "') was successful."));
        assertFalse(lines(groups("--list").ok().stdout()).contains(group));
        assertTrue(groups("--describe", "--group", group).stdout().contains("GroupIdNotFoundException: Group " + group + " not found."));
    }

    @Test
    void consoleConsumerWithAGroupCommitsWhatItConsumed() throws Exception {
        String topic = "cli-console-group";
        String group = "cli-console-g";
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        produce(topic, 0, 4);
        produce(topic, 1, 3);
        String consumed = KafkaTool.run(KafkaTool.CONSOLE_CONSUMER, null, "--bootstrap-server", broker.bootstrap(),
                "--topic", topic, "--group", group, "--from-beginning", "--max-messages", "7", "--timeout-ms", "60000").ok().stdout();
        assertEquals(List.of("p0-0", "p0-1", "p0-2", "p0-3", "p1-0", "p1-1", "p1-2"),
                lines(consumed).stream().filter(l -> l.startsWith("p")).sorted().toList());
        KafkaTool.Result described = groupsInOwnJvm("--describe", "--group", group).ok();
        assertTrue(described.stderr().contains("has no active members"), described.stderr());
        assertEquals(List.of(List.of(group, topic, "0", "4", "4", "0", "-", "-", "-"),
                List.of(group, topic, "1", "3", "3", "0", "-", "-", "-")), rows(described.stdout()));
    }

    private static KafkaTool.Result groups(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrap()));
        all.addAll(List.of(args));
        return InProcessTool.run(KafkaTool.CONSUMER_GROUPS, all.toArray(String[]::new));
    }

    /** As the shell script runs it, in a JVM of its own. */
    private static KafkaTool.Result groupsInOwnJvm(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrap()));
        all.addAll(List.of(args));
        return KafkaTool.run(KafkaTool.CONSUMER_GROUPS, null, all.toArray(String[]::new));
    }

    private static void produce(String topic, int partition, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, BASE.toEpochMilli() + i * 1000L, null,
                        ("p" + partition + "-" + i).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Map<TopicPartition, Long> committed(String group) throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .forEach((tp, om) -> offsets.put(tp, om.offset()));
        return offsets;
    }

    /** The data rows of a table the tool printed, split on blanks, without headers, sorted. */
    private static List<List<String>> rows(String stdout) {
        return lines(stdout).stream()
                .filter(l -> !l.startsWith("GROUP") && !l.startsWith("TOPIC") && !l.startsWith("Request succeeded")
                        && !l.startsWith("Warn:"))
                .map(l -> Arrays.asList(l.split("\\s+")))
                .sorted((a, b) -> String.join(" ", a).compareTo(String.join(" ", b)))
                .toList();
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).map(String::trim).filter(l -> !l.isEmpty()).toList();
    }
}
