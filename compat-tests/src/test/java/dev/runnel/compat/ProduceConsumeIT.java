package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** kafka-clients 4.3 producer and consumer against the broker: what goes in comes out, byte for byte. */
class ProduceConsumeIT {
    @TempDir
    static Path dataDir;
    static RunningBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = RunningBroker.start(dataDir);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private record Sent(byte[] key, byte[] value, RecordHeaders headers, long timestamp, long offset, int partition) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void idempotentProducerWithEachCodecIsReadBackIdentically(String codec) throws Exception {
        String topic = "codec-" + codec;
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<Sent> sent = produce(topic, 600, Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec,
                ProducerConfig.ACKS_CONFIG, "all"));
        assertReadBack(topic, 3, sent);
    }

    @Test
    void acksOneAndAcksZeroRecordsArrive() throws Exception {
        String topic = "acks";
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<Sent> sent = new ArrayList<>(produce(topic, 200, Map.of(ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false)));
        assertReadBack(topic, 1, sent);
    }

    @Test
    void autoCreatedTopicAcceptsRecords() throws Exception {
        List<Sent> sent = produce("auto-created", 50, Map.of());
        assertReadBack("auto-created", 1, sent);
    }

    private static List<Sent> produce(String topic, int count, Map<String, Object> config) throws Exception {
        Random random = new Random(topic.hashCode());
        List<Sent> sent = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), config)) {
            for (int i = 0; i < count; i++) {
                byte[] key = i % 7 == 0 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
                byte[] value = new byte[random.nextInt(2000)];
                random.nextBytes(value);
                RecordHeaders headers = new RecordHeaders();
                headers.add("h" + (i % 3), ("v" + i).getBytes(StandardCharsets.UTF_8));
                if (i % 5 == 0) {
                    headers.add("null-header", null);
                }
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, 1_700_000_000_000L + i, key,
                        i % 11 == 0 ? null : value, headers);
                records.add(record);
                acks.add(producer.send(record));
            }
            producer.flush();
            for (int i = 0; i < count; i++) {
                RecordMetadata md = acks.get(i).get(30, TimeUnit.SECONDS);
                ProducerRecord<byte[], byte[]> r = records.get(i);
                sent.add(new Sent(r.key(), r.value(), (RecordHeaders) r.headers(), r.timestamp(), md.offset(), md.partition()));
            }
        }
        return sent;
    }

    private static void assertReadBack(String topic, int partitions, List<Sent> sent) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(broker.bootstrap(), Map.of())) {
            List<ConsumerRecord<byte[], byte[]>> read = Clients.readAll(consumer, tps, sent.size());
            assertEquals(sent.size(), read.size(), "records read back");
            for (Sent s : sent) {
                ConsumerRecord<byte[], byte[]> r = read.stream()
                        .filter(c -> c.partition() == s.partition && c.offset() == s.offset).findFirst().orElseThrow(
                                () -> new AssertionError("offset " + s.offset + " of partition " + s.partition + " not read"));
                assertArrayEquals(s.key, r.key());
                assertArrayEquals(s.value, r.value());
                assertEquals(s.timestamp, r.timestamp());
                assertEquals(Arrays.asList(s.headers.toArray()), Arrays.asList(r.headers().toArray()));
            }
            for (int p = 0; p < partitions; p++) {
                int partition = p;
                List<Long> offsets = read.stream().filter(r -> r.partition() == partition).map(ConsumerRecord::offset).sorted().toList();
                for (int i = 0; i < offsets.size(); i++) {
                    assertEquals(i, offsets.get(i), "offsets of partition " + p + " are contiguous from 0");
                }
            }
        }
    }
}
