package dev.runnel.server.config;

import dev.runnel.log.LogConfig;
import dev.runnel.server.metadata.PartitionState;
import dev.runnel.server.metadata.TopicMetadata;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.server.config.ServerTopicConfigSynonyms;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

import static dev.runnel.server.config.ConfigSource.DEFAULT_CONFIG;
import static dev.runnel.server.config.ConfigSource.DYNAMIC_BROKER_CONFIG;
import static dev.runnel.server.config.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
import static dev.runnel.server.config.ConfigSource.STATIC_BROKER_CONFIG;
import static dev.runnel.server.config.ConfigSource.TOPIC_CONFIG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicConfigsTest {
    private static final Map<String, ConfigDef.ConfigKey> KAFKA_KEYS =
            org.apache.kafka.storage.internals.log.LogConfig.configKeys();

    private static TopicMetadata topic(Map<String, String> configs) {
        return new TopicMetadata("t", UUID.randomUUID(), List.of(PartitionState.singleReplica(0)), configs);
    }

    /** Kafka's answer to the same overrides on a broker, or null when it accepts them. */
    private static String kafkaValidate(Map<String, String> overrides) {
        Map<String, Object> brokerDefaults = new HashMap<>();
        KAFKA_KEYS.forEach((name, key) -> {
            if (key.hasDefault() && key.defaultValue != null) {
                brokerDefaults.put(name, key.defaultValue);
            }
        });
        try {
            org.apache.kafka.storage.internals.log.LogConfig.validate(Map.of(), overrides, brokerDefaults, false);
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    @Test
    void keysTypesDefaultsAndOrderAreKafkas() {
        List<String> kafkaOrder = new ArrayList<>();
        KAFKA_KEYS.forEach((name, key) -> {
            if (!key.internalConfig) {
                kafkaOrder.add(name);
            }
        });
        assertEquals(kafkaOrder, new ArrayList<>(TopicConfigKeys.all().keySet()));
        for (TopicConfigKey ours : TopicConfigKeys.all().values()) {
            ConfigDef.ConfigKey kafka = KAFKA_KEYS.get(ours.name());
            assertEquals(kafka.type.name(), ours.type().name(), ours.name());
            assertEquals(ConfigDef.convertToString(kafka.defaultValue, kafka.type), ours.format(ours.defaultValue()), ours.name());
        }
    }

    @Test
    void brokerSynonymsAreKafkas() {
        for (TopicConfigKey key : TopicConfigKeys.all().values()) {
            assertEquals(ServerTopicConfigSynonyms.TOPIC_CONFIG_SYNONYMS.get(key.name()), key.brokerKey(), key.name());
        }
    }

    @Test
    void validationAgreesWithKafkaWordForWord() {
        List<Map<String, String>> cases = List.of(
                Map.of("foo", "1"), Map.of("segment.bytes", "100"), Map.of("segment.bytes", "abc"),
                Map.of("segment.bytes", " 2000000 "), Map.of("segment.bytes", "3000000000"), Map.of("segment.bytes", ""),
                Map.of("retention.ms", "-2"), Map.of("retention.ms", "-1"), Map.of("retention.bytes", "-5"),
                Map.of("cleanup.policy", "foo"), Map.of("cleanup.policy", ""), Map.of("cleanup.policy", "compact,delete"),
                Map.of("cleanup.policy", "compact, compact"), Map.of("cleanup.policy", "COMPACT"),
                Map.of("cleanup.policy", "delete,foo"), Map.of("cleanup.policy", "delete,"),
                Map.of("cleanup.policy", ",foo"), Map.of("cleanup.policy", "foo,"), Map.of("cleanup.policy", " "),
                Map.of("leader.replication.throttled.replicas", "0:1,"), Map.of("leader.replication.throttled.replicas", "x,"),
                Map.of("preallocate", " x "),
                Map.of("min.cleanable.dirty.ratio", "1.5"), Map.of("min.cleanable.dirty.ratio", "-0.5"),
                Map.of("min.cleanable.dirty.ratio", "abc"), Map.of("compression.type", "lzma"),
                Map.of("compression.type", " gzip "), Map.of("compression.type", ""),
                Map.of("compression.gzip.level", "0"), Map.of("compression.gzip.level", "-1"),
                Map.of("compression.lz4.level", "18"), Map.of("compression.lz4.level", "0"),
                Map.of("compression.zstd.level", "23"), Map.of("compression.zstd.level", "-131073"),
                Map.of("preallocate", "yes"), Map.of("preallocate", "TRUE"), Map.of("message.timestamp.type", "createtime"),
                Map.of("message.timestamp.type", "LogAppendTime"),
                Map.of("min.compaction.lag.ms", "10", "max.compaction.lag.ms", "5"), Map.of("max.compaction.lag.ms", "0"),
                Map.of("leader.replication.throttled.replicas", "0:1,1:2"), Map.of("leader.replication.throttled.replicas", "*"),
                Map.of("leader.replication.throttled.replicas", "x"), Map.of("follower.replication.throttled.replicas", "0:1,*"),
                Map.of("remote.storage.enable", "true"), Map.of("remote.storage.enable", "false"),
                Map.of("local.retention.ms", "-3"), Map.of("min.insync.replicas", "0"),
                Map.of("unclean.leader.election.enable", "maybe"), Map.of("segment.index.bytes", "3"),
                Map.of("flush.messages", "0"), Map.of("index.interval.bytes", "-1"), Map.of("max.message.bytes", "-1"),
                Map.of("segment.ms", "0"), Map.of("segment.jitter.ms", "-1"), Map.of("message.timestamp.before.max.ms", "-1"));
        for (Map<String, String> overrides : cases) {
            assertEquals(kafkaValidate(overrides), TopicConfigs.validate(overrides), overrides.toString());
        }
    }

    @Test
    void randomOverridesAreJudgedAsKafkaJudgesThem() {
        long seed = Long.getLong("seed", System.nanoTime());
        Random random = new Random(seed);
        List<String> names = new ArrayList<>(TopicConfigKeys.all().keySet());
        String[] values = {"0", "1", "-1", "-2", "4", "12", "1048576", "1048575", "0.5", "1.0", "2", "true", "false",
                "", " ", ",", "delete,", " x ", "delete", "compact", "compact,delete", "gzip", "producer", "CreateTime", "*", "0:1", "x",
                "9223372036854775807", "9223372036854775808", "2147483648", "-131072", "22", "17", "9"};
        for (int i = 0; i < 2000; i++) {
            Map<String, String> overrides = new LinkedHashMap<>();
            int count = 1 + random.nextInt(3);
            for (int k = 0; k < count; k++) {
                overrides.put(names.get(random.nextInt(names.size())), values[random.nextInt(values.length)]);
            }
            if (overrides.size() == 1) { // one key at a time: Kafka's order among several invalid keys is a HashMap's
                assertEquals(kafkaValidate(overrides), TopicConfigs.validate(overrides), "seed " + seed + ": " + overrides);
            } else {
                assertEquals(kafkaValidate(overrides) == null, TopicConfigs.validate(overrides) == null,
                        "seed " + seed + ": " + overrides);
            }
        }
    }

    @Test
    void describedValuesOfAnUnconfiguredBrokerAreKafkasTopicDefaults() {
        Map<String, String> overrides = Map.of("retention.ms", "1000", "cleanup.policy", "compact, delete",
                "min.cleanable.dirty.ratio", "0.25");
        Properties props = new Properties();
        props.putAll(overrides);
        var kafka = org.apache.kafka.storage.internals.log.LogConfig.fromProps(Map.of(), props);
        for (ConfigEntry entry : TopicConfigs.describe(topic(overrides), BrokerConfig.of(Map.of()))) {
            ConfigDef.ConfigKey key = KAFKA_KEYS.get(entry.name());
            assertEquals(ConfigDef.convertToString(kafka.values().get(entry.name()), key.type), entry.value(), entry.name());
            assertEquals(overrides.containsKey(entry.name()) ? TOPIC_CONFIG : DEFAULT_CONFIG, entry.source(), entry.name());
            assertFalse(entry.readOnly());
            assertFalse(entry.sensitive());
        }
        assertEquals(33, TopicConfigs.describe(topic(Map.of()), BrokerConfig.of(Map.of())).size());
    }

    @Test
    void sourcesAndSynonymsFollowKafkasPrecedence() {
        BrokerConfig broker = BrokerConfig.of(Map.of("log.retention.ms", "5000", "log.segment.bytes", "2097152",
                "log.retention.hours", "24"));
        broker.alterDynamic(DYNAMIC_DEFAULT_BROKER_CONFIG, Map.of("log.segment.bytes", "3145728"));
        broker.alterDynamic(DYNAMIC_BROKER_CONFIG, Map.of("message.max.bytes", "2000000"));
        Map<String, ConfigEntry> byName = new HashMap<>();
        TopicConfigs.describe(topic(Map.of("max.message.bytes", "1000")), broker).forEach(e -> byName.put(e.name(), e));

        ConfigEntry retention = byName.get("retention.ms");
        assertEquals("5000", retention.value());
        assertEquals(STATIC_BROKER_CONFIG, retention.source());
        assertEquals(List.of(new ConfigEntry.Synonym("log.retention.ms", "5000", STATIC_BROKER_CONFIG),
                new ConfigEntry.Synonym("log.retention.hours", "24", STATIC_BROKER_CONFIG),
                new ConfigEntry.Synonym("log.retention.hours", "168", DEFAULT_CONFIG)), retention.synonyms());

        ConfigEntry segment = byName.get("segment.bytes");
        assertEquals("3145728", segment.value());
        assertEquals(DYNAMIC_DEFAULT_BROKER_CONFIG, segment.source());
        assertEquals(List.of(DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG),
                segment.synonyms().stream().map(ConfigEntry.Synonym::source).toList());

        ConfigEntry maxMessage = byName.get("max.message.bytes");
        assertEquals("1000", maxMessage.value());
        assertEquals(TOPIC_CONFIG, maxMessage.source());
        assertEquals(List.of(new ConfigEntry.Synonym("max.message.bytes", "1000", TOPIC_CONFIG),
                new ConfigEntry.Synonym("message.max.bytes", "2000000", DYNAMIC_BROKER_CONFIG),
                new ConfigEntry.Synonym("message.max.bytes", "1048588", DEFAULT_CONFIG)), maxMessage.synonyms());

        // keys the broker does not define report Kafka's built-in broker default, keys without a synonym none
        assertEquals(List.of(new ConfigEntry.Synonym("compression.gzip.level", "-1", DEFAULT_CONFIG)),
                byName.get("compression.gzip.level").synonyms());
        assertEquals(List.of(), byName.get("remote.storage.enable").synonyms());
        assertEquals(DEFAULT_CONFIG, byName.get("remote.storage.enable").source());
    }

    @Test
    void onlyALowerPrecedenceSynonymSetReportsDefaultSourceAsKafkaDoes() {
        BrokerConfig broker = BrokerConfig.of(Map.of("log.retention.hours", "24"));
        ConfigEntry retention = TopicConfigs.describe(topic(Map.of()), broker).stream()
                .filter(e -> e.name().equals("retention.ms")).findFirst().orElseThrow();
        assertEquals("86400000", retention.value());
        assertEquals(DEFAULT_CONFIG, retention.source());
        assertEquals(List.of(), retention.synonyms());
    }

    @Test
    void describeLeavesOutSynonymsAndDocumentationWhenNotAsked() {
        for (ConfigEntry e : TopicConfigs.describe(topic(Map.of("retention.ms", "1")), BrokerConfig.of(Map.of()), false, false)) {
            assertEquals(List.of(), e.synonyms());
            assertNull(e.documentation());
        }
        assertTrue(TopicConfigs.describe(topic(Map.of()), BrokerConfig.of(Map.of())).stream()
                .allMatch(e -> e.documentation() != null && !e.documentation().isEmpty()));
    }

    @Test
    void effectiveConfigTakesTopicThenBrokerThenDefault() {
        BrokerConfig broker = BrokerConfig.of(Map.of("log.retention.hours", "24", "log.segment.bytes", "2097152",
                "log.cleanup.policy", "compact", "log.roll.hours", "1", "message.max.bytes", "5000"));
        LogConfig config = TopicConfigs.effective(topic(Map.of("segment.bytes", "1048576",
                "message.timestamp.type", "LogAppendTime")), broker);
        assertEquals(1048576, config.segmentBytes());
        assertEquals(86_400_000L, config.retentionMs());
        assertEquals(3_600_000L, config.segmentMs());
        assertEquals(5000, config.maxMessageBytes());
        assertTrue(config.compact());
        assertFalse(config.delete());
        assertTrue(config.logAppendTime());
        assertEquals(LogConfig.DEFAULT.segmentIndexBytes(), config.segmentIndexBytes());
    }

    @Test
    void emptyCleanupPolicyKeepsEverything() {
        LogConfig config = TopicConfigs.effective(Map.of("cleanup.policy", "", "retention.ms", "1000"), BrokerConfig.of(Map.of()));
        assertTrue(config.delete());
        assertFalse(config.compact());
        assertEquals(-1, config.retentionMs());
        assertEquals(-1, config.retentionBytes());
    }

    @Test
    void crossKeyRuleUsesTheBrokersValues() {
        BrokerConfig broker = BrokerConfig.of(Map.of("log.cleaner.max.compaction.lag.ms", "100"));
        assertEquals("conflict topic config setting min.compaction.lag.ms (500) > max.compaction.lag.ms (100)",
                TopicConfigs.validate(Map.of("min.compaction.lag.ms", "500"), broker));
        assertNull(TopicConfigs.validate(Map.of("min.compaction.lag.ms", "500")));
    }
}
