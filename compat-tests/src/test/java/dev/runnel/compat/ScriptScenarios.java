package dev.runnel.compat;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the scenario scripts in {@code compat-tests/clients} (same scenario names and RESULT shapes in Python and
 * Node) and checks what they report against what kafka-clients reads from the broker.
 */
final class ScriptScenarios {
    static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final List<String> commandPrefix;
    private final Path workDir;
    private final Map<String, String> env;
    private final String bootstrap;
    private final Oracle oracle;

    ScriptScenarios(List<String> commandPrefix, Path workDir, Map<String, String> env, String bootstrap) {
        this.commandPrefix = commandPrefix;
        this.workDir = workDir;
        this.env = env;
        this.bootstrap = bootstrap;
        this.oracle = new Oracle(bootstrap);
    }

    /** compat-tests/clients, whether the tests run from the module directory (Maven) or the repository root. */
    static Path clientsDir() {
        Path inModule = Path.of("clients");
        return (Files.isDirectory(inModule) ? inModule : Path.of("compat-tests", "clients")).toAbsolutePath();
    }

    JsonNode run(String scenario, String topic, Object... args) throws Exception {
        List<String> command = new ArrayList<>(commandPrefix);
        command.add(scenario);
        command.add(bootstrap);
        command.add(topic);
        for (Object arg : args) {
            command.add(String.valueOf(arg));
        }
        return ExternalProcess.run(command, null, TIMEOUT, workDir, env).ok().json();
    }

    Oracle oracle() {
        return oracle;
    }

    /** The script created the topic and listed it with all its partitions; kafka-clients sees the same partitions. */
    void adminCreatesAndListsTopic(String topic, int partitions) throws Exception {
        JsonNode result = run("admin", topic, partitions);
        assertTrue(result.get("listed").asBoolean(), "topic listed: " + result);
        List<Integer> expected = java.util.stream.IntStream.range(0, partitions).boxed().toList();
        assertEquals(expected, ints(result.get("partitions")), "partitions reported by the client");
        assertEquals(partitions, oracle.endOffsets(topic, partitions).size(), "kafka-clients lists every partition");
    }

    /** Every acknowledged (partition, offset) holds the record the script sent, and nothing else is in the topic. */
    void producedRecordsAreAtTheirAcknowledgedOffsets(String topic, int partitions, int count, String compression)
            throws Exception {
        oracle.createTopic(topic, partitions);
        JsonNode result = run("produce", topic, count, compression);
        List<Oracle.Rec> acknowledged = new ArrayList<>();
        for (JsonNode r : result.get("reports")) {
            assertTrue(!r.hasNonNull("error") || r.get("error").asText().isEmpty(), "delivery error: " + r);
            acknowledged.add(rec(r));
        }
        assertEquals(count, acknowledged.size(), "acknowledged records");
        acknowledged.sort(Comparator.comparingInt(Oracle.Rec::partition).thenComparingLong(Oracle.Rec::offset));
        assertEquals(acknowledged, oracle.readAll(topic, partitions, count), "records at their acknowledged offsets");
        // The scripts send record i as value "value-i" with one header seq=i.
        Map<String, List<String>> headers = oracle.headersByValue(topic, partitions, count);
        for (int i = 0; i < count; i++) {
            assertEquals(List.of("seq=" + i), headers.get("value-" + i), "headers of value-" + i);
        }
    }

    /**
     * A group member of the script's client reads every record kafka-clients wrote, commits, and the committed
     * offsets (as the script and as kafka-clients see them) are the log end offsets.
     */
    void groupConsumesAllAndCommitsEndOffsets(String topic, String group, int partitions, int perPartition)
            throws Exception {
        oracle.createTopic(topic, partitions);
        List<Oracle.Rec> written = writeWithKafkaClients(topic, partitions, perPartition);
        JsonNode result = run("group", topic, group, written.size());
        List<Oracle.Rec> consumed = new ArrayList<>();
        result.get("records").forEach(r -> consumed.add(rec(r)));
        consumed.sort(Comparator.comparingInt(Oracle.Rec::partition).thenComparingLong(Oracle.Rec::offset));
        assertEquals(written, consumed, "records consumed by the group");
        Map<Integer, Long> end = oracle.endOffsets(topic, partitions);
        Map<Integer, Long> reported = new TreeMap<>();
        result.get("committed").fields().forEachRemaining(e -> reported.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
        assertEquals(end, reported, "committed offsets as the client reads them back");
        assertEquals(end, oracle.committed(group, topic), "committed offsets as kafka-clients reads them");
    }

    List<Oracle.Rec> writeWithKafkaClients(String topic, int partitions, int perPartition) throws Exception {
        try (var producer = Clients.producer(bootstrap, Map.of())) {
            for (int i = 0; i < perPartition; i++) {
                for (int p = 0; p < partitions; p++) {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, p,
                            ("key-" + p + "-" + i).getBytes(), ("value-" + p + "-" + i).getBytes()));
                }
            }
            producer.flush();
        }
        List<Oracle.Rec> written = oracle.readAll(topic, partitions, partitions * perPartition);
        assertEquals(partitions * perPartition, written.size(), "records written by kafka-clients");
        return written;
    }

    static Oracle.Rec rec(JsonNode r) {
        return new Oracle.Rec(r.get("partition").asInt(), r.get("offset").asLong(),
                r.get("key").isNull() ? null : r.get("key").asText(), r.get("value").isNull() ? null : r.get("value").asText());
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
