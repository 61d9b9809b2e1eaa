package dev.runnel.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kafka's own command-line tools, run from the Kafka 4.3 jars, against the broker. */
@ExtendWith(CompatMatrix.class)
class CliToolsIT {
    static final String CLIENT = "Kafka CLI tools";
    static final String DUMP_LOG_SEGMENTS = "org.apache.kafka.tools.DumpLogSegments";
    static final String VERIFIABLE_PRODUCER = "org.apache.kafka.tools.VerifiableProducer";
    static final String VERIFIABLE_CONSUMER = "org.apache.kafka.tools.VerifiableConsumer";

    @TempDir
    static Path dir;
    static RunningBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = RunningBroker.start(dir.resolve("data"));
        CompatMatrix.version(CLIENT, "kafka-tools " + AppInfoParser.getVersion() + ", each tool in its own JVM");
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static KafkaTool.Result topics(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = broker.bootstrap();
        System.arraycopy(args, 0, all, 2, args.length);
        return KafkaTool.run(KafkaTool.TOPICS, null, all);
    }

    @Test
    @Scenario(client = CLIENT, value = "kafka-topics: create, list, describe, alter partitions, delete")
    void kafkaTopicsCreatesListsDescribesAltersAndDeletes() throws Exception {
        topics("--create", "--topic", "cli-topics", "--partitions", "3", "--replication-factor", "1",
                "--config", "retention.ms=3600000").ok();
        assertTrue(lines(topics("--list").ok().stdout()).contains("cli-topics"));
        String described = topics("--describe", "--topic", "cli-topics").ok().stdout();
        assertTrue(described.contains("PartitionCount: 3"), described);
        assertTrue(described.contains("ReplicationFactor: 1"), described);
        assertTrue(described.contains("retention.ms=3600000"), described);
        topics("--alter", "--topic", "cli-topics", "--partitions", "5").ok();
        assertTrue(topics("--describe", "--topic", "cli-topics").ok().stdout().contains("PartitionCount: 5"));
        KafkaTool.Result duplicate = topics("--create", "--topic", "cli-topics", "--partitions", "1");
        assertTrue(duplicate.exitCode() != 0 && (duplicate.stdout() + duplicate.stderr()).contains("already exists"),
                duplicate.stdout() + duplicate.stderr());
        topics("--delete", "--topic", "cli-topics").ok();
        assertFalse(lines(topics("--list").ok().stdout()).contains("cli-topics"));
    }

    @Test
    @Scenario(client = CLIENT, value = "kafka-configs: describe and alter topic and broker configs")
    void kafkaConfigsDescribesAndAltersTopicAndBrokerConfigs() throws Exception {
        topics("--create", "--topic", "cli-configs", "--partitions", "1").ok();
        KafkaTool.run(KafkaTool.CONFIGS, null, "--bootstrap-server", broker.bootstrap(), "--alter",
                "--entity-type", "topics", "--entity-name", "cli-configs",
                "--add-config", "retention.ms=120000,cleanup.policy=compact").ok();
        String topic = KafkaTool.run(KafkaTool.CONFIGS, null, "--bootstrap-server", broker.bootstrap(), "--describe",
                "--entity-type", "topics", "--entity-name", "cli-configs").ok().stdout();
        assertTrue(topic.contains("retention.ms=120000") && topic.contains("cleanup.policy=compact"), topic);
        KafkaTool.run(KafkaTool.CONFIGS, null, "--bootstrap-server", broker.bootstrap(), "--alter",
                "--entity-type", "topics", "--entity-name", "cli-configs", "--delete-config", "retention.ms").ok();
        assertFalse(KafkaTool.run(KafkaTool.CONFIGS, null, "--bootstrap-server", broker.bootstrap(), "--describe",
                "--entity-type", "topics", "--entity-name", "cli-configs").ok().stdout().contains("retention.ms=120000"));
        KafkaTool.Result invalid = KafkaTool.run(KafkaTool.CONFIGS, null, "--bootstrap-server", broker.bootstrap(),
                "--alter", "--entity-type", "topics", "--entity-name", "cli-configs", "--add-config", "retention.ms=abc");
        assertTrue(invalid.exitCode() != 0, invalid.stdout());
        KafkaTool.run(KafkaTool.CONFIGS, null, "--bootstrap-server", broker.bootstrap(), "--alter",
                "--entity-type", "brokers", "--entity-default", "--add-config", "log.retention.ms=3600000").ok();
        String brokers = KafkaTool.run(KafkaTool.CONFIGS, null, "--bootstrap-server", broker.bootstrap(), "--describe",
                "--entity-type", "brokers", "--entity-default").ok().stdout();
        assertTrue(brokers.contains("log.retention.ms=3600000"), brokers);
        String all = KafkaTool.run(KafkaTool.CONFIGS, null, "--bootstrap-server", broker.bootstrap(), "--describe",
                "--entity-type", "brokers", "--entity-name", "0", "--all").ok().stdout();
        assertTrue(all.contains("num.partitions=1"), all);
    }

