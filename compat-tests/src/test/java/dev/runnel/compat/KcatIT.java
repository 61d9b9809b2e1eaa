package dev.runnel.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** librdkafka through Debian's kcat: produce, consume, consumer group, metadata and offset queries. */
@ExtendWith(CompatMatrix.class)
class KcatIT {
    static final String CLIENT = "kcat (librdkafka)";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final boolean INSTALLED = ExternalProcess.works(List.of("kcat", "-V"));

    static CompatTarget target;
    static Oracle oracle;

    @BeforeAll
    static void start() throws Exception {
        target = CompatTarget.start();
        oracle = new Oracle(target.bootstrap());
        if (INSTALLED) {
            String version = ExternalProcess.run(List.of("kcat", "-V"), null, TIMEOUT).lines().stream()
                    .filter(l -> l.startsWith("Version")).findFirst().orElse("?");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Version (\\S+) .*librdkafka (\\S+).*").matcher(version);
            CompatMatrix.version(CLIENT, m.matches() ? "kcat " + m.group(1) + ", librdkafka " + m.group(2) : version);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        target.close();
    }

    @BeforeEach
    void requireKcat() {
        ClientRequirement.require(INSTALLED, "kcat", "apt-get install kcat");
    }

    @Test
    @Scenario(client = CLIENT, value = "produce keyed records (-P -K:)")
    void keyedRecordsProducedByKcatAreReadBackByKafkaClients() throws Exception {
        String topic = CompatTarget.name("kcat-produce");
        oracle.createTopic(topic, 3);
        StringBuilder input = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            input.append("key-").append(i % 10).append(':').append("value-").append(i).append('\n');
            expected.add("key-" + (i % 10) + "=value-" + i);
        }
        kcat(input.toString(), "-P", "-K:", "-t", topic, "-X", "enable.idempotence=true");

        List<Oracle.Rec> read = oracle.readAll(topic, 3, expected.size());
        assertEquals(expected.stream().sorted().toList(), Oracle.keyValues(read));
        Map<String, Set<Integer>> partitionsByKey = new HashMap<>();
        read.forEach(r -> partitionsByKey.computeIfAbsent(r.key(), k -> new HashSet<>()).add(r.partition()));
        partitionsByKey.forEach((key, parts) -> assertEquals(1, parts.size(), key + " went to one partition"));
        assertContiguousOffsets(read);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    @Scenario(client = CLIENT, value = "produce compressed (-z gzip, snappy, lz4, zstd) with headers (-H)")
    void compressedRecordsWithHeadersProducedByKcatAreReadBackByKafkaClients(String codec) throws Exception {
        String topic = CompatTarget.name("kcat-" + codec);
        oracle.createTopic(topic, 1);
        StringBuilder input = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String value = ("value-" + i + "-").repeat(1 + i % 9);
            input.append("key-").append(i).append(':').append(value).append('\n');
            expected.add("key-" + i + "=" + value);
        }
        kcat(input.toString(), "-P", "-K:", "-z", codec, "-H", "codec=" + codec, "-H", "n=1", "-t", topic,
                "-X", "linger.ms=50");

        List<Oracle.Rec> read = oracle.readAll(topic, 1, expected.size());
        assertEquals(expected, read.stream().map(r -> r.key() + "=" + r.value()).toList(), "records in order");
        assertContiguousOffsets(read);
        List<String> headers = kcat(null, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%h\\n").lines();
        assertEquals(java.util.Collections.nCopies(500, "codec=" + codec + ",n=1"), headers, "headers read back by kcat");
    }

    @Test
    @Scenario(client = CLIENT, value = "consume from beginning (-C -o beginning -e)")
    void kcatConsumesExactlyWhatKafkaClientsProduced() throws Exception {
        String topic = CompatTarget.name("kcat-consume");
        oracle.createTopic(topic, 2);
        produceWithKafkaClients(topic, 2, 50);
        List<Oracle.Rec> written = oracle.readAll(topic, 2, 100);

        List<Oracle.Rec> consumed = parse(kcat(null, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                "-f", "%p\\t%o\\t%k\\t%s\\n").lines());
        consumed.sort(java.util.Comparator.comparingInt(Oracle.Rec::partition).thenComparingLong(Oracle.Rec::offset));
        assertEquals(100, written.size());
        assertEquals(written, consumed);
    }

    @Test
    @Scenario(client = CLIENT, value = "consumer group (-G) reads all, commits end offsets")
    void kcatGroupConsumesEverythingAndCommitsTheEndOffsets() throws Exception {
        String topic = CompatTarget.name("kcat-group");
        String group = CompatTarget.name("kcat-group");
        oracle.createTopic(topic, 3);
        produceWithKafkaClients(topic, 3, 40);

        List<Oracle.Rec> consumed = parse(kcat(null, "-G", group, "-X", "auto.offset.reset=earliest", "-e", "-q",
                "-f", "%p\\t%o\\t%k\\t%s\\n", topic).lines());
        assertEquals(Oracle.keyValues(oracle.readAll(topic, 3, 120)), Oracle.keyValues(consumed));
        assertEquals(oracle.endOffsets(topic, 3), oracle.committed(group, topic), "committed offsets are the end offsets");
    }

    @Test
    @Scenario(client = CLIENT, value = "two group members, cooperative-sticky rebalance")
    void twoCooperativeMembersTogetherConsumeEverythingAndCommitTheEndOffsets() throws Exception {
        String topic = CompatTarget.name("kcat-coop");
        String group = CompatTarget.name("kcat-coop");
        oracle.createTopic(topic, 4);
        produceWithKafkaClients(topic, 4, 50);
        List<String> command = new ArrayList<>(List.of("kcat", "-b", target.bootstrap(), "-G", group,
                "-X", "partition.assignment.strategy=cooperative-sticky", "-X", "auto.offset.reset=earliest",
                "-e", "-q", "-f", "%p\\t%o\\t%k\\t%s\\n", topic));
        java.util.concurrent.CompletableFuture<ExternalProcess.Result> first = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> runUnchecked(command));
        ExternalProcess.Result second = runUnchecked(command);
        List<Oracle.Rec> consumed = new ArrayList<>(parse(first.get(90, java.util.concurrent.TimeUnit.SECONDS).lines()));
        consumed.addAll(parse(second.lines()));

        List<String> expected = Oracle.keyValues(oracle.readAll(topic, 4, 200));
        assertEquals(expected, Oracle.keyValues(consumed).stream().distinct().toList(), "every record consumed by a member");
        assertEquals(oracle.endOffsets(topic, 4), oracle.committed(group, topic), "committed offsets are the end offsets");
    }

