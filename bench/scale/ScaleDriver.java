import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Client side of the scale benchmark (bench/scale/run.sh), run with Java's single-file source launcher and the
 * kafka-clients jar that bench/e2e fetches ({@code java -cp 'bench/e2e/target/kafka-lib/*' ScaleDriver.java}).
 *
 * <pre>
 * create  BOOTSTRAP TOPICS PARTITIONS            creates scale-000..: CreateTopics of 1,000 partitions each, timed
 * hold    BOOTSTRAP CONNECTIONS SAMPLE RECORDS   opens idle connections, then produces and reads back a sample
 * verify  BOOTSTRAP SAMPLE RECORDS               reads the sample back (after a restart)
 * </pre>
 *
 * Results are lines {@code RESULT {json}} on stdout. {@code hold} prints {@code PAUSE <phase>} and waits for a
 * line on stdin at each point where the orchestrator measures the broker (connections open; sample written).
 * The sample is partition {@code i * (total / SAMPLE)} of the topic list, so it spreads over every topic.
 */
public final class ScaleDriver {
    static final String PREFIX = "scale-";
    static final int VALUE_BYTES = 100;

    public static void main(String[] args) throws Exception {
        String bootstrap = args[1];
        switch (args[0]) {
            case "create" -> create(bootstrap, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "hold" -> hold(bootstrap, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "verify" -> result("verify", verify(bootstrap, sample(bootstrap, Integer.parseInt(args[2])),
                    Integer.parseInt(args[3])));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static void create(String bootstrap, int topics, int partitions) throws Exception {
        try (Admin admin = Admin.create(adminProps(bootstrap))) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (int t = 0; t < topics; t++) {
                newTopics.add(new NewTopic(topicName(t), partitions, (short) 1));
            }
            // Batches of at most 1,000 partitions: Kafka's controller rejects one CreateTopics that would write
            // more than 10,000 metadata records (PolicyViolationException: excessively large batch operation).
            long start = System.nanoTime();
            int perRequest = Math.max(1, 1_000 / partitions);
            for (int from = 0; from < newTopics.size(); from += perRequest) {
                admin.createTopics(newTopics.subList(from, Math.min(newTopics.size(), from + perRequest)))
                        .all().get(10, TimeUnit.MINUTES);
            }
            double created = seconds(start);
            // Until every partition has a leader in Metadata (Kafka's controller answers before brokers apply it).
            int expected = topics * partitions;
            int withLeader = 0;
            while (withLeader < expected) {
                withLeader = 0;
                try {
                    var described = admin.describeTopics(newTopics.stream().map(NewTopic::name).toList())
                            .allTopicNames().get(5, TimeUnit.MINUTES);
                    for (var d : described.values()) {
                        withLeader += (int) d.partitions().stream().filter(p -> p.leader() != null && p.leader().id() >= 0).count();
                    }
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                    withLeader = 0; // Kafka: the broker has not applied the controller's records yet
                }
                if (withLeader < expected) {
                    Thread.sleep(100);
                }
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("partitions", expected);
            r.put("create_s", created);
            r.put("ready_s", seconds(start));
            result("create", r);
        }
    }

    static void hold(String bootstrap, int connections, int sampleSize, int records) throws Exception {
        InetSocketAddress address = address(bootstrap);
        List<SocketChannel> idle = new ArrayList<>(connections);
        Map<String, Object> conn = new LinkedHashMap<>();
        long start = System.nanoTime();
        int failed = 0;
        String firstError = null;
        // Pipelined: connect and send ApiVersions on each, then read every answer.
        int consecutiveFailures = 0;
        for (int i = 0; i < connections && consecutiveFailures < 20; i++) {
            try {
                SocketChannel ch = SocketChannel.open();
                ch.socket().connect(address, 5_000);
                consecutiveFailures = 0;
                idle.add(ch);
                if (!send(ch, apiVersionsRequest(i))) {
                    ch.close();
                }
            } catch (IOException e) {
                failed++;
                consecutiveFailures++;
                firstError = firstError == null ? e.toString() : firstError;
            }
        }
        int answered = readAnswers(idle);
        conn.put("requested", connections);
        conn.put("opened", idle.size());
        conn.put("answered", answered);
        conn.put("connect_failed", failed);
        conn.put("first_error", firstError);
        conn.put("open_s", seconds(start));
        result("connections", conn);
        pause("connections");

        List<TopicPartition> sample = sample(bootstrap, sampleSize);
        result("produce", produce(bootstrap, sample, records));
        result("consume", verify(bootstrap, sample, records));
        pause("loaded");

        // The idle connections must still be served: one more ApiVersions on each.
        start = System.nanoTime();
        int written = 0;
        for (SocketChannel ch : idle) {
            if (!send(ch, apiVersionsRequest(written++))) {
                ch.close(); // not answered: counted below
            }
        }
        Map<String, Object> again = new LinkedHashMap<>();
        again.put("still_answered", readAnswers(idle));
        again.put("of", idle.size());
        again.put("seconds", seconds(start));
        result("idle_check", again);
        for (SocketChannel ch : idle) {
            ch.close();
        }
    }

    /** Produces RECORDS records to each sample partition, acks=all, measuring each send's latency. */
    static Map<String, Object> produce(String bootstrap, List<TopicPartition> sample, int records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        Map<String, Object> r = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            // Latency probe: one synchronous send per sample partition (the first record of each).
            long[] sync = new long[sample.size()];
            long start = System.nanoTime();
            for (int i = 0; i < sample.size(); i++) {
                TopicPartition tp = sample.get(i);
                long t0 = System.nanoTime();
                producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), key(0), value(tp, 0))).get();
                sync[i] = System.nanoTime() - t0;
            }
            r.put("sync_sends", sample.size());
            r.put("sync_s", seconds(start));
            putPercentiles(r, "sync_latency_ms", sync);
            // Throughput: the remaining records of every partition, asynchronously, round robin over partitions.
            int total = sample.size() * (records - 1);
            long[] lat = new long[total];
            AtomicInteger errors = new AtomicInteger();
            AtomicReference<Exception> firstError = new AtomicReference<>();
            Semaphore window = new Semaphore(10_000);
            start = System.nanoTime();
            int n = 0;
            for (int i = 1; i < records; i++) {
                for (TopicPartition tp : sample) {
                    window.acquire();
                    final int slot = n++;
                    final long t0 = System.nanoTime();
                    producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), key(i), value(tp, i)), (md, e) -> {
                        lat[slot] = System.nanoTime() - t0;
                        if (e != null) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e);
                        }
                        window.release();
                    });
                }
            }
            producer.flush();
            double s = seconds(start);
            r.put("async_records", total);
            r.put("async_s", s);
            r.put("async_records_per_s", total / s);
            r.put("errors", errors.get());
            r.put("first_error", firstError.get() == null ? null : firstError.get().toString());
            putPercentiles(r, "async_latency_ms", lat);
        }
        return r;
    }

    /** Reads every sample partition from the start and compares each record with what produce wrote. */
    static Map<String, Object> verify(String bootstrap, List<TopicPartition> sample, int records) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<String, Object> r = new LinkedHashMap<>();
        Map<TopicPartition, Integer> next = new HashMap<>();
        int mismatches = 0;
        int read = 0;
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(sample);
            consumer.seekToBeginning(sample);
            int expected = sample.size() * records;
            // Until everything is read, or nothing new arrived for 30 s (a record the producer failed to send).
            long idleSince = System.nanoTime();
            while (read < expected && System.nanoTime() - idleSince < TimeUnit.SECONDS.toNanos(30)) {
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
                    int i = Integer.parseInt(new String(rec.key(), StandardCharsets.UTF_8));
                    // Offsets are dense and keys in order: a record lost by the producer leaves a gap in keys only.
                    int previous = next.getOrDefault(tp, -1);
                    if (i <= previous || rec.offset() > i || !Arrays.equals(rec.value(), value(tp, i))) {
                        mismatches++;
                    }
                    next.put(tp, i);
                    read++;
                    idleSince = System.nanoTime();
                }
            }
            r.put("expected", expected);
        }
        r.put("read", read);
        r.put("mismatches", mismatches);
        r.put("seconds", seconds(start));
        return r;
    }

    /** SAMPLE partitions spread evenly over the scale-* topics, in topic order. */
    static List<TopicPartition> sample(String bootstrap, int size) throws Exception {
        List<TopicPartition> all = new ArrayList<>();
        try (Admin admin = Admin.create(adminProps(bootstrap))) {
            List<String> names = admin.listTopics().names().get().stream().filter(n -> n.startsWith(PREFIX)).sorted().toList();
            var described = admin.describeTopics(names).allTopicNames().get();
            for (String name : names) {
                for (int i = 0; i < described.get(name).partitions().size(); i++) {
                    all.add(new TopicPartition(name, i));
                }
            }
        }
        List<TopicPartition> sample = new ArrayList<>();
        int step = Math.max(1, all.size() / size);
        for (int i = 0; i < all.size() && sample.size() < size; i += step) {
            sample.add(all.get(i));
        }
        return sample;
    }

    /** ApiVersions v3 (header v2, flexible): client software name and version as the Java client sends them. */
    static ByteBuffer apiVersionsRequest(int correlationId) {
        byte[] clientId = "scale-idle".getBytes(StandardCharsets.UTF_8);
        byte[] name = "scale-driver".getBytes(StandardCharsets.UTF_8);
        byte[] version = "1.0".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(64);
        b.putInt(0).putShort((short) 18).putShort((short) 3).putInt(correlationId);
        b.putShort((short) clientId.length).put(clientId).put((byte) 0); // client id, no header tags
        b.put((byte) (name.length + 1)).put(name).put((byte) (version.length + 1)).put(version).put((byte) 0);
        b.putInt(0, b.position() - 4);
        return b.flip();
    }

    /**
     * Reads one response from each channel, all at once with a selector, for at most a minute (a broker that
     * accepted a connection at the TCP level but never serves it must not hang the driver). Returns how many
     * answered; channels are left non-blocking.
     */
    static int readAnswers(List<SocketChannel> channels) throws IOException {
        int answered = 0;
        try (Selector selector = Selector.open()) {
            for (SocketChannel ch : channels) {
                if (ch.isOpen()) {
                    ch.configureBlocking(false);
                    ch.register(selector, SelectionKey.OP_READ, new ByteBuffer[] {ByteBuffer.allocate(4), null});
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int pending = selector.keys().size();
            while (pending > 0 && System.nanoTime() < deadline) {
                selector.select(1000);
                for (SelectionKey key : selector.selectedKeys()) {
                    ByteBuffer[] state = (ByteBuffer[]) key.attachment();
                    SocketChannel ch = (SocketChannel) key.channel();
                    try {
                        ByteBuffer b = state[1] == null ? state[0] : state[1];
                        if (ch.read(b) < 0) {
                            throw new IOException("closed");
                        }
                        if (state[1] == null && !state[0].hasRemaining()) {
                            state[1] = ByteBuffer.allocate(state[0].getInt(0));
                            ch.read(state[1]);
                        }
                        if (state[1] != null && !state[1].hasRemaining()) {
                            answered++;
                            pending--;
                            key.cancel();
                        }
                    } catch (IOException e) {
                        pending--;
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
            }
            selector.selectNow(); // completes the cancellations before the channels are used again
        }
        return answered;
    }

    /** Writes a whole small request on a channel in either mode; false if the connection is gone. */
    static boolean send(SocketChannel ch, ByteBuffer request) {
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (request.hasRemaining() && System.nanoTime() < deadline) {
                ch.write(request);
            }
            return !request.hasRemaining();
        } catch (IOException e) {
            return false;
        }
    }

    static Properties adminProps(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 600_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 600_000);
        return p;
    }

    static String topicName(int t) {
        return String.format("%s%03d", PREFIX, t);
    }

    static byte[] key(int i) {
        return Integer.toString(i).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] value(TopicPartition tp, int i) {
        byte[] v = new byte[VALUE_BYTES];
        byte[] id = (tp + "/" + i + "/").getBytes(StandardCharsets.UTF_8);
        for (int j = 0; j < v.length; j++) {
            v[j] = id[j % id.length];
        }
        return v;
    }

    static InetSocketAddress address(String bootstrap) {
        int colon = bootstrap.lastIndexOf(':');
        return new InetSocketAddress(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1)));
    }

    static void putPercentiles(Map<String, Object> r, String name, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        r.put(name, Map.of("p50", ms(sorted, 0.50), "p99", ms(sorted, 0.99), "max", ms(sorted, 1.0)));
    }

    static double ms(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    static void pause(String phase) throws IOException {
        System.out.println("PAUSE " + phase);
        System.out.flush();
        STDIN.readLine();
    }

    static void result(String phase, Map<String, Object> values) {
        System.out.println("RESULT " + json(Map.of("phase", phase, "values", values)));
        System.out.flush();
    }

    static String json(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            for (var e : m.entrySet()) {
                sb.append(sb.length() > 1 ? "," : "").append(json(e.getKey().toString())).append(':').append(json(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (o instanceof String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
        }
        return o.toString();
    }
}
