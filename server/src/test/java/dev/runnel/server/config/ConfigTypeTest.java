package dev.runnel.server.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Parsing and printing agree with Kafka's own {@link ConfigDef}, used as the oracle. */
class ConfigTypeTest {
    private static final List<String> INPUTS = List.of("", " ", "0", " 42 ", "-1", "2147483647", "2147483648",
            "9223372036854775807", "32767", "32768", "1.5", "0.5 ", "1e3", "true", " TRUE", "False", "yes",
            "a,b", " a , b ,c ", "a,,b", "abc", "PLAINTEXT://localhost:9092", "NaN");

    @Test
    void parsesEveryInputLikeKafkaConfigDef() {
        for (ConfigType type : List.of(ConfigType.BOOLEAN, ConfigType.STRING, ConfigType.INT, ConfigType.SHORT,
                ConfigType.LONG, ConfigType.DOUBLE, ConfigType.LIST, ConfigType.PASSWORD)) {
            ConfigDef.Type kafkaType = ConfigDef.Type.valueOf(type.name());
            for (String input : INPUTS) {
                Object expected;
                try {
                    expected = ConfigDef.parseType("k", input, kafkaType);
                } catch (org.apache.kafka.common.config.ConfigException e) {
                    assertThrows(ConfigException.class, () -> type.parse("k", input), type + " '" + input + "'");
                    continue;
                }
                Object actual = type.parse("k", input);
                if (expected instanceof Password password) {
                    expected = password.value();
                }
                assertEquals(expected, actual, type + " '" + input + "'");
                String kafkaPrinted = type == ConfigType.PASSWORD ? (String) actual
                        : ConfigDef.convertToString(expected, kafkaType);
                assertEquals(kafkaPrinted, type.format(actual), type + " printed '" + input + "'");
            }
        }
    }

    @Test
    void invalidNumberMessageNamesKeyAndValue() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigType.INT.parse("num.partitions", "two"));
        assertEquals("Invalid value two for configuration num.partitions: Not a number of type INT", e.getMessage());
        assertEquals("num.partitions", e.key());
    }

    @Test
    void typeIdsAreDescribeConfigsCodes() {
        // KIP-336 codes, as kafka-clients' DescribeConfigsResponse.ConfigType defines them.
        for (ConfigType type : ConfigType.values()) {
            assertEquals(org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType.valueOf(type.name()).id(),
                    type.id(), type.name());
        }
        for (ConfigSource source : ConfigSource.values()) {
            assertEquals(org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource.valueOf(source.name()).id(),
                    source.id(), source.name());
        }
    }
}
