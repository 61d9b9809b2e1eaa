package dev.runnel.server.config;

import dev.runnel.server.metadata.LocalMetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.runnel.server.config.ConfigSource.DEFAULT_CONFIG;
import static dev.runnel.server.config.ConfigSource.DYNAMIC_BROKER_CONFIG;
import static dev.runnel.server.config.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code max.connections.per.ip} and its overrides: Kafka's parsing and validation, static and dynamic. */
class ConnectionsPerIpOverridesTest {
    private static final String PER_IP = "max.connections.per.ip";
    private static final String OVERRIDES = "max.connections.per.ip.overrides";

    @TempDir
    Path dir;

    @Test
    void parsesHostCountPairsSplitAtTheLastColon() {
        assertEquals(Map.of(), ConnectionsPerIpOverrides.parse(""));
        assertEquals(Map.of("hostName", 100, "127.0.0.1", 200), ConnectionsPerIpOverrides.parse("hostName:100,127.0.0.1:200"));
        assertEquals(Map.of("::1", 5, "2001:db8::7", 0, "a", 2), ConnectionsPerIpOverrides.parse(" ::1:5 , 2001:db8::7 : 0,a:1,a:2,"));
        assertEquals(List.of("z", "a"), List.copyOf(ConnectionsPerIpOverrides.parse("z:1,a:2").keySet()), "order kept");
        assertEquals(Map.of("h", -3), ConnectionsPerIpOverrides.parse("h:-3"), "Kafka does not bound the count");
    }

    @Test
    void rejectsWhatKafkaRejects() {
        assertEquals("Invalid value a:1,b for configuration max.connections.per.ip.overrides: Error parsing "
                + "configuration property 'max.connections.per.ip.overrides': entry 'b' is not host:count",
                assertThrows(ConfigException.class, () -> ConnectionsPerIpOverrides.parse("a:1,b")).getMessage());
        assertThrows(ConfigException.class, () -> ConnectionsPerIpOverrides.parse("a:1,,b:2"));
        assertEquals("Invalid value a:x for configuration max.connections.per.ip.overrides: For input string: \"x\"",
                assertThrows(ConfigException.class, () -> ConnectionsPerIpOverrides.parse("a:x")).getMessage());
        assertEquals("max.connections.per.ip.overrides contains invalid addresses : bad host,bad/host",
                assertThrows(ConfigException.class,
                        () -> ConnectionsPerIpOverrides.parse("bad host:1,ok:2,bad/host:3")).getMessage());
    }

    @Test
    void startUpRefusesZeroPerIpWithoutOverridesAndBadOverrides() {
        ConfigException zero = assertThrows(ConfigException.class, () -> BrokerConfig.of(Map.of(PER_IP, "0")));
        assertEquals("max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.",
                zero.getMessage());
        BrokerConfig allowed = BrokerConfig.of(Map.of(PER_IP, "0", OVERRIDES, "127.0.0.1:5"));
        assertEquals(0, allowed.getInt(PER_IP));
        assertEquals("127.0.0.1:5", allowed.getString(OVERRIDES));
        assertThrows(ConfigException.class, () -> BrokerConfig.of(Map.of(OVERRIDES, "127.0.0.1")));
        assertThrows(ConfigException.class, () -> BrokerConfig.of(Map.of(PER_IP, "-1")));
    }

    @Test
    void dynamicChangesAreCheckedAgainstTheWholeConfigAndAnnouncedToListeners() {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            BrokerConfig config = BrokerConfig.of(Map.of(OVERRIDES, "127.0.0.1:5"));
            DynamicBrokerConfigs dynamic = new DynamicBrokerConfigs(config, store);
            List<Set<String>> announced = new java.util.ArrayList<>();
            config.onChange(announced::add);

            dynamic.replace(DYNAMIC_DEFAULT_BROKER_CONFIG, Map.of(PER_IP, "0", "max.connections", "50"), false);
            assertEquals(0, config.getInt(PER_IP));
            assertEquals(List.of(Set.of(PER_IP, "max.connections")), announced);

            // the static overrides are what allows 0: removing them dynamically is refused, and nothing changes
            ConfigException refused = assertThrows(ConfigException.class,
                    () -> dynamic.replace(DYNAMIC_BROKER_CONFIG, Map.of(OVERRIDES, ""), false));
            assertTrue(refused.getMessage().contains("can be set to zero only if"), refused.getMessage());
            assertEquals("127.0.0.1:5", config.getString(OVERRIDES));
            assertEquals(Map.of(), dynamic.layer(DYNAMIC_BROKER_CONFIG));
            assertThrows(ConfigException.class,
                    () -> dynamic.replace(DYNAMIC_BROKER_CONFIG, Map.of(OVERRIDES, "no-count"), true));

            dynamic.replace(DYNAMIC_BROKER_CONFIG, Map.of(OVERRIDES, "127.0.0.2:1,localhost:9"), false);
            assertEquals("127.0.0.2:1,localhost:9", config.getString(OVERRIDES));
            assertEquals(Set.of(OVERRIDES), announced.get(1));
        }
    }

    @Test
    void describeShowsTheThreeAsDynamicKeysWithTheirSource() {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            BrokerConfig config = BrokerConfig.of(Map.of());
            DynamicBrokerConfigs dynamic = new DynamicBrokerConfigs(config, store);
            for (String key : List.of("max.connections", PER_IP, OVERRIDES)) {
                ConfigEntry entry = config.describe(key);
                assertFalse(entry.readOnly(), key);
                assertEquals(DEFAULT_CONFIG, entry.source(), key);
            }
            assertEquals("2147483647", config.describe(PER_IP).value());
            assertEquals("", config.describe(OVERRIDES).value());

            dynamic.replace(DYNAMIC_DEFAULT_BROKER_CONFIG, Map.of(PER_IP, "3"), false);
            dynamic.replace(DYNAMIC_BROKER_CONFIG, Map.of(OVERRIDES, "127.0.0.2:1"), false);
            assertEquals(DYNAMIC_DEFAULT_BROKER_CONFIG, config.describe(PER_IP).source());
            assertEquals("3", config.describe(PER_IP).value());
            assertEquals(DYNAMIC_BROKER_CONFIG, config.describe(OVERRIDES).source());
            assertEquals("127.0.0.2:1", config.describe(OVERRIDES).value());
            assertEquals(List.of(PER_IP), config.describeAll(false).stream().map(ConfigEntry::name).toList(),
                    "the cluster-default resource shows only its own keys");
        }
    }
}
