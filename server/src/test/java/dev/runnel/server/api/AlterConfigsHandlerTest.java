package dev.runnel.server.api;

import dev.runnel.server.config.ConfigSource;
import dev.runnel.wire.message.AlterConfigsRequest;
import dev.runnel.wire.message.AlterConfigsResponse;
import dev.runnel.wire.message.DescribeConfigsResponse;
import dev.runnel.wire.message.DescribeConfigsResponse.DescribeConfigsResourceResult;
import dev.runnel.wire.protocol.Errors;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.runnel.server.api.ConfigFixture.call;
import static dev.runnel.server.api.DescribeConfigsHandlerTest.byName;
import static dev.runnel.server.api.DescribeConfigsHandlerTest.describe;
import static dev.runnel.server.api.DescribeConfigsHandlerTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AlterConfigsHandlerTest {
    @TempDir
    Path dir;

    static AlterConfigsRequest.AlterConfigsResource alterResource(ConfigResource.Type type, String name,
                                                                  Map<String, String> configs) {
        List<AlterConfigsRequest.AlterableConfig> list = new ArrayList<>();
        configs.forEach((k, v) -> list.add(new AlterConfigsRequest.AlterableConfig().setName(k).setValue(v)));
        return new AlterConfigsRequest.AlterConfigsResource().setResourceType(type.id()).setResourceName(name)
                .setConfigs(list);
    }

    static List<AlterConfigsResponse.AlterConfigsResourceResponse> alter(ConfigFixture f, boolean validateOnly,
                                                                          AlterConfigsRequest.AlterConfigsResource... resources) {
        AlterConfigsResponse response = call(f.alter, new AlterConfigsRequest()
                .setResources(new ArrayList<>(List.of(resources))).setValidateOnly(validateOnly), 2);
        return response.responses();
    }

    private static String outcome(AlterConfigsResponse.AlterConfigsResourceResponse r) {
        return Errors.forCode(r.errorCode()) + (r.errorMessage() == null ? "" : ": " + r.errorMessage());
    }

    @Test
    void describeOutputIsAcceptedBackUnchanged() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of("log.retention.hours", "24"))) {
            f.createTopic("orders", Map.of("cleanup.policy", "compact,delete", "min.cleanable.dirty.ratio", "0.25"));
            DescribeConfigsResponse before = describe(f, false, false, resource(ConfigResource.Type.TOPIC, "orders"));
            Map<String, String> described = new LinkedHashMap<>();
            before.results().get(0).configs().forEach(c -> described.put(c.name(), c.value()));

            List<AlterConfigsResponse.AlterConfigsResourceResponse> responses =
                    alter(f, false, alterResource(ConfigResource.Type.TOPIC, "orders", described));
            assertEquals("NONE", outcome(responses.get(0)));
            assertEquals("orders", responses.get(0).resourceName());
            assertEquals(ConfigResource.Type.TOPIC.id(), responses.get(0).resourceType());

            assertEquals(described, f.store.topic("orders").orElseThrow().configs());
            Map<String, DescribeConfigsResourceResult> after =
                    byName(describe(f, false, false, resource(ConfigResource.Type.TOPIC, "orders")).results().get(0));
            described.forEach((name, value) -> {
                assertEquals(value, after.get(name).value(), name);
                assertEquals(ConfigSource.TOPIC_CONFIG.id(), after.get(name).configSource(), name);
            });
        }
    }

    @Test
    void legacyAlterReplacesEveryOverrideAndReachesTheLogs() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            f.createTopic("orders", Map.of("retention.ms", "1000", "segment.bytes", "2097152"));
            assertEquals("NONE", outcome(alter(f, false,
                    alterResource(ConfigResource.Type.TOPIC, "orders", Map.of("cleanup.policy", "compact"))).get(0)));
            assertEquals(Map.of("cleanup.policy", "compact"), f.store.topic("orders").orElseThrow().configs());
            assertEquals(Map.of("cleanup.policy", "compact"), f.configUpdates.get(0).configs());
        }
    }

    @Test
    void validateOnlyChangesNothing() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            f.createTopic("orders", Map.of("retention.ms", "1000"));
            assertEquals("NONE", outcome(alter(f, true,
                    alterResource(ConfigResource.Type.TOPIC, "orders", Map.of("retention.ms", "5")),
                    alterResource(ConfigResource.Type.BROKER, "0", Map.of("log.retention.ms", "5"))).get(0)));
            assertEquals(Map.of("retention.ms", "1000"), f.store.topic("orders").orElseThrow().configs());
            assertEquals(Map.of(), f.store.dynamicBrokerConfigs());
            assertEquals(List.of(), f.configUpdates);
        }
    }

    @Test
    void everyResourceFailsOnItsOwnWithKafkasCodeAndMessage() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            f.createTopic("orders", Map.of());
            Map<String, String> nullValue = new HashMap<>();
            nullValue.put("retention.ms", null);
            AlterConfigsRequest.AlterConfigsResource duplicateKeys = alterResource(ConfigResource.Type.TOPIC, "orders", Map.of());
            duplicateKeys.configs().add(new AlterConfigsRequest.AlterableConfig().setName("retention.ms").setValue("1"));
            duplicateKeys.configs().add(new AlterConfigsRequest.AlterableConfig().setName("retention.ms").setValue("2"));
            List<String> outcomes = alter(f, false,
                    alterResource(ConfigResource.Type.TOPIC, "orders", Map.of("no.such.config", "1")),
                    alterResource(ConfigResource.Type.TOPIC, "missing", Map.of("retention.ms", "1")),
                    alterResource(ConfigResource.Type.TOPIC, "", Map.of()),
                    alterResource(ConfigResource.Type.TOPIC, "bad/name", Map.of()),
                    alterResource(ConfigResource.Type.BROKER, "0", nullValue),
                    alterResource(ConfigResource.Type.BROKER, "5", Map.of()),
                    alterResource(ConfigResource.Type.BROKER, "x", Map.of()),
                    alterResource(ConfigResource.Type.BROKER, "", Map.of("log.dirs", "/x")),
                    alterResource(ConfigResource.Type.BROKER_LOGGER, "0", Map.of())).stream()
                    .map(AlterConfigsHandlerTest::outcome).toList();
            assertEquals(List.of(
                    "INVALID_CONFIG: Unknown topic config name: no.such.config",
                    "UNKNOWN_TOPIC_OR_PARTITION: The topic 'missing' does not exist.",
                    "INVALID_REQUEST: Default topic resources are not allowed.",
                    "INVALID_TOPIC_EXCEPTION: Topic name \"bad/name\" is illegal, it contains a character other than "
                            + "ASCII alphanumerics, '.', '_' and '-'",
                    "INVALID_REQUEST: Null value not supported for : retention.ms",
                    "INVALID_REQUEST: Unexpected broker id, expected 0, but received 5",
                    "INVALID_REQUEST: Node id must be an integer, but it is: x",
                    "INVALID_REQUEST: Cannot update these configs dynamically: [log.dirs]",
                    "INVALID_REQUEST: Unknown resource type 8"), outcomes);
            assertEquals("INVALID_REQUEST: Error due to duplicate config keys", outcome(alter(f, false, duplicateKeys).get(0)));
            assertEquals("INVALID_CONFIG: Invalid value abc for configuration retention.ms: Not a number of type LONG",
                    outcome(alter(f, false, alterResource(ConfigResource.Type.TOPIC, "orders",
                            Map.of("retention.ms", "abc"))).get(0)));
        }
    }

    @Test
    void aResourceNamedTwiceFailsBothTimesWhileOthersSucceed() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            f.createTopic("a", Map.of());
            f.createTopic("b", Map.of());
            List<String> outcomes = alter(f, false,
                    alterResource(ConfigResource.Type.TOPIC, "a", Map.of("retention.ms", "1")),
                    alterResource(ConfigResource.Type.TOPIC, "b", Map.of("retention.ms", "2")),
                    alterResource(ConfigResource.Type.TOPIC, "a", Map.of("retention.ms", "3"))).stream()
                    .map(AlterConfigsHandlerTest::outcome).toList();
            assertEquals(List.of("INVALID_REQUEST: Each resource must appear at most once.", "NONE",
                    "INVALID_REQUEST: Each resource must appear at most once."), outcomes);
            assertEquals(Map.of(), f.store.topic("a").orElseThrow().configs());
            assertEquals(Map.of("retention.ms", "2"), f.store.topic("b").orElseThrow().configs());
        }
    }

    @Test
    void brokerLayersAreReplacedPersistedAndDescribed() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            assertEquals("NONE", outcome(alter(f, false,
                    alterResource(ConfigResource.Type.BROKER, "0", Map.of("log.retention.ms", "5000")),
                    alterResource(ConfigResource.Type.BROKER, "", Map.of("log.retention.ms", "6000",
                            "message.max.bytes", "2000000"))).get(0)));
            assertEquals(5000L, f.broker.logRetentionMs());
            assertEquals(2000000, f.broker.getInt("message.max.bytes"));
            // the legacy API replaces the whole layer
            alter(f, false, alterResource(ConfigResource.Type.BROKER, "", Map.of("log.retention.ms", "6000")));
            assertEquals(1048588, f.broker.getInt("message.max.bytes"));
            assertEquals(Map.of("0:log.retention.ms", "5000", "<default>:log.retention.ms", "6000"),
                    f.store.dynamicBrokerConfigs());
            DescribeConfigsResourceResult retention = byName(describe(f, true, false,
                    resource(ConfigResource.Type.BROKER, "0", "log.retention.ms")).results().get(0)).get("log.retention.ms");
            assertEquals("5000", retention.value());
            assertEquals(List.of("DYNAMIC_BROKER_CONFIG:log.retention.ms=5000",
                    "DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=6000", "DEFAULT_CONFIG:log.retention.hours=168"),
                    retention.synonyms().stream().map(s -> ConfigSource.values()[s.source()] + ":" + s.name() + "=" + s.value())
                            .toList());
            assertNull(retention.documentation());
        }
    }
}
