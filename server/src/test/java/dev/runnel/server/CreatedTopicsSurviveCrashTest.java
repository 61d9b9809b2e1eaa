package dev.runnel.server;

import dev.runnel.log.LogDirectory;
import dev.runnel.log.PartitionLog;
import dev.runnel.log.TopicPartition;
import dev.runnel.server.config.BrokerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A topic whose CreateTopics was answered survives a crash: the metadata store holds it durably, and whatever the
 * crash lost of the partition files (written without fsync) is created again at start-up.
 */
class CreatedTopicsSurviveCrashTest {
    @TempDir
    Path running;
    @TempDir
    Path crashed;

    private static BrokerConfig config(Path dir) {
        return BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", dir.toString()));
    }

    private static Admin admin(Broker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(broker)));
    }

    private static String bootstrap(Broker broker) {
        return "127.0.0.1:" + broker.boundEndpoints().get(0).port();
    }

    @Test
    void topicsAnsweredBeforeACrashAreServedAfterIt() throws Exception {
        Map<String, Uuid> ids = new HashMap<>();
        try (Broker broker = Broker.start(config(running)); Admin admin = admin(broker)) {
            var created = admin.createTopics(List.of(new NewTopic("orders", 4, (short) 1),
                    new NewTopic("events", 2, (short) 1).configs(Map.of("retention.ms", "60000")),
                    new NewTopic("audit", 1, (short) 1)));
            created.all().get(30, TimeUnit.SECONDS);
            for (String name : List.of("orders", "events", "audit")) {
                ids.put(name, created.topicId(name).get());
            }
            // kill -9: the files as they are now, no clean shutdown, no checkpoints
            copy(running, crashed);
        }
        // and what a power loss may take of files never forced: a whole partition, a log, topic ids
        deleteRecursively(crashed.resolve("orders-3"));
        Files.delete(crashed.resolve("orders-1").resolve("00000000000000000000.log"));
        Files.delete(crashed.resolve("events-0").resolve("partition.metadata"));
        Files.write(crashed.resolve("audit-0").resolve("partition.metadata"), new byte[5]);
        assertFalse(Files.exists(crashed.resolve(LogDirectory.CLEAN_SHUTDOWN_FILE)));

        try (Broker broker = Broker.start(config(crashed)); Admin admin = admin(broker)) {
            Map<String, TopicDescription> topics = admin.describeTopics(List.of("orders", "events", "audit"))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            assertEquals(4, topics.get("orders").partitions().size());
            assertEquals(2, topics.get("events").partitions().size());
            assertEquals(1, topics.get("audit").partitions().size());
            LogDirectory logs = broker.partitions().directory();
            for (Map.Entry<String, TopicDescription> topic : topics.entrySet()) {
                assertEquals(ids.get(topic.getKey()), topic.getValue().topicId());
                for (int p = 0; p < topic.getValue().partitions().size(); p++) {
                    TopicPartition tp = new TopicPartition(topic.getKey(), p);
                    PartitionLog log = logs.log(tp);
                    assertNotNull(log, tp.toString());
                    java.util.UUID onDisk = logs.topicId(tp);
                    assertEquals(ids.get(topic.getKey()), new Uuid(onDisk.getMostSignificantBits(),
                            onDisk.getLeastSignificantBits()), "partition.metadata of " + tp);
                }
            }
            assertEquals(60000L, logs.log(new TopicPartition("events", 1)).config().retentionMs());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(broker),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
                for (int p : new int[] {1, 3}) {
                    RecordMetadata sent = producer.send(new ProducerRecord<>("orders", p, "k", "v")).get(30, TimeUnit.SECONDS);
                    assertEquals(0, sent.offset());
                    assertEquals(1, logs.log(new TopicPartition("orders", p)).logEndOffset());
                }
            }
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.sorted(Comparator.comparing(Path::toString)).toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path); // children before their directory
            }
        }
    }
}