    @Test
    @Scenario(client = CLIENT, value = "kafka-console-producer then kafka-console-consumer with keys, kafka-get-offsets")
    void consoleProducerThenConsoleConsumerWithKeys() throws Exception {
        topics("--create", "--topic", "cli-console", "--partitions", "1").ok();
        KafkaTool.run(KafkaTool.CONSOLE_PRODUCER, "k1:first\nk2:second\nk3:third\n",
                "--bootstrap-server", broker.bootstrap(), "--topic", "cli-console",
                "--property", "parse.key=true", "--property", "key.separator=:").ok();
        String consumed = KafkaTool.run(KafkaTool.CONSOLE_CONSUMER, null,
                "--bootstrap-server", broker.bootstrap(), "--topic", "cli-console", "--from-beginning",
                "--max-messages", "3", "--timeout-ms", "60000",
                "--property", "print.key=true", "--property", "key.separator=:").ok().stdout();
        assertEquals(List.of("k1:first", "k2:second", "k3:third"), lines(consumed).stream().filter(l -> l.startsWith("k")).toList());
        assertTrue(lines(KafkaTool.run(KafkaTool.GET_OFFSETS, null, "--bootstrap-server", broker.bootstrap(),
                "--topic", "cli-console").ok().stdout()).contains("cli-console:0:3"));
    }

    @Test
    @Scenario(client = CLIENT, value = "kafka-delete-records moves the earliest offset")
    void deleteRecordsMovesTheEarliestOffset() throws Exception {
        topics("--create", "--topic", "cli-delete", "--partitions", "1").ok();
        KafkaTool.run(KafkaTool.CONSOLE_PRODUCER, "a\nb\nc\nd\ne\n", "--bootstrap-server", broker.bootstrap(),
                "--topic", "cli-delete").ok();
        Path json = dir.resolve("delete.json");
        Files.writeString(json, "{\"partitions\":[{\"topic\":\"cli-delete\",\"partition\":0,\"offset\":3}],\"version\":1}");
        String out = KafkaTool.run(KafkaTool.DELETE_RECORDS, null, "--bootstrap-server", broker.bootstrap(),
                "--offset-json-file", json.toString()).ok().stdout();
        assertTrue(out.contains("low_watermark: 3"), out);
        assertTrue(lines(KafkaTool.run(KafkaTool.GET_OFFSETS, null, "--bootstrap-server", broker.bootstrap(),
                "--topic", "cli-delete", "--time", "-2").ok().stdout()).contains("cli-delete:0:3"));
    }

    @Test
    @Scenario(client = CLIENT, value = "kafka-producer-perf-test sends every record")
    void producerPerfTestSendsEveryRecord() throws Exception {
        String out = KafkaTool.run(KafkaTool.PRODUCER_PERF, null, "--topic", "cli-perf", "--num-records", "20000",
                "--record-size", "200", "--throughput", "-1",
                "--producer-props", "bootstrap.servers=" + broker.bootstrap(), "acks=all").ok().stdout();
        assertTrue(out.contains("20000 records sent"), out);
        assertTrue(lines(KafkaTool.run(KafkaTool.GET_OFFSETS, null, "--bootstrap-server", broker.bootstrap(),
                "--topic", "cli-perf").ok().stdout()).contains("cli-perf:0:20000"));
    }

