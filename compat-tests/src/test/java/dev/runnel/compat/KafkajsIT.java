package dev.runnel.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** kafkajs (pinned in compat-tests/clients/node/package-lock.json, installed by npm ci): admin, producer, group. */
@ExtendWith(CompatMatrix.class)
class KafkajsIT {
    static final String CLIENT = "kafkajs";
    private static final Path NODE_DIR = ScriptScenarios.clientsDir().resolve("node");
    private static final Path KAFKAJS_PACKAGE = NODE_DIR.resolve("node_modules/kafkajs/package.json");
    private static final boolean INSTALLED = ExternalProcess.works(List.of("node", "--version"))
            && Files.isRegularFile(KAFKAJS_PACKAGE);

    static CompatTarget target;
    static ScriptScenarios scripts;

    @BeforeAll
    static void start() throws Exception {
        target = CompatTarget.start();
        scripts = new ScriptScenarios(List.of("node", NODE_DIR.resolve("scenarios.js").toString()), NODE_DIR,
                Map.of("KAFKAJS_NO_PARTITIONER_WARNING", "1"), target.bootstrap());
        if (INSTALLED) {
            JsonNode pkg = new ObjectMapper().readTree(KAFKAJS_PACKAGE.toFile());
            String node = ExternalProcess.run(List.of("node", "--version"), null, ScriptScenarios.TIMEOUT).stdout().trim();
            CompatMatrix.version(CLIENT, "kafkajs " + pkg.get("version").asText() + ", node " + node);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        target.close();
    }

    @BeforeEach
    void requireClient() {
        ClientRequirement.require(INSTALLED, "node with kafkajs", "cd compat-tests/clients/node && npm ci");
    }

    @Test
    @Scenario(client = CLIENT, value = "admin createTopics, fetchTopicMetadata")
    void adminCreatesTopicAndFetchesItsMetadata() throws Exception {
        scripts.adminCreatesAndListsTopic(CompatTarget.name("kjs-admin"), 3);
    }

    @Test
    @Scenario(client = CLIENT, value = "idempotent producer (gzip, headers), records at acknowledged offsets")
    void producerRecordsAreAtTheirAcknowledgedOffsets() throws Exception {
        scripts.producedRecordsAreAtTheirAcknowledgedOffsets(CompatTarget.name("kjs-produce"), 3, 60, "gzip");
    }

    @Test
    @Scenario(client = CLIENT, value = "consumer group run with commits")
    void groupConsumesAllAndCommitsEndOffsets() throws Exception {
        scripts.groupConsumesAllAndCommitsEndOffsets(CompatTarget.name("kjs-group"), CompatTarget.name("kjs-group"), 3, 30);
    }
}
