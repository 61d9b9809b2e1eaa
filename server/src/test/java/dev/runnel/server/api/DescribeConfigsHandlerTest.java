package dev.runnel.server.api;

import dev.runnel.server.config.ConfigSource;
import dev.runnel.wire.message.DescribeConfigsRequest;
import dev.runnel.wire.message.DescribeConfigsResponse;
import dev.runnel.wire.message.DescribeConfigsResponse.DescribeConfigsResourceResult;
import dev.runnel.wire.message.DescribeConfigsResponse.DescribeConfigsResult;
import dev.runnel.wire.protocol.Errors;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.runnel.server.api.ConfigFixture.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DescribeConfigsHandlerTest {
    @TempDir
    Path dir;

    static DescribeConfigsRequest.DescribeConfigsResource resource(ConfigResource.Type type, String name, String... keys) {
        return new DescribeConfigsRequest.DescribeConfigsResource().setResourceType(type.id()).setResourceName(name)
                .setConfigurationKeys(keys.length == 0 ? null : new ArrayList<>(Arrays.asList(keys)));
    }

    static DescribeConfigsResponse describe(ConfigFixture f, boolean synonyms, boolean docs,
                                            DescribeConfigsRequest.DescribeConfigsResource... resources) {
        return call(f.describe, new DescribeConfigsRequest().setResources(new ArrayList<>(List.of(resources)))
                .setIncludeSynonyms(synonyms).setIncludeDocumentation(docs), 4);
    }

    static Map<String, DescribeConfigsResourceResult> byName(DescribeConfigsResult result) {
        Map<String, DescribeConfigsResourceResult> map = new TreeMap<>();
        result.configs().forEach(c -> map.put(c.name(), c));
        return map;
    }

    @Test
    void topicReportsEveryKeyWithSourceTypeSynonymsAndDocumentation() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of("log.retention.ms", "5000"))) {
            f.createTopic("orders", Map.of("cleanup.policy", "compact"));
            DescribeConfigsResult result = describe(f, true, true, resource(ConfigResource.Type.TOPIC, "orders")).results().get(0);
            assertEquals(Errors.NONE.code(), result.errorCode());
            assertEquals("orders", result.resourceName());
            assertEquals(ConfigResource.Type.TOPIC.id(), result.resourceType());
            Map<String, DescribeConfigsResourceResult> configs = byName(result);
            assertEquals(33, configs.size());

            DescribeConfigsResourceResult policy = configs.get("cleanup.policy");
            assertEquals("compact", policy.value());
            assertEquals(ConfigSource.TOPIC_CONFIG.id(), policy.configSource());
            assertEquals(org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType.LIST.id(), policy.configType());
            assertEquals(List.of("cleanup.policy", "log.cleanup.policy"), policy.synonyms().stream().map(s -> s.name()).toList());

            DescribeConfigsResourceResult retention = configs.get("retention.ms");
            assertEquals("5000", retention.value());
            assertEquals(ConfigSource.STATIC_BROKER_CONFIG.id(), retention.configSource());
            assertFalse(retention.readOnly());
            assertFalse(retention.isSensitive());
            assertEquals(org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType.LONG.id(), retention.configType());
            assertFalse(retention.documentation().isEmpty());
        }
    }

    @Test
    void keysFilterSynonymsAndDocumentationAreHonoured() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            f.createTopic("orders", Map.of("retention.ms", "1"));
            DescribeConfigsResult result = describe(f, false, false,
                    resource(ConfigResource.Type.TOPIC, "orders", "retention.ms", "no.such.key")).results().get(0);
            assertEquals(1, result.configs().size());
            DescribeConfigsResourceResult retention = result.configs().get(0);
            assertEquals("1", retention.value());
            assertEquals(List.of(), retention.synonyms());
            assertNull(retention.documentation());
        }
    }

    @Test
    void topicErrorsStayWithTheirResource() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            f.createTopic("orders", Map.of());
            List<DescribeConfigsResult> results = describe(f, false, false,
                    resource(ConfigResource.Type.TOPIC, "missing"),
                    resource(ConfigResource.Type.TOPIC, "bad/name"),
                    resource(ConfigResource.Type.TOPIC, "orders")).results();
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), results.get(0).errorCode());
            assertNull(results.get(0).errorMessage());
            assertEquals(List.of(), results.get(0).configs());
            assertEquals("missing", results.get(0).resourceName());
            assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), results.get(1).errorCode());
            assertEquals(Errors.NONE.code(), results.get(2).errorCode());
            assertEquals(33, results.get(2).configs().size());
        }
    }

    @Test
    void brokerResourceIsThisNodeOrTheClusterDefault() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of("node.id", "3", "ssl.keystore.password", "secret"))) {
            f.dynamic.replace(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, Map.of("log.retention.ms", "7"), false);
            List<DescribeConfigsResult> results = describe(f, true, false,
                    resource(ConfigResource.Type.BROKER, "3"),
                    resource(ConfigResource.Type.BROKER, ""),
                    resource(ConfigResource.Type.BROKER, "4"),
                    resource(ConfigResource.Type.BROKER, "x")).results();

            Map<String, DescribeConfigsResourceResult> own = byName(results.get(0));
            assertTrue(own.get("log.retention.hours").readOnly());
            assertFalse(own.get("log.retention.ms").readOnly());
            assertEquals("7", own.get("log.retention.ms").value());
            assertEquals(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id(), own.get("log.retention.ms").configSource());
            DescribeConfigsResourceResult password = own.get("ssl.keystore.password");
            assertTrue(password.isSensitive());
            assertNull(password.value());
            assertNull(password.synonyms().get(0).value());

            assertEquals(List.of("log.retention.ms"), results.get(1).configs().stream().map(c -> c.name()).toList());
            assertEquals(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id(), results.get(1).configs().get(0).configSource());

            assertEquals(Errors.INVALID_REQUEST.code(), results.get(2).errorCode());
            assertEquals("Unexpected broker id, expected 3 or empty string, but received 4", results.get(2).errorMessage());
            assertEquals("Broker id must be an integer, but it is: x", results.get(3).errorMessage());
        }
    }

    @Test
    void loggersGroupsAndClientMetrics() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            DescribeConfigsHandler handler = new DescribeConfigsHandler(f.store, f.broker,
                    () -> new TreeMap<>(Map.of("root", "INFO", "dev.runnel", "DEBUG")));
            DescribeConfigsResponse response = call(handler, new DescribeConfigsRequest().setResources(new ArrayList<>(List.of(
                    resource(ConfigResource.Type.BROKER_LOGGER, "0"),
                    resource(ConfigResource.Type.BROKER_LOGGER, ""),
                    resource(ConfigResource.Type.BROKER_LOGGER, "1"),
                    resource(ConfigResource.Type.GROUP, ""),
                    resource(ConfigResource.Type.CLIENT_METRICS, "")))), 4);
            List<DescribeConfigsResult> results = response.results();
            assertEquals(List.of("dev.runnel=DEBUG", "root=INFO"), results.get(0).configs().stream()
                    .map(c -> c.name() + "=" + c.value()).toList());
            assertEquals(ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG.id(), results.get(0).configs().get(0).configSource());
            assertEquals("Broker id must not be empty", results.get(1).errorMessage());
            assertEquals("Unexpected broker id, expected 0 but received 1", results.get(2).errorMessage());
            assertEquals("Group name must not be empty", results.get(3).errorMessage());
            assertEquals("Client metrics subscription name must not be empty", results.get(4).errorMessage());
        }
    }

    @Test
    void anUnknownResourceTypeFailsTheWholeRequest() {
        try (ConfigFixture f = new ConfigFixture(dir, Map.of())) {
            f.createTopic("orders", Map.of());
            DescribeConfigsRequest.DescribeConfigsResource unknown = new DescribeConfigsRequest.DescribeConfigsResource()
                    .setResourceType((byte) 99).setResourceName("x");
            List<DescribeConfigsResult> results = describe(f, false, false,
                    resource(ConfigResource.Type.TOPIC, "orders"), unknown).results();
            assertEquals(2, results.size());
            for (DescribeConfigsResult r : results) {
                assertEquals(Errors.INVALID_REQUEST.code(), r.errorCode());
                assertEquals(Errors.INVALID_REQUEST.message(), r.errorMessage());
            }
        }
    }
}
