package dev.runnel.compat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kafka's own command-line tools, run from the Kafka 4.3 jars, against the broker. */
class CliToolsIT {
    @TempDir
    static Path dir;
    static RunningBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = RunningBroker.start(dir.resolve("data"));
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
    void producerPerfTestSendsEveryRecord() throws Exception {
        String out = KafkaTool.run(KafkaTool.PRODUCER_PERF, null, "--topic", "cli-perf", "--num-records", "20000",
                "--record-size", "200", "--throughput", "-1",
                "--producer-props", "bootstrap.servers=" + broker.bootstrap(), "acks=all").ok().stdout();
        assertTrue(out.contains("20000 records sent"), out);
        assertTrue(lines(KafkaTool.run(KafkaTool.GET_OFFSETS, null, "--bootstrap-server", broker.bootstrap(),
                "--topic", "cli-perf").ok().stdout()).contains("cli-perf:0:20000"));
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).map(String::trim).filter(l -> !l.isEmpty()).toList();
    }
}
