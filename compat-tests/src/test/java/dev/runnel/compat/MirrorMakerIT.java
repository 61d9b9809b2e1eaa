package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.mirror.MirrorMaker;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MirrorMaker 2 in dedicated mode (as connect-mirror-maker.sh runs it) in this JVM, replicating from one Runnel
 * broker ("A") to another ("B"): the topic's records with keys, values, headers, partitions and order, records
 * appended while MirrorMaker runs, and a consumer group's committed offsets translated by the checkpoint connector
 * and written to B. Two in-process brokers on their own ports and data directories; MirrorMaker's own worker group
 * and internal topics (configs, offsets, status, offset syncs, checkpoints, heartbeats) live on them too.
 */
@ExtendWith(CompatMatrix.class)
class MirrorMakerIT {
    static final String CLIENT = "MirrorMaker 2";
    private static final int PARTITIONS = 2;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    static Path dir;
    static RunningBroker source;
    static RunningBroker target;

    @BeforeAll
    static void start() throws Exception {
        source = RunningBroker.start(dir.resolve("a"));
        target = RunningBroker.start(dir.resolve("b"));
        CompatMatrix.version(CLIENT, "connect-mirror " + AppInfoParser.getVersion() + ", dedicated mode, A->B");
        // MirrorMaker's CLI path exits the JVM on a fatal error; make that an exception in a test.
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("MirrorMaker asked to exit with " + code + ": " + message);
        });
    }

    @AfterAll
    static void stop() {
        Exit.resetExitProcedure();
        target.close();
        source.close();
    }

    @Test
    @Scenario(client = CLIENT, value = "replicate a topic A -> B (keys, values, headers, partitions, order), records appended after start, group offsets translated")
    void replicatesRecordsAndTranslatesGroupOffsets() throws Exception {
        String topic = "orders";
        String group = "billing";
        try (Admin admin = Clients.admin(source.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<Sent> before = produce(topic, 0, 40);
        // The group has consumed and committed everything written so far before MirrorMaker starts, so the checkpoint
        // connector sees it at its first group listing.
        Map<Integer, Long> consumed = consumeAndCommit(group, topic, before.size());
        assertEquals(endOffsets(before), consumed, "group's committed offsets on A");

        MirrorMaker mm2 = new MirrorMaker(mm2Config(), List.of("B"));
        mm2.start();
        try {
            String mirrored = "A." + topic;
            assertEquals(byPartition(before), awaitRecords(mirrored, before.size()),
                    "records in " + mirrored + " on B: same keys, values, headers, partition and order as on A");

            // Translated offsets reach B's group before any new record is written, so the translation is exact.
            Await.until(WAIT, "group " + group + " on B has the translated offsets " + consumed,
                    () -> consumed.equals(committed(target, group, mirrored)),
                    () -> "committed on B: " + committed(target, group, mirrored));
            // The checkpoints MirrorMaker wrote on B say the same, read with its client library.
            Map<Integer, Long> checkpointed = new TreeMap<>();
            RemoteClusterUtils.translateOffsets(Map.of("bootstrap.servers", target.bootstrap()), "A", group, WAIT)
                    .forEach((tp, om) -> {
                        if (tp.topic().equals(mirrored)) {
                            checkpointed.put(tp.partition(), om.offset());
                        }
                    });
            assertEquals(consumed, checkpointed, "checkpoints in A.checkpoints.internal on B");

            List<Sent> after = produce(topic, before.size(), 30);
            List<Sent> all = new ArrayList<>(before);
            all.addAll(after);
            assertEquals(byPartition(all), awaitRecords(mirrored, all.size()),
                    "records appended on A after MirrorMaker started are mirrored in order");

            // A consumer of the group on B resumes at the translated offsets: exactly the records A's group has not read.
            assertEquals(byPartition(after), resume(group, mirrored, after.size()),
                    "group " + group + " on B resumes with exactly the records not yet consumed on A");
        } finally {
            mm2.stop();
        }
    }

    private static Map<String, String> mm2Config() {
        Map<String, String> c = new HashMap<>();
        c.put("clusters", "A, B");
        c.put("A.bootstrap.servers", source.bootstrap());
        c.put("B.bootstrap.servers", target.bootstrap());
        c.put("A->B.enabled", "true");
        c.put("A->B.topics", "orders");
        c.put("B->A.enabled", "false");
        c.put("replication.factor", "1");
        c.put("offset-syncs.topic.replication.factor", "1");
        c.put("checkpoints.topic.replication.factor", "1");
        c.put("heartbeats.topic.replication.factor", "1");
        c.put("config.storage.replication.factor", "1");
        c.put("offset.storage.replication.factor", "1");
        c.put("status.storage.replication.factor", "1");
        c.put("refresh.topics.interval.seconds", "1");
        c.put("refresh.groups.interval.seconds", "1");
        c.put("emit.checkpoints.interval.seconds", "1");
        c.put("emit.heartbeats.interval.seconds", "1");
        c.put("sync.group.offsets.enabled", "true");
        c.put("sync.group.offsets.interval.seconds", "1");
        // An offset sync for every record, so a group at the end of the topic translates exactly (no rounding down).
        c.put("offset.lag.max", "0");
        // Worker settings are read with the target cluster's prefix. Offset syncs beyond the ten in flight wait for
        // the task's next offset commit, so commit every second rather than every minute.
        c.put("B.offset.flush.interval.ms", "1000");
        c.put("B.plugin.discovery", "service_load");
        c.put("plugin.discovery", "service_load"); // MirrorMaker's own plugin loading reads the top level

        return c;
    }

    /** A record as produced: where it landed and what it carried. */
    record Sent(int partition, long offset, String key, String value, List<String> headers) {
    }

    private static List<Sent> produce(String topic, int first, int count) throws Exception {
        List<Sent> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(source.bootstrap(), Map.of("linger.ms", 5))) {
            for (int i = first; i < first + count; i++) {
                String key = "k" + (i % 7);
                String value = "order " + i;
                RecordHeaders headers = new RecordHeaders();
                headers.add("seq", bytes(Integer.toString(i)));
                headers.add("origin", bytes("test"));
                var metadata = producer.send(new ProducerRecord<>(topic, i % PARTITIONS, bytes(key), bytes(value), headers))
                        .get(30, TimeUnit.SECONDS);
                sent.add(new Sent(metadata.partition(), metadata.offset(), key, value, List.of("seq=" + i, "origin=test")));
            }
        }
        return sent;
    }

    private static Map<Integer, Long> consumeAndCommit(String group, String topic, int expected) {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(source.bootstrap(), Map.of("group.id", group))) {
            consumer.subscribe(List.of(topic));
            int seen = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen < expected && System.nanoTime() < deadline) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertEquals(expected, seen, "records consumed on A");
            consumer.commitSync(Duration.ofSeconds(30));
        }
        return committed(source, group, topic);
    }

    /** The mirrored topic's records on B by partition, once {@code expected} records are there. */
    private static Map<Integer, List<Sent>> awaitRecords(String topic, int expected) {
        List<TopicPartition> tps = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList();
        Map<Integer, List<Sent>> read = new TreeMap<>();
        Await.until(WAIT, expected + " records in " + topic + " on B", () -> {
            read.clear();
            read.putAll(readFromBeginning(tps));
            return read.values().stream().mapToInt(List::size).sum() >= expected;
        }, () -> "read: " + read);
        return read;
    }

    private static Map<Integer, List<Sent>> readFromBeginning(List<TopicPartition> tps) {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(target.bootstrap(), Map.of())) {
            Set<String> topics = consumer.listTopics(Duration.ofSeconds(10)).keySet();
            if (!topics.contains(tps.get(0).topic())) {
                return Map.of();
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return byPartitionOf(records);
        }
    }

    /** Joins {@code group} on B and reads what the group's committed offsets lead to, committing nothing. */
    private static Map<Integer, List<Sent>> resume(String group, String topic, int expected) {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(target.bootstrap(),
                Map.of("group.id", group, "auto.offset.reset", "none"))) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // Nothing beyond the expected records arrives: a short extra poll must stay empty.
            consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
            return byPartitionOf(records);
        }
    }

    private static Map<Integer, List<Sent>> byPartitionOf(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<Integer, List<Sent>> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            List<String> headers = new ArrayList<>();
            r.headers().forEach(h -> headers.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8)));
            out.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(new Sent(r.partition(), r.offset(),
                    new String(r.key(), StandardCharsets.UTF_8), new String(r.value(), StandardCharsets.UTF_8), headers));
        }
        return out;
    }

    private static Map<Integer, List<Sent>> byPartition(List<Sent> sent) {
        Map<Integer, List<Sent>> out = new TreeMap<>();
        sent.forEach(s -> out.computeIfAbsent(s.partition(), p -> new ArrayList<>()).add(s));
        return out;
    }

    private static Map<Integer, Long> endOffsets(List<Sent> sent) {
        Map<Integer, Long> out = new TreeMap<>();
        sent.forEach(s -> out.merge(s.partition(), s.offset() + 1, Math::max));
        return out;
    }

    private static Map<Integer, Long> committed(RunningBroker broker, String group, String topic) {
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<Integer, Long> out = new TreeMap<>();
            offsets.forEach((tp, om) -> {
                if (tp.topic().equals(topic) && om != null) {
                    out.put(tp.partition(), om.offset());
                }
            });
            return out;
        } catch (Exception e) {
            return Map.of(); // the group does not exist yet on B
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
