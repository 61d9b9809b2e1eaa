package dev.runnel.server.api;

import dev.runnel.server.config.LoggerLevels;
import dev.runnel.wire.message.IncrementalAlterConfigsRequest;
import dev.runnel.wire.message.IncrementalAlterConfigsResponse;
import dev.runnel.wire.protocol.Errors;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.runnel.server.api.ConfigFixture.call;
import static org.junit.jupiter.api.Assertions.assertEquals;

class IncrementalAlterConfigsHandlerTest {
    @TempDir
    Path dir;

    private static IncrementalAlterConfigsRequest.AlterableConfig op(OpType type, String name, String value) {
        return new IncrementalAlterConfigsRequest.AlterableConfig()
                .setConfigOperation(type.id()).setName(name).setValue(value);
    }

    private static IncrementalAlterConfigsRequest.AlterConfigsResource resource(ConfigResource.Type type, String name,
                                                                            IncrementalAlterConfigsRequest.AlterableConfig... ops) {
        return new IncrementalAlterConfigsRequest.AlterConfigsResource().setResourceType(type.id())
                .setResourceName(name).setConfigs(new ArrayList<>(List.of(ops)));
    }

    private static String alter(ConfigFixture f, boolean validateOnly, IncrementalAlterConfigsRequest.AlterConfigsResource resource) {
        IncrementalAlterConfigsResponse response = call(f.incremental, new IncrementalAlterConfigsRequest()
                .setResources(new ArrayList<>(List.of(resource))).setValidateOnly(validateOnly), 1);
        IncrementalAlterConfigsResponse.AlterConfigsResourceResponse r = response.responses().get(0);
        assertEquals(resource.resourceName(), r.resourceName());
        assertEquals(resource.resourceType(), r.resourceType());
        return Errors.forCode(r.errorCode()) + (r.errorMessage() == null ? "" : ": " + r.errorMessage());
    }

    private static String alter(ConfigFixture f, IncrementalAlterConfigsRequest.AlterConfigsResource resource) {
        return alter(f, false, resource);
    }

    @Test
    void setDeleteAppendAndSubtractEditATopicsOverrides() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            f.createTopic("orders", Map.of("retention.ms", "1000"));
            assertEquals("NONE", alter(f, resource(ConfigResource.Type.TOPIC, "orders",
                    op(OpType.SET, "segment.bytes", "2097152"),
                    op(OpType.DELETE, "retention.ms", null),
                    op(OpType.APPEND, "cleanup.policy", "compact"))));
            // APPEND starts from Kafka's default when the topic has no override
            assertEquals(Map.of("segment.bytes", "2097152", "cleanup.policy", "delete,compact"),
                    f.store.topic("orders").orElseThrow().configs());

