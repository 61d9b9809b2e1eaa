package dev.runnel.server.config;

import dev.runnel.server.metadata.LocalMetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.runnel.server.config.ConfigSource.DYNAMIC_BROKER_CONFIG;
import static dev.runnel.server.config.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DynamicBrokerConfigsTest {
    @TempDir
    Path dir;

    @Test
    void bothLayersArePersistedApartAndRestoredAfterRestart() {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            store.setDynamicBrokerConfigs(Map.of("7:log.retention.ms", "1"));  // another broker's layer stays
            DynamicBrokerConfigs dynamic = new DynamicBrokerConfigs(BrokerConfig.of(Map.of("node.id", "3")), store);
            dynamic.replace(DYNAMIC_BROKER_CONFIG, Map.of("log.retention.ms", "5000"), false);
            dynamic.replace(DYNAMIC_DEFAULT_BROKER_CONFIG, Map.of("log.retention.ms", "6000", "log.segment.bytes", "2097152"), false);
            assertEquals(5000L, dynamic.config().logRetentionMs());
            assertEquals(2097152, dynamic.config().getInt("log.segment.bytes"));
            assertEquals(Map.of("7:log.retention.ms", "1", "3:log.retention.ms", "5000",
                    "<default>:log.retention.ms", "6000", "<default>:log.segment.bytes", "2097152"), store.dynamicBrokerConfigs());
        }
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            BrokerConfig config = BrokerConfig.of(Map.of("node.id", "3"));
            DynamicBrokerConfigs dynamic = new DynamicBrokerConfigs(config, store);
            dynamic.restore();
            assertEquals(5000L, config.logRetentionMs());
            assertEquals(Map.of("log.retention.ms", "5000"), dynamic.layer(DYNAMIC_BROKER_CONFIG));
            assertEquals(Map.of("log.retention.ms", "6000", "log.segment.bytes", "2097152"),
                    dynamic.layer(DYNAMIC_DEFAULT_BROKER_CONFIG));
            assertEquals(DYNAMIC_BROKER_CONFIG, config.describe("log.retention.ms").source());

            // replacing a layer removes the keys it no longer has, in memory and on disk
            dynamic.replace(DYNAMIC_BROKER_CONFIG, Map.of(), false);
            assertEquals(6000L, config.logRetentionMs());
            assertEquals(Map.of("7:log.retention.ms", "1", "<default>:log.retention.ms", "6000",
                    "<default>:log.segment.bytes", "2097152"), store.dynamicBrokerConfigs());
        }
    }

    @Test
    void rejectedChangesAreWordedAsKafkaAndChangeNothing() {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            DynamicBrokerConfigs dynamic = new DynamicBrokerConfigs(BrokerConfig.of(Map.of()), store);
            assertEquals("Cannot update these configs dynamically: [log.dirs, num.partitions]", assertThrows(ConfigException.class,
                    () -> dynamic.replace(DYNAMIC_BROKER_CONFIG, Map.of("log.dirs", "/x", "num.partitions", "3",
                            "log.retention.ms", "1"), false)).getMessage());
            assertEquals("These security configs can be dynamically updated only per-listener using the listener prefix: "
                    + "[ssl.keystore.location]", assertThrows(ConfigException.class,
                    () -> dynamic.replace(DYNAMIC_BROKER_CONFIG, Map.of("ssl.keystore.location", "/k"), false)).getMessage());
            assertEquals("Cannot update these configs at default cluster level, broker id must be specified: [listeners]",
                    assertThrows(ConfigException.class, () -> dynamic.replace(DYNAMIC_DEFAULT_BROKER_CONFIG,
                            Map.of("listeners", "PLAINTEXT://localhost:9093"), false)).getMessage());
            assertEquals("Invalid value abc for configuration log.retention.ms: Not a number of type LONG",
                    assertThrows(ConfigException.class, () -> dynamic.replace(DYNAMIC_DEFAULT_BROKER_CONFIG,
                            Map.of("log.retention.ms", "abc"), false)).getMessage());
            dynamic.replace(DYNAMIC_DEFAULT_BROKER_CONFIG, Map.of("log.retention.ms", "1"), true);
            assertEquals(Map.of(), store.dynamicBrokerConfigs());
            assertEquals(Map.of(), dynamic.layer(DYNAMIC_DEFAULT_BROKER_CONFIG));
            assertEquals(168 * 3_600_000L, dynamic.config().logRetentionMs());
        }
    }

    @Test
    void listenerOnlySecurityKeysAreKafkas() {
        assertEquals(org.apache.kafka.common.config.SslConfigs.RECONFIGURABLE_CONFIGS,
                DynamicBrokerConfigs.LISTENER_ONLY_SECURITY_CONFIGS);
    }

    @Test
    void aPersistedLayerThatNoLongerValidatesIsSkippedAtStartUp() {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            store.setDynamicBrokerConfigs(Map.of("0:num.partitions", "3", "<default>:log.retention.ms", "7"));
            BrokerConfig config = BrokerConfig.of(Map.of());
            new DynamicBrokerConfigs(config, store).restore();
            assertEquals(1, config.getInt("num.partitions"));
            assertEquals(7L, config.logRetentionMs());
        }
    }
}