    @Test
    @Scenario(client = CLIENT, value = "kafka-consumer-perf-test reads every record produced earlier")
    void consumerPerfTestReadsEveryRecord() throws Exception {
        topics("--create", "--topic", "cli-consumer-perf", "--partitions", "3").ok();
        KafkaTool.run(KafkaTool.PRODUCER_PERF, null, "--topic", "cli-consumer-perf", "--num-records", "12000",
                "--record-size", "100", "--throughput", "-1",
                "--producer-props", "bootstrap.servers=" + broker.bootstrap(), "acks=all").ok();
        String out = KafkaTool.run(KafkaTool.CONSUMER_PERF, null, "--bootstrap-server", broker.bootstrap(),
                "--topic", "cli-consumer-perf", "--num-records", "12000", "--timeout", "60000").ok().stdout();
        // One CSV header line and one line of figures: the record count and the megabytes of values read.
        List<String> rows = lines(out).stream().filter(l -> l.contains(",")).toList();
        List<String> header = Arrays.stream(rows.get(0).split(",")).map(String::trim).toList();
        List<String> figures = Arrays.stream(rows.get(rows.size() - 1).split(",")).map(String::trim).toList();
        assertEquals("12000", figures.get(header.indexOf("data.consumed.in.nMsg")), out);
        assertEquals(String.format("%.4f", 12000 * 100 / (1024.0 * 1024.0)), figures.get(header.indexOf("data.consumed.in.MB")), out);
    }

