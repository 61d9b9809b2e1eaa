package dev.runnel.compat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

/** Debian's python3-confluent-kafka (librdkafka): idempotent producer, consumer group with commits, AdminClient. */
@ExtendWith(CompatMatrix.class)
class ConfluentKafkaPythonIT {
    static final String CLIENT = "confluent-kafka-python (librdkafka)";
    /** Debian's interpreter, not a pyenv one earlier on PATH: the Debian package installs for it. */
    static final String PYTHON = "/usr/bin/python3";
    private static final List<String> PROBE = List.of(PYTHON, "-c",
            "import confluent_kafka; print(confluent_kafka.version()[0], confluent_kafka.libversion()[0])");
    private static final boolean INSTALLED = ExternalProcess.works(PROBE);

    static CompatTarget target;
    static ScriptScenarios scripts;

    @BeforeAll
    static void start() throws Exception {
        target = CompatTarget.start();
        scripts = new ScriptScenarios(List.of(PYTHON, "-u", ScriptScenarios.clientsDir().resolve("python/confluent_scenarios.py").toString()),
                null, Map.of(), target.bootstrap());
        if (INSTALLED) {
            String[] v = ExternalProcess.run(PROBE, null, ScriptScenarios.TIMEOUT).stdout().trim().split(" ");
            CompatMatrix.version(CLIENT, "confluent-kafka " + v[0] + ", librdkafka " + v[1]);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        target.close();
    }

    @BeforeEach
    void requireClient() {
        ClientRequirement.require(INSTALLED, "python3-confluent-kafka", "apt-get install python3-confluent-kafka");
    }

    @Test
    @Scenario(client = CLIENT, value = "AdminClient create and list topics")
    void adminClientCreatesAndListsTopic() throws Exception {
        scripts.adminCreatesAndListsTopic(CompatTarget.name("ck-admin"), 3);
    }

    @Test
    @Scenario(client = CLIENT, value = "idempotent producer (zstd, headers), records at acknowledged offsets")
    void idempotentProducerRecordsAreAtTheirAcknowledgedOffsets() throws Exception {
        scripts.producedRecordsAreAtTheirAcknowledgedOffsets(CompatTarget.name("ck-produce"), 3, 200, "zstd");
    }

    @Test
    @Scenario(client = CLIENT, value = "transactional producer: commit and abort, read_committed consumer")
    void transactionalProducerCommitsAndAbortsAndReadCommittedSkipsTheAborted() throws Exception {
        String topic = CompatTarget.name("ck-txn");
        scripts.oracle().createTopic(topic, 1);
        com.fasterxml.jackson.databind.JsonNode result = scripts.run("transactions", topic);
        List<String> committed = new java.util.ArrayList<>();
        List<String> all = new java.util.ArrayList<>();
        for (String name : List.of("committed-a", "aborted", "committed-b")) {
            for (int i = 0; i < 5; i++) {
                all.add(name + "-" + i);
                if (!name.equals("aborted")) {
                    committed.add(name + "-" + i);
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(committed, strings(result.get("read_committed")));
        org.junit.jupiter.api.Assertions.assertEquals(all, strings(result.get("read_uncommitted")));
        // 15 records and one marker per transaction
        org.junit.jupiter.api.Assertions.assertEquals(Map.of(0, 18L), scripts.oracle().endOffsets(topic, 1));
    }

    private static List<String> strings(com.fasterxml.jackson.databind.JsonNode array) {
        List<String> values = new java.util.ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    @Test
    @Scenario(client = CLIENT, value = "consumer group with commits")
    void groupConsumesAllAndCommitsEndOffsets() throws Exception {
        scripts.groupConsumesAllAndCommitsEndOffsets(CompatTarget.name("ck-group"), CompatTarget.name("ck-group"), 3, 30);
    }
}
