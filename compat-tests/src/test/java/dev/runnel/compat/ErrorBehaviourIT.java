package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests Kafka refuses are refused here the same way: the exception a kafka-clients 4.3 application sees is the
 * one it would see against Apache Kafka. The broker runs with {@code auto.create.topics.enable=false}.
 */
class ErrorBehaviourIT {
    @TempDir
    static Path dataDir;
    static RunningBroker broker;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        broker = RunningBroker.start(dataDir, Map.of("auto.create.topics.enable", "false"));
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void recordAboveMaxRequestSizeIsRefusedByTheProducer() throws Exception {
        createTopic("oversize", Map.of());
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            Future<RecordMetadata> sent = producer.send(new ProducerRecord<>("oversize", new byte[2 * 1024 * 1024]));
            assertFailsWith(sent, RecordTooLargeException.class);
            assertEquals(0, producer.send(new ProducerRecord<>("oversize", new byte[1000])).get(30, TimeUnit.SECONDS).offset(),
                    "the producer still works and nothing was stored");
        }
    }

    @Test
    void recordAboveTopicMaxMessageBytesIsRefusedByTheBroker() throws Exception {
        createTopic("small-messages", Map.of("max.message.bytes", "1000"));
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            assertFailsWith(producer.send(new ProducerRecord<>("small-messages", new byte[2000])), RecordTooLargeException.class);
            assertEquals(0, producer.send(new ProducerRecord<>("small-messages", new byte[500])).get(30, TimeUnit.SECONDS).offset());
        }
    }

    @Test
    void batchAboveTopicMaxMessageBytesIsSplitByTheProducerAndThenAccepted() throws Exception {
        createTopic("split-batches", Map.of("max.message.bytes", "1000"));
        // a long linger packs the records into one batch of ~7 KB; MESSAGE_TOO_LARGE makes the producer split it
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of(ProducerConfig.LINGER_MS_CONFIG, 500))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                acks.add(producer.send(new ProducerRecord<>("split-batches", 0, null, new byte[300])));
            }
            producer.flush();
            for (int i = 0; i < acks.size(); i++) {
                assertEquals(i, acks.get(i).get(30, TimeUnit.SECONDS).offset());
            }
        }
    }

    @Test
    void produceToUnknownTopicTimesOutWaitingForMetadataAndCreatesNothing() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000))) {
            Throwable cause = failure(producer.send(new ProducerRecord<>("never-created", new byte[10])));
            assertTrue(cause instanceof TimeoutException || cause instanceof UnknownTopicOrPartitionException, "cause: " + cause);
        }
        assertFalse(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("never-created"));
    }

    @Test
    void consumerAssignedToUnknownTopicPollsNothingAndCannotFindAPosition() throws Exception {
        TopicPartition tp = new TopicPartition("never-created-either", 0);
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(broker.bootstrap(), Map.of())) {
            consumer.assign(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                assertTrue(records.isEmpty());
            }
            assertThrows(TimeoutException.class, () -> consumer.position(tp, Duration.ofSeconds(2)));
        }
        assertFalse(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("never-created-either"));
    }

    @Test
    void invalidTopicNamesAreRefusedToProducerAndAdmin() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000))) {
            assertFailsWith(producer.send(new ProducerRecord<>("bad topic!", new byte[10])), InvalidTopicException.class);
        }
        for (String name : List.of("bad topic!", "x".repeat(250), "..", "slash/name")) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> admin.createTopics(
                    List.of(new NewTopic(name, 1, (short) 1))).all().get(30, TimeUnit.SECONDS));
            assertInstanceOf(InvalidTopicException.class, e.getCause(), name);
        }
    }

    @Test
    void invalidConfigValuesOnCreateAreInvalidConfiguration() {
        for (Map.Entry<String, String> bad : Map.of("cleanup.policy", "sometimes", "min.insync.replicas", "0",
                "compression.type", "brotli", "retention.ms", "a week", "max.message.bytes", "-5").entrySet()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> admin.createTopics(List.of(
                    new NewTopic("bad-config", 1, (short) 1).configs(Map.of(bad.getKey(), bad.getValue())))).all().get(30, TimeUnit.SECONDS));
            assertInstanceOf(InvalidConfigurationException.class, e.getCause(), bad.toString());
        }
    }

    @Test
    void produceToADeletedTopicFailsWithinTheDeliveryTimeout() throws Exception {
        createTopic("doomed", Map.of());
        Map<String, Object> config = Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 6000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100, ProducerConfig.METADATA_MAX_AGE_CONFIG, 1000);
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), config)) {
            assertEquals(0, producer.send(new ProducerRecord<>("doomed", new byte[10])).get(30, TimeUnit.SECONDS).offset());
            admin.deleteTopics(List.of("doomed")).all().get(30, TimeUnit.SECONDS);
            Throwable cause = failure(producer.send(new ProducerRecord<>("doomed", new byte[10])));
            assertTrue(cause instanceof TimeoutException || cause instanceof UnknownTopicOrPartitionException
                    || cause instanceof UnknownTopicIdException, "cause: " + cause);
        }
        assertFalse(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("doomed"), "not re-created");
    }

    @Test
    void keylessRecordOnACompactedTopicIsAnInvalidRecord() throws Exception {
        createTopic("compacted", Map.of("cleanup.policy", "compact"));
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            assertFailsWith(producer.send(new ProducerRecord<>("compacted", null, "no key".getBytes(StandardCharsets.UTF_8))),
                    InvalidRecordException.class);
            assertEquals(0, producer.send(new ProducerRecord<>("compacted", "k".getBytes(StandardCharsets.UTF_8),
                    "keyed".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS).offset(), "keyed records are stored");
        }
    }

    private static void createTopic(String name, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(configs))).all().get(30, TimeUnit.SECONDS);
    }

    private static void assertFailsWith(Future<?> future, Class<? extends Throwable> expected) {
        assertInstanceOf(expected, failure(future), "cause");
    }

    /** The cause a failed send completes with, waiting at most 30 s. */
    private static Throwable failure(Future<?> future) {
        return assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS)).getCause();
    }
}
