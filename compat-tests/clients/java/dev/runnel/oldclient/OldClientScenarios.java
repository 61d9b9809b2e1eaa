package dev.runnel.oldclient;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.AppInfoParser;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Scenarios for an older kafka-clients (2.8 to 3.x), compiled at test time against that version's jar and run in a
 * class loader that holds only that jar and its runtime dependencies (see OldKafkaClient in compat-tests). Uses only
 * API that exists in every version it is compiled against. Arguments and results are plain JDK types (maps, lists,
 * strings, numbers) so they cross class loaders; a record is a map with partition, offset, timestamp, key, value
 * (UTF-8 text, null kept) and headers (list of "key=value" texts in order).
 */
public final class OldClientScenarios {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The APIs whose newest version {@link #info} reports. */
    private static final ApiKeys[] REPORTED = {ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE, ApiKeys.FETCH,
            ApiKeys.LIST_OFFSETS, ApiKeys.INIT_PRODUCER_ID, ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP,
            ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.LEAVE_GROUP,
            ApiKeys.CREATE_TOPICS, ApiKeys.DESCRIBE_GROUPS};

    private OldClientScenarios() {
    }

    /**
     * Which kafka-clients this really is: version, jar it was loaded from, and the newest stable version of each
     * reported API (3.x may also know an unstable newer one that its request builders never use).
     */
    public static Map<String, Object> info(Map<String, Object> args) throws Exception {
        Map<String, Object> out = new HashMap<>();
        out.put("version", AppInfoParser.getVersion());
        out.put("commitId", AppInfoParser.getCommitId());
        out.put("jar", KafkaProducer.class.getProtectionDomain().getCodeSource().getLocation().toString());
        Map<String, Integer> latest = new TreeMap<>();
        for (ApiKeys api : REPORTED) {
            latest.put(api.name, stableLatest(api));
        }
        out.put("latestVersions", latest);
        return out;
    }

