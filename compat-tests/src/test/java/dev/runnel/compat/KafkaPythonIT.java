package dev.runnel.compat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Debian's python3-kafka (kafka-python): producer, group consumer with commit, seek, admin. */
@ExtendWith(CompatMatrix.class)
class KafkaPythonIT {
    static final String CLIENT = "kafka-python";
    private static final List<String> PROBE = List.of(ConfluentKafkaPythonIT.PYTHON, "-c",
            "import kafka; print(kafka.__version__)");
    private static final boolean INSTALLED = ExternalProcess.works(PROBE);

    static CompatTarget target;
    static ScriptScenarios scripts;

    @BeforeAll
    static void start() throws Exception {
        target = CompatTarget.start();
        scripts = new ScriptScenarios(List.of(ConfluentKafkaPythonIT.PYTHON, "-u",
                ScriptScenarios.clientsDir().resolve("python/kafka_python_scenarios.py").toString()), null, Map.of(),
                target.bootstrap());
        if (INSTALLED) {
            CompatMatrix.version(CLIENT, "kafka-python " + ExternalProcess.run(PROBE, null, ScriptScenarios.TIMEOUT).stdout().trim());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        target.close();
    }

    @BeforeEach
    void requireClient() {
        ClientRequirement.require(INSTALLED, "python3-kafka", "apt-get install python3-kafka");
    }

    @Test
    @Scenario(client = CLIENT, value = "admin create and list topics")
    void adminCreatesAndListsTopic() throws Exception {
        scripts.adminCreatesAndListsTopic(CompatTarget.name("kp-admin"), 3);
    }

    @Test
    @Scenario(client = CLIENT, value = "producer (gzip, headers), records at acknowledged offsets")
    void producerRecordsAreAtTheirAcknowledgedOffsets() throws Exception {
        scripts.producedRecordsAreAtTheirAcknowledgedOffsets(CompatTarget.name("kp-produce"), 3, 200, "gzip");
    }

    @Test
    @Scenario(client = CLIENT, value = "group consumer with commit")
    void groupConsumesAllAndCommitsEndOffsets() throws Exception {
        scripts.groupConsumesAllAndCommitsEndOffsets(CompatTarget.name("kp-group"), CompatTarget.name("kp-group"), 3, 30);
    }

    @Test
    @Scenario(client = CLIENT, value = "seek to an offset")
    void seekReadsFromTheGivenOffsetToTheEnd() throws Exception {
        String topic = CompatTarget.name("kp-seek");
        scripts.oracle().createTopic(topic, 2);
        List<Oracle.Rec> written = scripts.writeWithKafkaClients(topic, 2, 20);
        JsonNode result = scripts.run("seek", topic, 1, 12, 8);
        List<Oracle.Rec> read = new ArrayList<>();
        result.get("records").forEach(r -> read.add(ScriptScenarios.rec(r)));
        List<Oracle.Rec> expected = written.stream().filter(r -> r.partition() == 1 && r.offset() >= 12).toList();
        assertEquals(expected, read, "records from offset 12 of partition 1");
        assertEquals(20, result.get("position").asLong(), "position after reading to the end");
        assertEquals(20, result.get("end").asLong(), "end offset");
    }
}
