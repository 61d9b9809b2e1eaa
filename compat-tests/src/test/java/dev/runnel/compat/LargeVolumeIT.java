package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * 100 MB through a default kafka-clients producer and back through a consumer: every partition holds exactly the
 * records acknowledged for it, at contiguous offsets, byte for byte (a SHA-256 per partition over keys and values
 * in offset order). Values are regenerated from the record index, so neither side keeps 100 MB in memory.
 */
class LargeVolumeIT {
    private static final String TOPIC = "volume";
    private static final int PARTITIONS = 4;
    private static final int RECORDS = 100_000;
    private static final int VALUE_SIZE = 1024;
    private static final long SEED = Long.getLong("seed", 20240601L);

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void hundredMegabytesAreReadBackIdenticallyPerPartition(@TempDir Path dir) throws Exception {
        try (RunningBroker broker = RunningBroker.start(dir)) {
            try (Admin admin = Clients.admin(broker.bootstrap())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            long start = System.nanoTime();
            int[][] indexByOffset = produce(broker.bootstrap());
            long produced = System.nanoTime();
            byte[][] expected = new byte[PARTITIONS][];
            for (int p = 0; p < PARTITIONS; p++) {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                byte[] value = new byte[VALUE_SIZE];
                for (int index : indexByOffset[p]) {
                    fillValue(index, value);
                    update(digest, key(index), value);
                }
                expected[p] = digest.digest();
            }
            long consumeStart = System.nanoTime();
            byte[][] actual = consume(broker.bootstrap(), indexByOffset);
            long consumed = System.nanoTime();
            for (int p = 0; p < PARTITIONS; p++) {
                assertArrayEquals(expected[p], actual[p], "SHA-256 of partition " + p + " (seed " + SEED + "): expected "
                        + HexFormat.of().formatHex(expected[p]) + ", read " + HexFormat.of().formatHex(actual[p]));
            }
            double megabytes = (double) RECORDS * VALUE_SIZE / (1 << 20);
            System.out.printf("LargeVolumeIT: %.0f MiB produced in %d ms, consumed in %d ms; partition sizes %s%n",
                    megabytes, TimeUnit.NANOSECONDS.toMillis(produced - start),
                    TimeUnit.NANOSECONDS.toMillis(consumed - consumeStart),
                    Arrays.stream(indexByOffset).map(a -> a.length).toList());
        }
    }

    /** Sends every record with the default producer; returns, per partition, the record index at each offset. */
    private static int[][] produce(String bootstrap) throws Exception {
        int[] partitionOf = new int[RECORDS];
        long[] offsetOf = new long[RECORDS];
        AtomicInteger acked = new AtomicInteger();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap, Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                int index = i;
                byte[] value = new byte[VALUE_SIZE];
                fillValue(i, value);
                producer.send(new ProducerRecord<>(TOPIC, key(i), value), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                        return;
                    }
                    partitionOf[index] = md.partition();
                    offsetOf[index] = md.offset();
                    acked.incrementAndGet();
                });
            }
            producer.flush();
        }
        assertNull(failure.get(), "a send failed");
        assertEquals(RECORDS, acked.get(), "acknowledged sends");
        int[] counts = new int[PARTITIONS];
        for (int p : partitionOf) {
            counts[p]++;
        }
        int[][] indexByOffset = new int[PARTITIONS][];
        for (int p = 0; p < PARTITIONS; p++) {
            indexByOffset[p] = new int[counts[p]];
            Arrays.fill(indexByOffset[p], -1);
        }
        for (int i = 0; i < RECORDS; i++) {
            int[] slots = indexByOffset[partitionOf[i]];
            long offset = offsetOf[i];
            if (offset < 0 || offset >= slots.length || slots[(int) offset] != -1) {
                throw new AssertionError("record " + i + " acknowledged at offset " + offset + " of partition "
                        + partitionOf[i] + ": offsets must be contiguous from 0 and unique");
            }
            slots[(int) offset] = i;
        }
        return indexByOffset;
    }

    /** Reads every partition from the beginning; returns the SHA-256 per partition, checking offsets on the way. */
    private static byte[][] consume(String bootstrap, int[][] indexByOffset) throws Exception {
        MessageDigest[] digests = new MessageDigest[PARTITIONS];
        long[] nextOffset = new long[PARTITIONS];
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            digests[p] = MessageDigest.getInstance("SHA-256");
            tps.add(new TopicPartition(TOPIC, p));
        }
        int read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, Map.of())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (read < RECORDS && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    int p = r.partition();
                    assertEquals(nextOffset[p], r.offset(), "next offset of partition " + p);
                    nextOffset[p]++;
                    update(digests[p], r.key(), r.value());
                    read++;
                }
            }
            for (int p = 0; p < PARTITIONS; p++) {
                assertEquals(indexByOffset[p].length, nextOffset[p], "records read from partition " + p);
            }
            // nothing beyond what was acknowledged
            assertEquals(0, consumer.poll(Duration.ofMillis(500)).count());
        }
        byte[][] result = new byte[PARTITIONS][];
        for (int p = 0; p < PARTITIONS; p++) {
            result[p] = digests[p].digest();
        }
        return result;
    }

    private static byte[] key(int index) {
        return ByteBuffer.allocate(4).putInt(index).array();
    }

    private static void fillValue(int index, byte[] value) {
        new SplittableRandom(SEED * 1_000_003L + index).nextBytes(value);
    }

    private static void update(MessageDigest digest, byte[] key, byte[] value) {
        digest.update(key);
        digest.update(value);
    }
}
