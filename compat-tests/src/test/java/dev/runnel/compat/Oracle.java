package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * kafka-clients as the reference: what the broker really holds after a non-Java client wrote to it, and what a
 * non-Java client's group really committed.
 */
final class Oracle {
    /** A record as text; the comparison unit between clients. Null key or value is {@code null}. */
    record Rec(int partition, long offset, String key, String value) {
    }

    private final String bootstrap;

    Oracle(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Every record of the topic's partitions, read from the beginning, sorted by partition then offset. */
    List<Rec> readAll(String topic, int partitions, int expected) {
        List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, Map.of())) {
            List<Rec> out = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : Clients.readAll(consumer, tps, expected)) {
                out.add(new Rec(r.partition(), r.offset(), text(r.key()), text(r.value())));
            }
            out.sort(Comparator.comparingInt(Rec::partition).thenComparingLong(Rec::offset));
            return out;
        }
    }

    /** For every record of the topic: its value mapped to its headers as "key=value" texts in order. */
    Map<String, List<String>> headersByValue(String topic, int partitions, int expected) {
        List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, Map.of())) {
            Map<String, List<String>> out = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : Clients.readAll(consumer, tps, expected)) {
                List<String> headers = new ArrayList<>();
                r.headers().forEach(h -> headers.add(h.key() + "=" + text(h.value())));
                out.put(text(r.value()), headers);
            }
            return out;
        }
    }

    /** Log end offsets by partition. */
    Map<Integer, Long> endOffsets(String topic, int partitions) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            Map<TopicPartition, OffsetSpec> specs = new TreeMap<>(Comparator.comparingInt(TopicPartition::partition));
            IntStream.range(0, partitions).forEach(p -> specs.put(new TopicPartition(topic, p), OffsetSpec.latest()));
            Map<Integer, Long> out = new TreeMap<>();
            admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        }
    }

    /** The group's committed offsets for the topic by partition (partitions without a commit are absent). */
    Map<Integer, Long> committed(String group, String topic) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<Integer, Long> out = new TreeMap<>();
            offsets.forEach((tp, om) -> {
                if (tp.topic().equals(topic) && om != null) {
                    out.put(tp.partition(), om.offset());
                }
            });
            return out;
        }
    }

    /** Same records regardless of partition and offset: sorted "key=value" texts. */
    static List<String> keyValues(List<Rec> records) {
        return records.stream().map(r -> r.key() + "=" + r.value()).sorted().toList();
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