    @Test
    @Scenario(client = CLIENT, value = "kafka-dump-log reads Runnel's segment files (uncompressed, gzip, zstd batches)")
    void dumpLogSegmentsPrintsTheRecordsOfOurSegmentFile() throws Exception {
        String topic = "cli-dump-log";
        createTopic(topic, 1);
        List<String> expected = new ArrayList<>();
        int offset = 0;
        for (String codec : List.of("none", "gzip", "zstd")) {
            try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(),
                    Map.of("compression.type", codec, "linger.ms", 1000, "batch.size", 1 << 20))) {
                // One batch per codec: all sends are in flight together and the flush closes the batch.
                for (int i = 0; i < 10; i++, offset++) {
                    String key = "key-" + offset;
                    String value = codec + " value " + offset;
                    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
                    expected.add(offset + " " + key + " " + value);
                }
                producer.flush();
            }
        }
        Path segment = broker.dataDir().resolve(topic + "-0").resolve("00000000000000000000.log");
        String out = KafkaTool.run(DUMP_LOG_SEGMENTS, null, "--files", segment.toString(), "--print-data-log",
                "--deep-iteration").ok().stdout();

        Pattern batch = Pattern.compile("^baseOffset: (\\d+) lastOffset: (\\d+) count: (\\d+) .* compresscodec: (\\w+) .* isvalid: (\\w+)");
        Pattern record = Pattern.compile("^\\| offset: (\\d+) .* key: (.*) payload: (.*)$");
        List<String> batches = new ArrayList<>();
        List<String> records = new ArrayList<>();
        for (String line : lines(out)) {
            Matcher b = batch.matcher(line);
            if (b.find()) {
                batches.add(b.group(1) + "-" + b.group(2) + " " + b.group(3) + " " + b.group(4) + " " + b.group(5));
            }
            Matcher r = record.matcher(line);
            if (r.find()) {
                records.add(r.group(1) + " " + r.group(2) + " " + r.group(3));
            }
        }
        assertEquals(List.of("0-9 10 none true", "10-19 10 gzip true", "20-29 10 zstd true"), batches, out);
        assertEquals(expected, records, out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    @Scenario(client = CLIENT, value = "kafka-dump-log --offsets-decoder reads Runnel's __consumer_offsets segments")
    void dumpLogSegmentsDecodesOurConsumerOffsetsRecords(String groupProtocol) throws Exception {
        String topic = "cli-dump-offsets-" + groupProtocol;
        String group = "cli-dump-group-" + groupProtocol;
        createTopic(topic, 2);
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, null, ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(broker.bootstrap(), Map.of("group.id", group, "group.protocol", groupProtocol))) {
            consumer.subscribe(List.of(topic));
            int seen = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen < 6 && System.nanoTime() < deadline) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertEquals(6, seen);
            consumer.commitSync(Map.of(
                    new TopicPartition(topic, 0), new OffsetAndMetadata(3, "first half")),
                    Duration.ofSeconds(30));
            consumer.commitSync(Map.of(
                    new TopicPartition(topic, 1), new OffsetAndMetadata(2, "")),
                    Duration.ofSeconds(30));
        }
        // The group's __consumer_offsets partition, chosen as Kafka does: abs(hashCode) mod 50.
        int partition = Utils.abs(group.hashCode()) % 50;
        Path segments = broker.dataDir().resolve("__consumer_offsets-" + partition);
        String files;
        try (var list = Files.list(segments)) {
            files = String.join(",", list.filter(f -> f.toString().endsWith(".log")).map(Path::toString).sorted().toList());
        }
        String out = KafkaTool.run(DUMP_LOG_SEGMENTS, null, "--files", files, "--offsets-decoder").ok().stdout();

        // Every record decodes to JSON; the offset commits carry group, topic, partition, offset and metadata.
        ObjectMapper json = new ObjectMapper();
        Map<Integer, String> commits = new TreeMap<>();
        int decoded = 0;
        for (String line : lines(out)) {
            int key = line.indexOf(" key: ");
            int payload = line.indexOf(" payload: ");
            if (!line.startsWith("| offset:") || key < 0) {
                continue;
            }
            JsonNode k = json.readTree(line.substring(key + 6, payload));
            decoded++;
            if (k.path("type").asText().equals("1") && k.path("data").path("group").asText().equals(group)) {
                JsonNode v = json.readTree(line.substring(payload + 10)).path("data");
                commits.put(k.path("data").path("partition").asInt(), v.path("offset").asLong() + " " + v.path("metadata").asText());
            }
        }
        assertTrue(decoded >= 2, out);
        assertEquals(Map.of(0, "3 first half", 1, "2 "), commits, out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    @Scenario(client = CLIENT, value = "VerifiableProducer then VerifiableConsumer: every acked record consumed, commits match")
    void verifiableConsumerConsumesEveryAckedRecordAndCommitsTheEnd(String groupProtocol) throws Exception {
        String topic = "cli-verifiable-" + groupProtocol;
        createTopic(topic, 3);
        List<JsonNode> produced = events(KafkaTool.run(VERIFIABLE_PRODUCER, null, "--bootstrap-server", broker.bootstrap(),
                "--topic", topic, "--max-messages", "600", "--acks", "-1", "--repeating-keys", "50").ok().stdout());
        assertTrue(named(produced, "producer_send_error").isEmpty(), "send errors: " + named(produced, "producer_send_error"));
        List<String> acked = named(produced, "producer_send_success").stream()
                .map(e -> e.get("partition").asInt() + "@" + e.get("offset").asLong() + " " + e.get("key").asText() + "=" + e.get("value").asText())
                .sorted().toList();
        assertEquals(600, acked.size(), "acked records");
        assertEquals(600, named(produced, "tool_data").get(0).get("acked").asInt());

        String group = "cli-verifiable-group-" + groupProtocol;
        List<JsonNode> consumed = events(KafkaTool.run(VERIFIABLE_CONSUMER, null, "--bootstrap-server", broker.bootstrap(),
                "--topic", topic, "--group-id", group, "--group-protocol", groupProtocol, "--max-messages", "600",
                "--reset-policy", "earliest", "--verbose").ok().stdout());
        List<String> records = named(consumed, "record_data").stream()
                .map(e -> e.get("partition").asInt() + "@" + e.get("offset").asLong() + " " + e.get("key").asText() + "=" + e.get("value").asText())
                .sorted().toList();
        assertEquals(acked, records, "every acked record consumed once, at its acked partition and offset");

        Map<Integer, Long> ends = new TreeMap<>();
        named(produced, "producer_send_success").forEach(e -> ends.merge(e.get("partition").asInt(), e.get("offset").asLong() + 1, Math::max));
        Map<Integer, Long> reported = new TreeMap<>();
        for (JsonNode commit : named(consumed, "offsets_committed")) {
            assertTrue(commit.get("success").asBoolean(), "commit failed: " + commit);
            commit.get("offsets").forEach(o -> reported.merge(o.get("partition").asInt(), o.get("offset").asLong(), Math::max));
        }
        assertEquals(ends, reported, "offsets the consumer reports committed");
        assertEquals(ends, committed(group, topic), "offsets the broker holds for the group");
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Map<Integer, Long> committed(String group, String topic) throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            Map<Integer, Long> out = new TreeMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((tp, om) -> {
                        if (tp.topic().equals(topic)) {
                            out.put(tp.partition(), om.offset());
                        }
                    });
            return out;
        }
    }

    /** The JSON event lines the Verifiable* tools print, one object per line; other lines are ignored. */
    private static List<JsonNode> events(String stdout) {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines(stdout)) {
            if (line.startsWith("{")) {
                try {
                    out.add(json.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException("not a JSON event: " + line, e);
                }
            }
        }
        return out;
    }

    private static List<JsonNode> named(List<JsonNode> events, String name) {
        return events.stream().filter(e -> name.equals(e.path("name").asText())).toList();
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).map(String::trim).filter(l -> !l.isEmpty()).toList();
    }
}
