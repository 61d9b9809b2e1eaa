package dev.runnel.wire.message;

import dev.runnel.generator.Spec.MessageSpec;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards against a spec or API silently going missing: every API a Kafka 4.3.1 broker serves must have an
 * {@link ApiMessageType} with Kafka's key, name, versions and header versions, and its request and response
 * specs must be among those {@link MessageRoundTripTest} proves byte for byte at every version Kafka knows.
 */
class ApiCoverageTest {
    private static final org.apache.kafka.common.message.ApiMessageType.ListenerType BROKER =
            org.apache.kafka.common.message.ApiMessageType.ListenerType.BROKER;

    @Test
    void everyApiABrokerServesIsDefinedAndRoundTripTested() {
        List<String> problems = new ArrayList<>();
        for (ApiKeys key : ApiKeys.apisForListener(BROKER)) {
            check(key, problems);
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyOtherApiKafkaStillDefinesIsCoveredToo() {
        List<String> problems = new ArrayList<>();
        for (ApiKeys key : ApiKeys.values()) {
            if (key.hasValidVersion()) {
                check(key, problems);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /**
     * What a Kafka broker advertises in ApiVersions lies within our versions, with one known exception:
     * Produce is advertised from v0 although v0-v2 are rejected, because librdkafka turns compression off
     * unless the range starts at v0 (KAFKA-18659). The server must advertise it the same way.
     */
    @Test
    void advertisedRangesFitOurVersionsExceptProduceFromV0() {
        for (ApiKeys key : ApiKeys.apisForListener(BROKER)) {
            ApiVersion advertised = key.toApiVersionForApiResponse(false, BROKER).orElseThrow();
            ApiMessageType ours = ApiMessageType.forKey(key.id);
            assertTrue(advertised.maxVersion() <= ours.highestVersion, key.toString());
            short expectedMin = key == ApiKeys.PRODUCE ? 0 : ours.lowestVersion;
            assertEquals(expectedMin, advertised.minVersion(), key.toString());
        }
        assertEquals(0, ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION);
    }

    private static void check(ApiKeys key, Collection<String> problems) {
        ApiMessageType ours = ApiMessageType.forKey(key.id);
        if (ours == null) {
            problems.add(key + " (key " + key.id + "): no ApiMessageType");
            return;
        }
        if (!ours.apiName.equals(key.name)) {
            problems.add(key + ": named " + ours.apiName + ", Kafka says " + key.name);
        }
        short oldest = key.oldestVersion();
        short latest = key.latestVersion(true);
        if (ours.lowestVersion > oldest || ours.highestVersion < latest) {
            problems.add(key + ": versions " + ours.lowestVersion + "-" + ours.highestVersion
                    + " do not cover Kafka's " + oldest + "-" + latest);
        }
        if (ours.latestVersionUnstable != key.messageType.latestVersionUnstable()) {
            problems.add(key + ": latestVersionUnstable differs");
        }
        for (short v = oldest; v <= latest; v++) {
            if (ours.requestHeaderVersion(v) != key.requestHeaderVersion(v)
                    || ours.responseHeaderVersion(v) != key.responseHeaderVersion(v)) {
                problems.add(key + " v" + v + ": header versions differ from Kafka's");
            }
        }
        Map<String, MessageSpec> specs = SpecCatalog.all().stream()
                .collect(Collectors.toMap(MessageSpec::name, Function.identity()));
        for (String suffix : Arrays.asList("Request", "Response")) {
            MessageSpec spec = specs.get(ours.apiName + suffix);
            if (spec == null) {
                problems.add(key + ": no " + ours.apiName + suffix + " spec in the round-trip catalog");
            } else if (spec.apiKey() != key.id || !spec.validVersions().contains(oldest) || !spec.validVersions().contains(latest)) {
                problems.add(key + ": " + spec.name() + " has key " + spec.apiKey() + " and versions "
                        + spec.validVersions() + ", Kafka has " + oldest + "-" + latest);
            }
        }
    }
}