            assertEquals("NONE", alter(f, resource(ConfigResource.Type.TOPIC, "orders",
                    op(OpType.SUBTRACT, "cleanup.policy", "delete"),
                    op(OpType.APPEND, "leader.replication.throttled.replicas", "0:0,1:0"))));
            assertEquals("NONE", alter(f, resource(ConfigResource.Type.TOPIC, "orders",
                    op(OpType.APPEND, "leader.replication.throttled.replicas", "1:0,2:0"),
                    op(OpType.DELETE, "no.such.key.is.fine.to.delete", null))));
            // a DELETE of a key Kafka does not know is still checked as an override: it is simply absent
            assertEquals(Map.of("segment.bytes", "2097152", "cleanup.policy", "compact",
                    "leader.replication.throttled.replicas", "0:0,1:0,2:0"), f.store.topic("orders").orElseThrow().configs());
            assertEquals(3, f.configUpdates.size());
        }
    }

    @Test
    void concurrentAppendsToOneTopicAreAllKept() throws Exception {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            f.createTopic("orders", Map.of());
            int requests = 40;
            ExecutorService clients = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < requests; i++) {
                    String replica = i + ":0";
                    results.add(clients.submit(() -> alter(f, resource(ConfigResource.Type.TOPIC, "orders",
                            op(OpType.APPEND, "leader.replication.throttled.replicas", replica)))));
                }
                for (Future<String> result : results) {
                    assertEquals("NONE", result.get(30, TimeUnit.SECONDS));
                }
            } finally {
                clients.shutdownNow();
            }
            Set<String> kept = Set.of(f.store.topic("orders").orElseThrow().configs()
                    .get("leader.replication.throttled.replicas").split(","));
            assertEquals(requests, kept.size(), "every APPEND survives: " + kept);
        }
    }

    @Test
    void topicErrorsAreKafkas() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            f.createTopic("orders", Map.of("retention.ms", "1000"));
            assertEquals("INVALID_CONFIG: Can't APPEND to key retention.ms because its type is not LIST.",
                    alter(f, resource(ConfigResource.Type.TOPIC, "orders", op(OpType.APPEND, "retention.ms", "1"))));
            assertEquals("INVALID_CONFIG: Can't SUBTRACT to key nope because its type is not LIST.",
                    alter(f, resource(ConfigResource.Type.TOPIC, "orders", op(OpType.SUBTRACT, "nope", "1"))));
            assertEquals("INVALID_CONFIG: Unknown topic config name: nope",
                    alter(f, resource(ConfigResource.Type.TOPIC, "orders", op(OpType.SET, "nope", "1"))));
            assertEquals("INVALID_CONFIG: Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete",
                    alter(f, resource(ConfigResource.Type.TOPIC, "orders", op(OpType.APPEND, "cleanup.policy", "foo"))));
            assertEquals("INVALID_REQUEST: Null value not supported for : retention.ms, segment.ms",
                    alter(f, resource(ConfigResource.Type.TOPIC, "orders", op(OpType.SET, "retention.ms", null),
                            op(OpType.APPEND, "segment.ms", null))));
            assertEquals("INVALID_REQUEST: Error due to duplicate config keys",
                    alter(f, resource(ConfigResource.Type.TOPIC, "orders", op(OpType.SET, "retention.ms", "1"),
                            op(OpType.DELETE, "retention.ms", null))));
            assertEquals("UNKNOWN_TOPIC_OR_PARTITION: The topic 'missing' does not exist.",
                    alter(f, resource(ConfigResource.Type.TOPIC, "missing", op(OpType.SET, "retention.ms", "1"))));
            assertEquals("INVALID_REQUEST: Unknown operations type 9", alter(f, resource(ConfigResource.Type.TOPIC, "orders",
                    new IncrementalAlterConfigsRequest.AlterableConfig().setName("retention.ms").setValue("1")
                            .setConfigOperation((byte) 9))));
            assertEquals(Map.of("retention.ms", "1000"), f.store.topic("orders").orElseThrow().configs());
            assertEquals("NONE", alter(f, true, resource(ConfigResource.Type.TOPIC, "orders", op(OpType.SET, "retention.ms", "5"))));
            assertEquals(Map.of("retention.ms", "1000"), f.store.topic("orders").orElseThrow().configs());
        }
    }

    @Test
    void brokerListsAreEditedInPlaceAndSurviveARestart() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            assertEquals("NONE", alter(f, resource(ConfigResource.Type.BROKER, "",
                    op(OpType.APPEND, "log.cleanup.policy", "compact"), op(OpType.SET, "log.retention.ms", "5000"))));
            assertEquals(List.of("delete", "compact"), f.broker.getList("log.cleanup.policy"));
            assertEquals("NONE", alter(f, resource(ConfigResource.Type.BROKER, "",
                    op(OpType.SUBTRACT, "log.cleanup.policy", "delete"))));
            assertEquals("NONE", alter(f, resource(ConfigResource.Type.BROKER, "0",
                    op(OpType.SET, "message.max.bytes", "2000000"))));
            assertEquals(List.of("compact"), f.broker.getList("log.cleanup.policy"));
            assertEquals(Map.of("<default>:log.cleanup.policy", "compact", "<default>:log.retention.ms", "5000",
                    "0:message.max.bytes", "2000000"), f.store.dynamicBrokerConfigs());
            assertEquals("NONE", alter(f, resource(ConfigResource.Type.BROKER, "",
                    op(OpType.DELETE, "log.retention.ms", null), op(OpType.DELETE, "log.dirs", null))));
        }
        try (ConfigFixture restarted = new ConfigFixture(dir, Map.of())) {
            assertEquals(List.of("compact"), restarted.broker.getList("log.cleanup.policy"));
            assertEquals(168 * 3_600_000L, restarted.broker.logRetentionMs());
            assertEquals(2000000, restarted.broker.getInt("message.max.bytes"));
        }
    }

    @Test
    void brokerErrorsAreKafkas() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            assertEquals("INVALID_REQUEST: Config value append is not allowed for config key: log.retention.ms",
                    alter(f, resource(ConfigResource.Type.BROKER, "0", op(OpType.APPEND, "log.retention.ms", "1"))));
            assertEquals("INVALID_REQUEST: Cannot update these configs dynamically: [num.partitions]",
                    alter(f, resource(ConfigResource.Type.BROKER, "0", op(OpType.SET, "num.partitions", "3"))));
            assertEquals("INVALID_REQUEST: Invalid value x for configuration message.max.bytes: Not a number of type INT",
                    alter(f, resource(ConfigResource.Type.BROKER, "", op(OpType.SET, "message.max.bytes", "x"))));
            assertEquals("INVALID_REQUEST: Unexpected broker id, expected 0, but received 2",
                    alter(f, resource(ConfigResource.Type.BROKER, "2", op(OpType.SET, "message.max.bytes", "1"))));
            assertEquals(Map.of(), f.store.dynamicBrokerConfigs());
        }
    }

    @Test
    void loggerLevelsChangeAtRuntimeAsKip412Says() {
        String name = "dev.runnel.test.IncrementalAlterConfigsHandlerTest";
        LogManager.getLogger(name);
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            String before = LoggerLevels.current().get(name);
            assertEquals("NONE", alter(f, resource(ConfigResource.Type.BROKER_LOGGER, "0", op(OpType.SET, name, "TRACE"))));
            assertEquals("TRACE", LoggerLevels.current().get(name));
            assertEquals("NONE", alter(f, resource(ConfigResource.Type.BROKER_LOGGER, "0", op(OpType.DELETE, name, null))));
            assertEquals(before, LoggerLevels.current().get(name));

            assertEquals("INVALID_CONFIG: Cannot set the log level of " + name + " to LOUD as it is not a supported log "
                    + "level. Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN",
                    alter(f, resource(ConfigResource.Type.BROKER_LOGGER, "0", op(OpType.SET, name, "LOUD"))));
            assertEquals("INVALID_CONFIG: Logger no.such.logger does not exist!",
                    alter(f, resource(ConfigResource.Type.BROKER_LOGGER, "0", op(OpType.SET, "no.such.logger", "INFO"))));
            assertEquals("INVALID_REQUEST: Removing the log level of the root logger is not allowed",
                    alter(f, resource(ConfigResource.Type.BROKER_LOGGER, "0", op(OpType.DELETE, "root", null))));
            assertEquals("INVALID_REQUEST: APPEND operation is not allowed for the BROKER_LOGGER resource",
                    alter(f, resource(ConfigResource.Type.BROKER_LOGGER, "0", op(OpType.APPEND, name, "INFO"))));
            assertEquals("INVALID_REQUEST: Node id must be an integer, but it is: x",
                    alter(f, resource(ConfigResource.Type.BROKER_LOGGER, "x", op(OpType.SET, name, "INFO"))));
            assertEquals("NONE", alter(f, true, resource(ConfigResource.Type.BROKER_LOGGER, "0", op(OpType.SET, name, "ERROR"))));
            assertEquals(before, LoggerLevels.current().get(name));
        }
    }

    @Test
    void validLevelsAreKafkas() {
        assertEquals(new java.util.TreeSet<>(org.apache.kafka.common.config.LogLevelConfig.VALID_LOG_LEVELS),
                new java.util.TreeSet<>(LoggerLevels.VALID_LEVELS));
    }
}
