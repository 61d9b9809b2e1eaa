package dev.runnel.compat;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scenarios one older kafka-clients version runs (a subclass names the version and its matrix client with
 * {@link ScenarioClient}). The old client runs {@code OldClientScenarios} in its own class loader; kafka-clients 4.3
 * on the test classpath writes the input and checks the outcome: records (partition, offset, timestamp, key, value,
 * headers) equal on both sides, committed offsets, group assignments and Admin answers. Every scenario also checks
 * that the old client negotiated, for each API it used, the highest version both it and the broker support, which for
 * Produce and Fetch is older than what kafka-clients 4.3 uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OldJavaClientScenarios {
    private static final long BASE_TS = 1_700_000_000_000L;

    private final String version;
    private final String bootstrap;
    private final Oracle oracle;
    /** Null against an external broker: then the API versions on the wire are not checked. */
    private final WireTap tap;
    private OldKafkaClient client;
    /** The broker's advertised maximum version by API name (Kafka's names, e.g. "Produce"). */
    private Map<String, Integer> brokerMax;
    /** The old client's own maximum version by API name. */
    private Map<String, Integer> clientMax;

    OldJavaClientScenarios(String version, String bootstrap, WireTap tap) {
        this.version = version;
        this.bootstrap = bootstrap;
        this.tap = tap;
        this.oracle = new Oracle(bootstrap);
    }

    @BeforeAll
    void load() throws Exception {
        client = OldKafkaClient.load(version);
        brokerMax = brokerMaxVersions(bootstrap);
        clientMax = ints(client.call("info", Map.of()).get("latestVersions"));
    }

    @AfterAll
    void unload() throws Exception {
        if (client != null) {
            client.close();
        }
        if (tap != null) {
            // What this version really sent, for the matrix's version table.
            StringBuilder sent = new StringBuilder();
            tap.versions(clientIdPrefix()).forEach((api, versions) -> sent.append(sent.length() == 0 ? "" : ", ")
                    .append(api).append(" v").append(versions.stream().map(String::valueOf)
                            .collect(java.util.stream.Collectors.joining("/"))));
            CompatMatrix.version(getClass().getAnnotation(ScenarioClient.class).value(),
                    "kafka-clients " + version + " (own class loader); sent " + sent);
        }
    }

    @Test
    @Scenario(client = "", value = "runs from its own jar in an isolated class loader")
    void theOldClientIsReallyTheOldVersion() throws Exception {
        Map<String, Object> info = client.call("info", Map.of());
        assertEquals(version, info.get("version"), "AppInfoParser.getVersion() inside the isolated loader");
        assertTrue(String.valueOf(info.get("jar")).endsWith("old-clients/" + version + "/kafka-clients-" + version + ".jar"),
                "kafka-clients loaded from " + info.get("jar"));
        assertNotEquals(version, AppInfoParser.getVersion(), "the test classpath has another kafka-clients");
        assertTrue(clientMax.get("Produce") < ApiKeys.PRODUCE.latestVersion(),
                "the old client's newest Produce is older than kafka-clients " + AppInfoParser.getVersion() + "'s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    @Scenario(client = "", value = "idempotent producer (acks=all; none, gzip, snappy, lz4, zstd) with headers: records at acknowledged offsets")
    void idempotentProducerRecordsAreAtTheirAcknowledgedOffsets(String compression) throws Exception {
        String topic = CompatTarget.name("old-" + version + "-produce-" + compression);
        oracle.createTopic(topic, 3);
        int count = 300;
        Map<String, Object> result = client.call("produce", args("topic", topic, "count", count,
                "compression", compression, "timestamp", BASE_TS));
        List<Map<String, Object>> acknowledged = sorted(records(result));
        assertEquals(count, acknowledged.size(), "acknowledged records");
        assertEquals(acknowledged, readWith43(topic, 3, count), "kafka-clients 4.3 reads the records at their acknowledged offsets");
        Map<Integer, List<Long>> offsets = new TreeMap<>();
        Map<String, Set<Integer>> partitionsByKey = new HashMap<>();
        for (Map<String, Object> r : acknowledged) {
            offsets.computeIfAbsent((Integer) r.get("partition"), p -> new ArrayList<>()).add((Long) r.get("offset"));
            partitionsByKey.computeIfAbsent((String) r.get("key"), k -> new HashSet<>()).add((Integer) r.get("partition"));
        }
        offsets.forEach((p, o) -> assertEquals(LongStream.range(0, o.size()).boxed().toList(), o, "offsets of partition " + p + " are contiguous from 0"));
        partitionsByKey.forEach((k, parts) -> assertEquals(1, parts.size(), k + " went to one partition"));
        assertNegotiated("Produce", "InitProducerId", "Metadata", "ApiVersions");
    }

    @Test
    @Scenario(client = "", value = "assign and seek: records with headers and timestamps as kafka-clients 4.3 wrote them")
    void assignedConsumerReadsFromTheSoughtOffsets() throws Exception {
        String topic = CompatTarget.name("old-" + version + "-assign");
        oracle.createTopic(topic, 3);
        writeWith43(topic, 3, 30, "gzip");
        List<Map<String, Object>> written = readWith43(topic, 3, 90);
        Map<Integer, Long> start = Map.of(0, 0L, 1, 10L, 2, 29L);
        List<Map<String, Object>> expected = written.stream()
                .filter(r -> (Long) r.get("offset") >= start.get((Integer) r.get("partition"))).toList();

        Map<String, Object> result = client.call("consumeAssigned", args("topic", topic, "start", new HashMap<>(start),
                "expected", expected.size()));
        assertEquals(expected, sorted(records(result)), "records from the sought offsets on");
        assertEquals(oracle.endOffsets(topic, 3), result.get("positions"), "positions after reading are the end offsets");
        assertNegotiated("Fetch", "ListOffsets", "Metadata");
        if (tap != null) {
            // The contrast: kafka-clients 4.3 (default client ids producer-N, consumer-null-N) uses newer versions.
            assertEquals(Set.of(Math.min(ApiKeys.PRODUCE.latestVersion(), brokerMax.get("Produce"))),
                    tap.versions("producer-").get("Produce"), "Produce versions sent by kafka-clients 4.3");
            assertEquals(Set.of(Math.min(ApiKeys.FETCH.latestVersion(), brokerMax.get("Fetch"))),
                    tap.versions("consumer-").get("Fetch"), "Fetch versions sent by kafka-clients 4.3");
            assertTrue(clientMax.get("Fetch") < brokerMax.get("Fetch"), "the old client's newest Fetch is older");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"org.apache.kafka.clients.consumer.RangeAssignor",
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"})
    @Scenario(client = "", value = "consumer group of 2 (classic protocol; range, cooperative-sticky): disjoint assignments, commitSync, resume from committed offsets")
    void groupOfTwoSplitsThePartitionsCommitsAndAThirdMemberResumes(String assignor) throws Exception {
        String name = "old-" + version + "-group-" + assignor.substring(assignor.lastIndexOf('.') + 1);
        String topic = CompatTarget.name(name);
        String group = CompatTarget.name(name);
        oracle.createTopic(topic, 4);
        writeWith43(topic, 4, 25, "none");
        List<Map<String, Object>> written = readWith43(topic, 4, 100);

        Map<String, Object> result = client.call("group", args("topic", topic, "group", group, "members", 2,
                "expected", written.size(), "assignor", assignor));
        assertEquals(written, records(result), "every record read once by the group");
        List<List<Integer>> assignments = intLists(result.get("assignments"));
        Set<Integer> union = new TreeSet<>();
        for (List<Integer> a : assignments) {
            assertTrue(!a.isEmpty(), "every member holds partitions: " + assignments);
            a.forEach(p -> assertTrue(union.add(p), "partition " + p + " assigned twice: " + assignments));
        }
        assertEquals(Set.of(0, 1, 2, 3), union, "together the members hold every partition");
        Map<Integer, Long> end = oracle.endOffsets(topic, 4);
        assertEquals(end, result.get("committed"), "committed offsets as the old client reads them back");
        assertEquals(end, oracle.committed(group, topic), "committed offsets as kafka-clients 4.3 reads them");
        assertNegotiated("FindCoordinator", "JoinGroup", "SyncGroup", "OffsetCommit", "OffsetFetch", "LeaveGroup");

        // A new member of the same group starts at the committed offsets: it reads only what was written since.
        writeWith43(topic, 4, 5, "none");
        List<Map<String, Object>> added = readWith43(topic, 4, 120).stream().filter(r -> (Long) r.get("offset") >= 25).toList();
        Map<String, Object> resumed = client.call("group", args("topic", topic, "group", group, "members", 1,
                "expected", added.size(), "assignor", assignor));
        assertEquals(added, records(resumed), "the resumed member reads exactly the records after the committed offsets");
        assertEquals(oracle.endOffsets(topic, 4), oracle.committed(group, topic), "committed offsets after resuming");
    }

    @Test
    @Scenario(client = "", value = "Admin: createTopics, listTopics, describeTopics, listOffsets, listConsumerGroupOffsets, describeConsumerGroups")
    void adminCreatesAndDescribesWhatKafkaClients43Sees() throws Exception {
        String topic = CompatTarget.name("old-" + version + "-admin");
        String group = CompatTarget.name("old-" + version + "-admin");
        client.call("createTopic", args("topic", topic, "partitions", 3));
        assertEquals(3, oracle.endOffsets(topic, 3).size(), "kafka-clients 4.3 sees the three partitions");
        writeWith43(topic, 3, 10, "none");
        Map<Integer, Long> commits = Map.of(0, 4L, 1, 7L, 2, 10L);
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        commits.forEach((p, o) -> offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap,
                Map.of(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.commitSync(offsets);
        }

        Map<String, Object> described = client.call("describe", args("topic", topic, "group", group));
        assertEquals(true, described.get("listed"), "listTopics names the topic");
        Map<Integer, Integer> leaders = intMap(described.get("leaders"));
        assertEquals(Set.of(0, 1, 2), leaders.keySet(), "describeTopics partitions");
        Set<Integer> brokers = new HashSet<>(intList(described.get("brokers")));
        leaders.values().forEach(l -> assertTrue(brokers.contains(l), "leader " + l + " is a broker of " + brokers));
        assertEquals(oracle.endOffsets(topic, 3), described.get("endOffsets"), "listOffsets(latest)");
        assertEquals(new TreeMap<>(commits), described.get("committed"), "listConsumerGroupOffsets");
        assertEquals(oracle.committed(group, topic), described.get("committed"), "same committed offsets as kafka-clients 4.3");
        assertEquals("Empty", described.get("groupState"), "a group with commits and no members");
        assertEquals(0, described.get("groupMembers"));
        assertNegotiated("CreateTopics", "Metadata", "ListOffsets", "FindCoordinator", "OffsetFetch", "DescribeGroups");
    }

    // ---- helpers ----

    private Map<String, Object> args(Object... keyValues) {
        Map<String, Object> out = new HashMap<>();
        out.put("bootstrap", bootstrap);
        out.put("clientId", clientIdPrefix());
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put((String) keyValues[i], keyValues[i + 1]);
        }
        return out;
    }

    /** Every client this class starts has a client id with this prefix; the wire tap tells them apart by it. */
    private String clientIdPrefix() {
        return "kafka-clients-" + version;
    }

    /**
     * For each named API, the requests this old client sent (seen by the wire tap) all had one version: the highest
     * that both its own stable range and the broker's range hold.
     */
    private void assertNegotiated(String... apis) {
        if (tap == null) {
            return;
        }
        Map<String, Set<Integer>> sent = tap.versions(clientIdPrefix());
        for (String api : apis) {
            int expected = Math.min(clientMax.get(api), brokerMax.get(api));
            assertEquals(Set.of(expected), sent.get(api), api + " versions sent by kafka-clients " + version
                    + " (its newest stable " + clientMax.get(api) + ", broker's newest " + brokerMax.get(api) + ")");
        }
    }

    /** ApiVersions v3 with kafka-clients 4.3's request classes: the broker's max version by Kafka API name. */
    private static Map<String, Integer> brokerMaxVersions(String bootstrap) throws Exception {
        ApiVersionsResponse response = (ApiVersionsResponse) RawRequests.send(bootstrap,
                new ApiVersionsRequest.Builder().build((short) 3));
        Map<String, Integer> out = new TreeMap<>();
        for (ApiVersionsResponseData.ApiVersion v : response.data().apiKeys()) {
            if (ApiKeys.hasId(v.apiKey())) {
                out.put(ApiKeys.forId(v.apiKey()).name, (int) v.maxVersion());
            }
        }
        return out;
    }

    /** Writes {@code perPartition} records key-p-i / value-p-i, timestamp BASE_TS + i, headers p and i. */
    private void writeWith43(String topic, int partitions, int perPartition, String compression) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(bootstrap,
                Map.of(org.apache.kafka.clients.producer.ProducerConfig.COMPRESSION_TYPE_CONFIG, compression))) {
            for (int i = 0; i < perPartition; i++) {
                for (int p = 0; p < partitions; p++) {
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, p, BASE_TS + i,
                            bytes("key-" + p + "-" + i), bytes("value-" + p + "-" + i));
                    record.headers().add("p", bytes(Integer.toString(p))).add("i", bytes(Integer.toString(i)));
                    producer.send(record);
                }
            }
            producer.flush();
        }
    }

    /** Every record of the topic read by kafka-clients 4.3, in the scenario map form, by partition then offset. */
    private List<Map<String, Object>> readWith43(String topic, int partitions, int expected) {
        List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, Map.of())) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : Clients.readAll(consumer, tps, expected)) {
                Map<String, Object> m = new HashMap<>();
                m.put("partition", r.partition());
                m.put("offset", r.offset());
                m.put("timestamp", r.timestamp());
                m.put("key", text(r.key()));
                m.put("value", text(r.value()));
                List<String> headers = new ArrayList<>();
                for (Header h : r.headers()) {
                    headers.add(h.key() + "=" + text(h.value()));
                }
                m.put("headers", headers);
                out.add(m);
            }
            return sorted(out);
        }
    }

    private static List<Map<String, Object>> sorted(List<Map<String, Object>> records) {
        List<Map<String, Object>> out = new ArrayList<>(records);
        out.sort(Comparator.<Map<String, Object>>comparingInt(r -> (Integer) r.get("partition"))
                .thenComparingLong(r -> (Long) r.get("offset")));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> records(Map<String, Object> result) {
        return (List<Map<String, Object>>) result.get("records");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Integer> ints(Object o) {
        return (Map<String, Integer>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<Integer, Integer> intMap(Object o) {
        return (Map<Integer, Integer>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> intList(Object o) {
        return (List<Integer>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<List<Integer>> intLists(Object o) {
        return (List<List<Integer>>) o;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