    /**
     * Sends {@code count} records (key key-(i%10), value "value-i-" repeated, timestamp ts+i, headers seq=i and
     * client=version) with an idempotent acks=all producer and the given compression; returns every record as
     * acknowledged (partition, offset).
     */
    public static Map<String, Object> produce(Map<String, Object> args) throws Exception {
        String topic = (String) args.get("topic");
        int count = (Integer) args.get("count");
        long ts = (Long) args.get("timestamp");
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, args.get("clientId"));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, args.get("compression"));
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        List<Map<String, Object>> records = new ArrayList<>();
        Map<String, Object> out = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                StringBuilder value = new StringBuilder();
                for (int r = 0; r <= i % 7; r++) {
                    value.append("value-").append(i).append('-');
                }
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, ts + i, bytes("key-" + (i % 10)),
                        bytes(value.toString()));
                record.headers().add("seq", bytes(Integer.toString(i)));
                record.headers().add("client", bytes(AppInfoParser.getVersion()));
                sent.add(record);
                acks.add(producer.send(record));
            }
            producer.flush();
            for (int i = 0; i < count; i++) {
                RecordMetadata md = acks.get(i).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                ProducerRecord<byte[], byte[]> r = sent.get(i);
                records.add(record(md.partition(), md.offset(), md.timestamp(), r.key(), r.value(), r.headers()));
            }
        }
        out.put("records", records);
        return out;
    }

    /**
     * Assigns the given partitions, seeks each to its start offset and polls until {@code expected} records arrived;
     * returns them in arrival order and the positions after them.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> consumeAssigned(Map<String, Object> args) throws Exception {
        String topic = (String) args.get("topic");
        Map<Integer, Long> start = (Map<Integer, Long>) args.get("start");
        int expected = (Integer) args.get("expected");
        Map<String, Object> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(args, null)) {
            List<TopicPartition> tps = new ArrayList<>();
            start.keySet().forEach(p -> tps.add(new TopicPartition(topic, p)));
            consumer.assign(tps);
            start.forEach((p, offset) -> consumer.seek(new TopicPartition(topic, p), offset));
            List<Map<String, Object>> records = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (records.size() < expected) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("read " + records.size() + " of " + expected + " records");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.add(record(r.partition(), r.offset(), r.timestamp(), r.key(), r.value(), r.headers()));
                }
            }
            Map<Integer, Long> positions = new TreeMap<>();
            for (TopicPartition tp : tps) {
                positions.put(tp.partition(), consumer.position(tp));
            }
            out.put("records", records);
            out.put("positions", positions);
        }
        return out;
    }

    /**
     * {@code members} consumers of one group (classic protocol, optional assignor class name) subscribe to the topic
     * and poll until together they have read {@code expected} distinct records; then each commits synchronously and,
     * once all have committed, reports its assignment. Returns the distinct records (sorted by partition and offset),
     * each member's assigned partitions, and the committed offsets as the first member reads them back.
     */
    public static Map<String, Object> group(Map<String, Object> args) throws Exception {
        String topic = (String) args.get("topic");
        int members = (Integer) args.get("members");
        int expected = (Integer) args.get("expected");
        Map<String, Map<String, Object>> seen = new ConcurrentHashMap<>();
        Map<Integer, Set<Integer>> assigned = new ConcurrentHashMap<>();
        CountDownLatch committed = new CountDownLatch(members);
        ExecutorService pool = Executors.newFixedThreadPool(members);
        List<Future<Map<String, Object>>> results = new ArrayList<>();
        try {
            for (int m = 0; m < members; m++) {
                final int member = m;
                results.add(pool.submit(() -> member(args, member, topic, expected, seen, assigned, committed)));
            }
            List<List<Integer>> assignments = new ArrayList<>();
            Map<String, Object> out = new HashMap<>();
            for (Future<Map<String, Object>> f : results) {
                Map<String, Object> r = f.get(2 * WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assignments.add(castList(r.get("assignment")));
                out.putIfAbsent("committed", r.get("committed"));
            }
            List<Map<String, Object>> records = new ArrayList<>(seen.values());
            records.sort((a, b) -> {
                int c = Integer.compare((Integer) a.get("partition"), (Integer) b.get("partition"));
                return c != 0 ? c : Long.compare((Long) a.get("offset"), (Long) b.get("offset"));
            });
            out.put("records", records);
            out.put("assignments", assignments);
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, Object> member(Map<String, Object> args, int member, String topic, int expected,
                                              Map<String, Map<String, Object>> seen, Map<Integer, Set<Integer>> assigned,
                                              CountDownLatch committed) throws Exception {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(args, (String) args.get("group"))) {
            consumer.subscribe(Collections.singletonList(topic));
            int partitions = consumer.partitionsFor(topic).size();
            int members = (Integer) args.get("members");
            long deadline = System.nanoTime() + WAIT.toNanos();
            // Poll until everything is read and the group is settled: every member holds partitions, together all.
            while (seen.size() < expected || !settled(assigned, members, partitions)) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("member " + member + ": group read " + seen.size() + " of " + expected
                            + ", assignments " + assigned);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.put(r.partition() + "@" + r.offset(),
                            record(r.partition(), r.offset(), r.timestamp(), r.key(), r.value(), r.headers()));
                }
                Set<Integer> mine = new HashSet<>();
                consumer.assignment().forEach(tp -> mine.add(tp.partition()));
                assigned.put(member, mine);
            }
            // Everyone has read everything; the positions of this member's partitions are the log end offsets.
            consumer.commitSync(WAIT);
            committed.countDown();
            if (!committed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new TimeoutException("member " + member + ": the other members did not commit");
            }
            List<Integer> assignment = new ArrayList<>();
            consumer.assignment().forEach(tp -> assignment.add(tp.partition()));
            Collections.sort(assignment);
            Set<TopicPartition> all = new HashSet<>();
            consumer.partitionsFor(topic).forEach(p -> all.add(new TopicPartition(topic, p.partition())));
            Map<Integer, Long> offsets = new TreeMap<>();
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : consumer.committed(all, WAIT).entrySet()) {
                if (e.getValue() != null) {
                    offsets.put(e.getKey().partition(), e.getValue().offset());
                }
            }
            Map<String, Object> out = new HashMap<>();
            out.put("assignment", assignment);
            out.put("committed", offsets);
            return out;
        }
    }

    private static boolean settled(Map<Integer, Set<Integer>> assigned, int members, int partitions) {
        if (assigned.size() < members) {
            return false;
        }
        int total = 0;
        for (Set<Integer> a : assigned.values()) {
            if (a.isEmpty()) {
                return false;
            }
            total += a.size();
        }
        return total == partitions;
    }

    /** CreateTopics through the old Admin. */
    public static Map<String, Object> createTopic(Map<String, Object> args) throws Exception {
        try (Admin admin = admin(args)) {
            NewTopic topic = new NewTopic((String) args.get("topic"), (Integer) args.get("partitions"), (short) 1);
            admin.createTopics(Collections.singletonList(topic)).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        return new HashMap<>();
    }

    /**
     * What the old Admin says about a topic and a group: listed topic names, each partition's leader, latest offsets,
     * the group's committed offsets, and the group's state and member count.
     */
    @SuppressWarnings("deprecation") // DescribeTopicsResult.all(): the one call every version from 2.8 to 3.x has
    public static Map<String, Object> describe(Map<String, Object> args) throws Exception {
        String topic = (String) args.get("topic");
        String group = (String) args.get("group");
        long ms = WAIT.toMillis();
        Map<String, Object> out = new HashMap<>();
        try (Admin admin = admin(args)) {
            out.put("listed", admin.listTopics().names().get(ms, TimeUnit.MILLISECONDS).contains(topic));
            TopicDescription description = admin.describeTopics(Collections.singletonList(topic)).all()
                    .get(ms, TimeUnit.MILLISECONDS).get(topic);
            Map<Integer, Integer> leaders = new TreeMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (TopicPartitionInfo p : description.partitions()) {
                leaders.put(p.partition(), p.leader().id());
                latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            }
            out.put("leaders", leaders);
            Map<Integer, Long> end = new TreeMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                    : admin.listOffsets(latest).all().get(ms, TimeUnit.MILLISECONDS).entrySet()) {
                end.put(e.getKey().partition(), e.getValue().offset());
            }
            out.put("endOffsets", end);
            Map<Integer, Long> committed = new TreeMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(ms, TimeUnit.MILLISECONDS)
                    .forEach((tp, om) -> {
                        if (tp.topic().equals(topic) && om != null) {
                            committed.put(tp.partition(), om.offset());
                        }
                    });
            out.put("committed", committed);
            ConsumerGroupDescription g = admin.describeConsumerGroups(Collections.singletonList(group)).all()
                    .get(ms, TimeUnit.MILLISECONDS).get(group);
            out.put("groupState", g.state().toString());
            out.put("groupMembers", g.members().size());
            Set<Integer> brokers = new HashSet<>();
            admin.describeCluster().nodes().get(ms, TimeUnit.MILLISECONDS).forEach(n -> brokers.add(n.id()));
            out.put("brokers", new ArrayList<>(brokers));
        }
        return out;
    }

    private static Admin admin(Map<String, Object> args) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, args.get("clientId"));
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(props);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> args, String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, args.get("clientId") + "-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            if (args.get("assignor") != null) {
                props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, args.get("assignor"));
            }
        }
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static Map<String, Object> record(int partition, long offset, long timestamp, byte[] key, byte[] value,
                                              Iterable<Header> headers) {
        Map<String, Object> r = new HashMap<>();
        r.put("partition", partition);
        r.put("offset", offset);
        r.put("timestamp", timestamp);
        r.put("key", text(key));
        r.put("value", text(value));
        List<String> h = new ArrayList<>();
        for (Header header : headers) {
            h.add(header.key() + "=" + text(header.value()));
        }
        r.put("headers", h);
        return r;
    }

    /** ApiMessageType.highestSupportedVersion(false) from 3.x on (unstable versions excluded), no-argument in 2.x. */
    private static int stableLatest(ApiKeys api) throws Exception {
        Object type = api.messageType;
        try {
            return (Short) type.getClass().getMethod("highestSupportedVersion", boolean.class).invoke(type, false);
        } catch (NoSuchMethodException e) {
            return (Short) type.getClass().getMethod("highestSupportedVersion").invoke(type);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> castList(Object o) {
        return (List<Integer>) o;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