    private static ExternalProcess.Result runUnchecked(List<String> command) {
        try {
            return ExternalProcess.run(command, null, TIMEOUT).ok();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Scenario(client = CLIENT, value = "metadata (-L)")
    void kcatMetadataListsTheTopicWithLeadersAmongTheBrokers() throws Exception {
        String topic = CompatTarget.name("kcat-metadata");
        oracle.createTopic(topic, 4);
        JsonNode md = new ObjectMapper().readTree(kcat(null, "-L", "-J", "-t", topic).stdout());
        Set<Integer> brokerIds = new HashSet<>();
        md.get("brokers").forEach(b -> brokerIds.add(b.get("id").asInt()));
        assertTrue(!brokerIds.isEmpty(), "brokers listed: " + md);
        JsonNode topicNode = md.get("topics").get(0);
        assertEquals(topic, topicNode.get("topic").asText());
        assertTrue(topicNode.get("error") == null || topicNode.get("error").isNull(), "no topic error: " + topicNode);
        List<Integer> partitions = new ArrayList<>();
        for (JsonNode p : topicNode.get("partitions")) {
            partitions.add(p.get("partition").asInt());
            assertTrue(brokerIds.contains(p.get("leader").asInt()), "leader is a listed broker: " + p);
        }
        partitions.sort(null);
        assertEquals(List.of(0, 1, 2, 3), partitions);
    }

    @Test
    @Scenario(client = CLIENT, value = "query offsets (-Q), end and by timestamp")
    void kcatQueriesEndOffsetsAndOffsetsForTimestamps() throws Exception {
        String topic = CompatTarget.name("kcat-query");
        oracle.createTopic(topic, 2);
        produceWithKafkaClients(topic, 2, 25);
        Map<Integer, Long> end = oracle.endOffsets(topic, 2);

        Map<Integer, Long> queriedEnd = queryOffsets(kcat(null, "-Q", "-t", topic + ":0:-1", "-t", topic + ":1:-1"));
        assertEquals(end, queriedEnd);
        // Record i has timestamp BASE_TS + i: the first offset at or after BASE_TS + 10 is 10 in both partitions.
        long ts = BASE_TS + 10;
        Map<Integer, Long> byTime = queryOffsets(kcat(null, "-Q", "-t", topic + ":0:" + ts, "-t", topic + ":1:" + ts));
        assertEquals(Map.of(0, 10L, 1, 10L), byTime);
    }

    private static final long BASE_TS = 1_700_000_000_000L;

    /** Writes {@code perPartition} records key-p-i/value-p-i with timestamp BASE_TS + i to every partition. */
    private static void produceWithKafkaClients(String topic, int partitions, int perPartition) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(target.bootstrap(), Map.of())) {
            for (int i = 0; i < perPartition; i++) {
                for (int p = 0; p < partitions; p++) {
                    producer.send(new ProducerRecord<>(topic, p, BASE_TS + i, bytes("key-" + p + "-" + i),
                            bytes("value-" + p + "-" + i)));
                }
            }
            producer.flush();
        }
    }

    private static ExternalProcess.Result kcat(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("kcat", "-b", target.bootstrap(), "-X", "socket.timeout.ms=30000"));
        command.addAll(List.of(args));
        return ExternalProcess.run(command, stdin, TIMEOUT).ok();
    }

    /** Parses kcat's "topic [partition] offset N" query lines. */
    private static Map<Integer, Long> queryOffsets(ExternalProcess.Result result) {
        Map<Integer, Long> out = new TreeMap<>();
        for (String line : result.lines()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(".* \\[(\\d+)] offset (-?\\d+)").matcher(line.trim());
            if (m.matches()) {
                out.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
            }
        }
        return out;
    }

    private static List<Oracle.Rec> parse(List<String> lines) {
        List<Oracle.Rec> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            if (f.length == 4) {
                out.add(new Oracle.Rec(Integer.parseInt(f[0]), Long.parseLong(f[1]), f[2], f[3]));
            }
        }
        return out;
    }

    private static void assertContiguousOffsets(List<Oracle.Rec> read) {
        Map<Integer, List<Long>> byPartition = new TreeMap<>();
        read.forEach(r -> byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.offset()));
        byPartition.forEach((p, offsets) -> assertEquals(IntStream.range(0, offsets.size()).mapToObj(i -> (long) i).toList(),
                offsets, "offsets of partition " + p));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}
