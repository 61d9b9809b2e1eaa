package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nothing acknowledged is lost across a clean restart or a kill -9, and retries after a restart add no duplicates. */
class DurabilityIT {
    private static final String TOPIC = "durable";
    private static final int PARTITIONS = 3;

    @Test
    void cleanRestartBetweenProduceAndConsumeLosesNothing(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Set<String> acked = ConcurrentHashMap.newKeySet();
        try (RunningBroker broker = RunningBroker.start(data)) {
            createTopic(broker.bootstrap());
            try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                for (int i = 0; i < 5000; i++) {
                    String value = "r" + i;
                    producer.send(new ProducerRecord<>(TOPIC, value.getBytes(StandardCharsets.UTF_8)), (md, e) -> {
                        if (e == null) {
                            acked.add(value);
                        }
                    });
                }
                producer.flush();
            }
        }
        assertEquals(5000, acked.size());
        assertTrue(Files.exists(data.resolve(".kafka_cleanshutdown")));
        try (RunningBroker broker = RunningBroker.start(data)) {
            assertExactlyOnce(broker.bootstrap(), acked);
        }
    }

    @Test
    void killDashNineWhileProducingLosesNoAcknowledgedRecordAndRetriesAddNoDuplicates(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        try (BrokerProcess broker = new BrokerProcess(data)) {
            broker.start();
            createTopic(broker.bootstrap());
            Map<String, Object> config = new HashMap<>();
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            config.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
            config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), config)) {
                int sent = 0;
                // keep sending until enough is acknowledged, then kill the broker under the producer's feet
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (acked.size() < 3000 && System.nanoTime() < deadline) {
                    send(producer, sent++, acked, failed);
                    if (sent % 500 == 0) {
                        producer.flush();
                    }
                }
                for (int i = 0; i < 300; i++) {
                    send(producer, sent++, acked, failed); // in flight when the broker dies
                }
                broker.kill();
                broker.start();
                for (int i = 0; i < 2000; i++) {
                    send(producer, sent++, acked, failed);
                }
                producer.flush();
                assertEquals(0, failed.get(), "sends that failed for good");
                assertEquals(sent, acked.size(), "every send was acknowledged after the restart");
            }
            assertExactlyOnce(broker.bootstrap(), acked);
        }
    }

    /**
     * Under {@code log.flush.interval.messages=1} acknowledgements wait for a group-committed fsync and records become
     * readable when it is done: a consumer long-polling meanwhile (fetch.max.wait.ms far above the test's bound) must
     * be woken by the flush, and reads every acknowledged record exactly once.
     */
    @Test
    void underAnFsyncPerAppendPolicyAcknowledgedRecordsAreReadAsSoonAsTheyAreOnDisk(@TempDir Path dir) throws Exception {
        int count = 3000;
        try (RunningBroker broker = RunningBroker.start(dir.resolve("data"), Map.of("log.flush.interval.messages", "1"))) {
            createTopic(broker.bootstrap());
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(TOPIC, p));
            }
            java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                java.util.concurrent.Future<Long> lastReadAt = reader.submit(() -> {
                    Set<String> seen = new HashSet<>();
                    long readAllAt;
                    try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(broker.bootstrap(), Map.of(
                            "fetch.max.wait.ms", 20_000, "request.timeout.ms", 40_000))) {
                        consumer.assign(tps);
                        consumer.seekToBeginning(tps);
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                        while (seen.size() < count && System.nanoTime() < deadline) {
                            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(java.time.Duration.ofMillis(200))) {
                                assertTrue(seen.add(new String(r.value(), StandardCharsets.UTF_8)), "duplicate at " + r.offset());
                            }
                        }
                        readAllAt = System.nanoTime(); // before close(), which waits for the fetch still parked
                    }
                    assertEquals(count, seen.size(), "records read");
                    return readAllAt;
                });
                Set<String> acked = ConcurrentHashMap.newKeySet();
                AtomicInteger failed = new AtomicInteger();
                try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                    for (int i = 0; i < count; i++) {
                        send(producer, i, acked, failed);
                    }
                    producer.flush();
                }
                long allAckedAt = System.nanoTime();
                assertEquals(0, failed.get());
                assertEquals(count, acked.size());
                long lagMs = TimeUnit.NANOSECONDS.toMillis(lastReadAt.get(90, TimeUnit.SECONDS) - allAckedAt);
                assertTrue(lagMs < 10_000, "the last records were read " + lagMs + " ms after their ack: the fsync did not wake the fetch");
            } finally {
                reader.shutdownNow();
            }
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, int i, Set<String> acked, AtomicInteger failed) {
        String value = "r" + i;
        producer.send(new ProducerRecord<>(TOPIC, Integer.toString(i % 97).getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)), (md, e) -> {
            if (e == null) {
                acked.add(value);
            } else {
                failed.incrementAndGet();
            }
        });
    }

    private static void createTopic(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Every acknowledged value is in the topic exactly once, and each partition's offsets are contiguous. */
    private static void assertExactlyOnce(String bootstrap, Set<String> acked) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            tps.add(new TopicPartition(TOPIC, p));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, Map.of())) {
            List<ConsumerRecord<byte[], byte[]>> read = Clients.readAll(consumer, tps, acked.size());
            // read a little longer: duplicates would arrive after the expected count
            read.addAll(consumer.poll(java.time.Duration.ofSeconds(1)).records(tps.get(0)));
            Set<String> seen = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : read) {
                String value = new String(r.value(), StandardCharsets.UTF_8);
                assertTrue(seen.add(value), "duplicate record " + value + " at " + r.partition() + "/" + r.offset());
            }
            assertTrue(seen.containsAll(acked), "acknowledged records missing: "
                    + acked.stream().filter(v -> !seen.contains(v)).limit(10).toList());
            for (TopicPartition tp : tps) {
                List<Long> offsets = read.stream().filter(r -> r.partition() == tp.partition()).map(ConsumerRecord::offset).sorted().toList();
                for (int i = 0; i < offsets.size(); i++) {
                    assertEquals(i, offsets.get(i), "offsets of " + tp + " contiguous from 0");
                }
            }
        }
    }
}
