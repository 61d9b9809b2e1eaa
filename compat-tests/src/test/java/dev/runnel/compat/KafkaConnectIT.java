package dev.runnel.compat;

import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.file.FileStreamSinkConnector;
import org.apache.kafka.connect.file.FileStreamSourceConnector;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Kafka Connect standalone worker in this JVM (as connect-standalone.sh runs it) with the FileStream connectors:
 * lines of a file go through a topic into another file, including lines appended while the worker runs.
 */
@ExtendWith(CompatMatrix.class)
class KafkaConnectIT {
    static final String CLIENT = "Kafka Connect";

    static CompatTarget target;
    static Oracle oracle;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        target = CompatTarget.start();
        oracle = new Oracle(target.bootstrap());
        CompatMatrix.version(CLIENT, "connect-runtime " + AppInfoParser.getVersion() + ", standalone, FileStream connectors");
        // The CLI class exits the JVM on a startup error; make that an exception in a test.
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Connect asked to exit with " + code + ": " + message);
        });
    }

    @AfterAll
    static void stop() throws Exception {
        Exit.resetExitProcedure();
        target.close();
    }

    @Test
    @Scenario(client = CLIENT, value = "standalone FileStreamSource -> topic -> FileStreamSink, lines appended after start")
    void fileLinesFlowThroughATopicIntoTheSinkFile() throws Exception {
        String topic = CompatTarget.name("connect-lines");
        oracle.createTopic(topic, 1);
        Path source = dir.resolve("source.txt");
        Path sink = dir.resolve("sink.txt");
        List<String> lines = new ArrayList<>(IntStream.range(0, 20).mapToObj(i -> "before start " + i).toList());
        Files.write(source, lines, StandardCharsets.UTF_8);

        Connect<StandaloneHerder> connect = new ConnectStandalone().startConnect(Map.of(
                "bootstrap.servers", target.bootstrap(),
                "key.converter", "org.apache.kafka.connect.storage.StringConverter",
                "value.converter", "org.apache.kafka.connect.storage.StringConverter",
                "offset.storage.file.filename", dir.resolve("connect.offsets").toString(),
                "offset.flush.interval.ms", "500",
                "listeners", "http://127.0.0.1:0",
                "plugin.discovery", "service_load"));
        try {
            String sinkName = CompatTarget.name("file-sink");
            create(connect, CompatTarget.name("file-source"), Map.of(
                    "connector.class", FileStreamSourceConnector.class.getName(), "tasks.max", "1",
                    "file", source.toString(), "topic", topic));
            create(connect, sinkName, Map.of(
                    "connector.class", FileStreamSinkConnector.class.getName(), "tasks.max", "1",
                    "file", sink.toString(), "topics", topic));

            awaitLines(sink, lines);
            List<String> appended = IntStream.range(0, 15).mapToObj(i -> "after start " + i).toList();
            Files.write(source, appended, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            lines.addAll(appended);
            awaitLines(sink, lines);

            List<Oracle.Rec> records = oracle.readAll(topic, 1, lines.size());
            assertEquals(lines, records.stream().map(Oracle.Rec::value).toList(), "topic holds the lines in order");
            assertEquals(IntStream.range(0, lines.size()).mapToObj(i -> (long) i).toList(),
                    records.stream().map(Oracle.Rec::offset).toList(), "offsets");
            String group = "connect-" + sinkName;
            await(() -> Map.of(0, (long) lines.size()).equals(committed(group, topic)), Duration.ofSeconds(30));
            assertEquals(Map.of(0, (long) lines.size()), committed(group, topic), "sink's committed offset");
        } finally {
            connect.stop();
        }
    }

    private static void create(Connect<StandaloneHerder> connect, String name, Map<String, String> config) throws Exception {
        Map<String, String> full = new java.util.HashMap<>(config);
        full.put("name", name);
        FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
        connect.herder().putConnectorConfig(name, full, false, created);
        assertTrue(created.get(30, TimeUnit.SECONDS).created(), name + " created");
    }

    private static Map<Integer, Long> committed(String group, String topic) {
        try {
            return oracle.committed(group, topic);
        } catch (Exception e) {
            return Map.of();
        }
    }

    private static void awaitLines(Path file, List<String> expected) throws Exception {
        await(() -> expected.equals(readLines(file)), Duration.ofSeconds(60));
        assertEquals(expected, readLines(file), "lines in the sink file");
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Polls {@code condition} every 100 ms until it holds or {@code max} passes (a bounded wait on another process' work). */
    private static void await(BooleanSupplier condition, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }
}
