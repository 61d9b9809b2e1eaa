package dev.runnel.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.runnel.server.config.ConfigSource.DEFAULT_CONFIG;
import static dev.runnel.server.config.ConfigSource.DYNAMIC_BROKER_CONFIG;
import static dev.runnel.server.config.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
import static dev.runnel.server.config.ConfigSource.STATIC_BROKER_CONFIG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerConfigTest {

    @Test
    void zeroConfigGivesKafkaDefaultsAndALocalSingleBroker() {
        BrokerConfig config = BrokerConfig.of(Map.of());
        assertEquals(0, config.nodeId());
        assertEquals(List.of(new Endpoint("PLAINTEXT", "localhost", 9092)), config.listeners());
        assertEquals(List.of(Path.of("./data")), config.logDirs());
        assertEquals(SecurityProtocol.PLAINTEXT, config.securityProtocol("PLAINTEXT"));
        assertEquals(1, config.getInt("num.partitions"));
        assertEquals(1, config.getInt("default.replication.factor"));
        assertTrue(config.getBoolean("auto.create.topics.enable"));
        assertTrue(config.getBoolean("delete.topic.enable"));
        assertEquals(1048588, config.getInt("message.max.bytes"));
        assertEquals(104857600, config.getInt("socket.request.max.bytes"));
        assertEquals(102400, config.getInt("socket.send.buffer.bytes"));
        assertEquals(600000L, config.getLong("connections.max.idle.ms"));
        assertEquals(500, config.getInt("queued.max.requests"));
        assertEquals(168 * 3_600_000L, config.logRetentionMs());
        assertEquals(-1L, config.getLong("log.retention.bytes"));
        assertEquals(1073741824, config.getInt("log.segment.bytes"));
        assertEquals(168 * 3_600_000L, config.logRollMs());
        assertEquals(0L, config.logRollJitterMs());
        assertEquals(Long.MAX_VALUE, config.logFlushIntervalMs());
        assertEquals(Long.MAX_VALUE, config.getLong("log.flush.interval.messages"));
        assertEquals(List.of("delete"), config.getList("log.cleanup.policy"));
        assertEquals(4096, config.getInt("log.index.interval.bytes"));
        assertEquals("CreateTime", config.getString("log.message.timestamp.type"));
        assertEquals(50, config.getInt("offsets.topic.num.partitions"));
        assertEquals((short) 1, config.getShort("offsets.topic.replication.factor"));
        assertEquals(10080, config.getInt("offsets.retention.minutes"));
        assertEquals(3000, config.getInt("group.initial.rebalance.delay.ms"));
        assertEquals(6000, config.getInt("group.min.session.timeout.ms"));
        assertEquals(1800000, config.getInt("group.max.session.timeout.ms"));
        assertEquals(Integer.MAX_VALUE, config.getInt("group.max.size"));
        assertEquals(604800000, config.getInt("transactional.id.expiration.ms"));
        assertEquals(86400000, config.getInt("producer.id.expiration.ms"));
        assertEquals(1, config.getInt("min.insync.replicas"));
        assertEquals(8, config.getInt("num.io.threads"));
        assertEquals(3, config.getInt("num.network.threads"));
        assertTrue(config.zookeeperConnect().isEmpty());
        for (String key : BrokerConfigKeys.all().keySet()) {
            assertEquals(DEFAULT_CONFIG, config.source(key), key);
        }
    }

    @Test
    void retentionUsesMillisThenMinutesThenHoursAndNegativeMeansForever() {
        assertEquals(5 * 3_600_000L, BrokerConfig.of(Map.of("log.retention.hours", "5")).logRetentionMs());
        assertEquals(7 * 60_000L, BrokerConfig.of(Map.of("log.retention.hours", "5",
                "log.retention.minutes", "7")).logRetentionMs());
        assertEquals(1234L, BrokerConfig.of(Map.of("log.retention.hours", "5", "log.retention.minutes", "7",
                "log.retention.ms", "1234")).logRetentionMs());
        assertEquals(-1L, BrokerConfig.of(Map.of("log.retention.ms", "-5")).logRetentionMs());
        assertEquals(-1L, BrokerConfig.of(Map.of("log.retention.hours", "-1")).logRetentionMs());
        assertEquals(9L, BrokerConfig.of(Map.of("log.roll.hours", "3", "log.roll.ms", "9")).logRollMs());
        assertEquals(2 * 3_600_000L, BrokerConfig.of(Map.of("log.roll.jitter.hours", "2")).logRollJitterMs());
        assertEquals(1000L, BrokerConfig.of(Map.of("log.flush.scheduler.interval.ms", "1000")).logFlushIntervalMs());
        assertEquals(10L, BrokerConfig.of(Map.of("log.flush.scheduler.interval.ms", "1000",
                "log.flush.interval.ms", "10")).logFlushIntervalMs());
    }

    @Test
    void logDirsOverridesLogDir() {
        assertEquals(List.of(Path.of("/a")), BrokerConfig.of(Map.of("log.dir", "/a")).logDirs());
        assertEquals(List.of(Path.of("/b"), Path.of("/c")),
                BrokerConfig.of(Map.of("log.dir", "/a", "log.dirs", "/b, /c")).logDirs());
    }

    @Test
    void invalidValuesStopStartupWithAMessageNamingKeyAndValue() {
        assertInvalid(Map.of("num.partitions", "0"), "Invalid value 0 for configuration num.partitions: Value must be at least 1");
        assertInvalid(Map.of("num.partitions", "many"), "Invalid value many for configuration num.partitions: Not a number of type INT");
        assertInvalid(Map.of("auto.create.topics.enable", "yes"),
                "Invalid value yes for configuration auto.create.topics.enable: Expected value to be either true or false");
        assertInvalid(Map.of("log.cleanup.policy", "delete,shred"),
                "Invalid value [delete, shred] for configuration log.cleanup.policy: String must be one of: compact, delete");
        assertInvalid(Map.of("log.message.timestamp.type", "createtime"),
                "Invalid value createtime for configuration log.message.timestamp.type: String must be one of: CreateTime, LogAppendTime");
        assertInvalid(Map.of("log.segment.bytes", "1000"),
                "Invalid value 1000 for configuration log.segment.bytes: Value must be at least 1048576");
        assertInvalid(Map.of("listeners", "localhost:9092"),
                "Invalid value localhost:9092 for configuration listeners: Listener must be of the form NAME://host:port");
        assertInvalid(Map.of("listeners", "PLAINTEXT://:70000"),
                "Invalid value PLAINTEXT://:70000 for configuration listeners: Port must be between 0 and 65535");
        assertInvalid(Map.of("listeners", "PLAINTEXT://a:1,plaintext://b:2"),
                "Invalid value PLAINTEXT://a:1,plaintext://b:2 for configuration listeners: Each listener must have a different name; PLAINTEXT is repeated");
        assertInvalid(Map.of("listeners", "INTERNAL://:9093"), "Invalid value INTERNAL://:9093 for configuration listeners: "
                + "No security protocol is defined for listener INTERNAL in listener.security.protocol.map");
        assertInvalid(Map.of("advertised.listeners", "OTHER://h:1"),
                "Invalid value OTHER://h:1 for configuration advertised.listeners: Listener OTHER is not in listeners");
        assertInvalid(Map.of("advertised.listeners", "PLAINTEXT://0.0.0.0:9092"), "Invalid value PLAINTEXT://0.0.0.0:9092 "
                + "for configuration advertised.listeners: Cannot advertise the non-routable address 0.0.0.0");
        assertInvalid(Map.of("listener.security.protocol.map", "A:TLS"),
                "Invalid value A:TLS for configuration listener.security.protocol.map: Unknown security protocol TLS");
        assertInvalid(Map.of("node.id", "1", "broker.id", "2"),
                "If both node.id and broker.id are set, they must be equal: node.id=1, broker.id=2");
    }

    @Test
    void listenersAcceptIpv6WildcardsAndCustomNames() {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "listeners", "internal://[::1]:9093, EXTERNAL://:0",
                "listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT",
                "advertised.listeners", "EXTERNAL://broker.example.com:9094"));
        assertEquals(List.of(new Endpoint("INTERNAL", "::1", 9093), new Endpoint("EXTERNAL", "", 0)), config.listeners());
        assertEquals("INTERNAL://[::1]:9093", config.listeners().get(0).toString());
        assertEquals(SecurityProtocol.SASL_PLAINTEXT, config.securityProtocol("EXTERNAL"));
        assertEquals(List.of(new Endpoint("EXTERNAL", "broker.example.com", 9094)), config.advertisedListeners());
        Endpoint wildcard = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://:9092")).advertisedListeners().get(0);
        assertFalse(wildcard.host().isEmpty(), "a wildcard listener is advertised under this host's name");
        assertEquals(9092, wildcard.port());
    }

    @Test
    void nodeIdAndBrokerIdAreCopiedToEachOther() {
        BrokerConfig fromNode = BrokerConfig.of(Map.of("node.id", "3"));
        assertEquals(3, fromNode.nodeId());
        assertEquals(3, fromNode.getInt("broker.id"));
        assertEquals(STATIC_BROKER_CONFIG, fromNode.source("broker.id"));
        assertEquals(7, BrokerConfig.of(Map.of("broker.id", "7")).nodeId());
        assertEquals(4, BrokerConfig.of(Map.of("broker.id", "4", "node.id", " 4")).nodeId());
    }

    @Test
    void unknownKeysAreWarnedAboutAndReportedAsSensitive() {
        BrokerConfig config;
        try (LogCapture log = new LogCapture()) {
            config = BrokerConfig.of(Map.of("log.retention.hourz", "5", "listener.name.plaintext.foo", "x"));
            assertEquals(List.of("Unknown configuration 'log.retention.hourz' was supplied and is ignored"), log.messages());
        }
        ConfigEntry entry = config.describe("log.retention.hourz");
        assertNull(entry.value());
        assertTrue(entry.sensitive());
        assertTrue(entry.readOnly());
        assertEquals(STATIC_BROKER_CONFIG, entry.source());
        assertThrows(IllegalArgumentException.class, () -> config.get("log.retention.hourz"));
    }

    @Test
    void fileIsReadAndOverridesWin(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "# comment\nnum.partitions = 3\nlog.dirs=" + dir.resolve("data") + "\nbroker.id=2\n");
        BrokerConfig config = ServerArguments.parse(file.toString(), "--override", "num.partitions=6",
                "--override", "listeners=PLAINTEXT://127.0.0.1:0").load();
        assertEquals(6, config.getInt("num.partitions"));
        assertEquals(2, config.nodeId());
        assertEquals(List.of(dir.resolve("data")), config.logDirs());
        assertEquals(0, config.listeners().get(0).port());
        assertEquals(STATIC_BROKER_CONFIG, config.source("num.partitions"));
    }

    @Test
    void argumentsFollowKafkaServerStart() {
        ServerArguments none = ServerArguments.parse();
        assertNull(none.propertiesFile());
        assertEquals(Map.of(), none.overrides());
        ServerArguments only = ServerArguments.parse("--override", "a=b=c", "--override", " k =v ");
        assertNull(only.propertiesFile());
        assertEquals(Map.of("a", "b=c", "k", "v "), only.overrides());
        assertThrows(IllegalArgumentException.class, () -> ServerArguments.parse("--override"));
        assertThrows(IllegalArgumentException.class, () -> ServerArguments.parse("--override", "novalue"));
        assertThrows(IllegalArgumentException.class, () -> ServerArguments.parse("a.properties", "b.properties"));
        assertThrows(IllegalArgumentException.class, () -> ServerArguments.parse("--daemon"));
    }

    @Test
    void dynamicValuesTakePrecedenceInKafkasOrderAndCanBeRemoved() {
        BrokerConfig config = BrokerConfig.of(Map.of("message.max.bytes", "2000"));
        List<Set<String>> notified = new ArrayList<>();
        config.onChange(notified::add);

        assertEquals(Set.of("message.max.bytes"), config.alterDynamic(DYNAMIC_DEFAULT_BROKER_CONFIG, Map.of("message.max.bytes", "3000")));
        assertEquals(3000, config.getInt("message.max.bytes"));
        assertEquals(DYNAMIC_DEFAULT_BROKER_CONFIG, config.source("message.max.bytes"));

        config.alterDynamic(DYNAMIC_BROKER_CONFIG, Map.of("message.max.bytes", "4000", "log.retention.ms", "60000"));
        assertEquals(4000, config.getInt("message.max.bytes"));
        assertEquals(60000L, config.logRetentionMs());
        assertEquals(DYNAMIC_BROKER_CONFIG, config.source("message.max.bytes"));
        assertEquals(Map.of("message.max.bytes", "4000", "log.retention.ms", "60000"), config.dynamicConfigs(DYNAMIC_BROKER_CONFIG));

        Map<String, String> removal = new HashMap<>();
        removal.put("message.max.bytes", null);
        config.alterDynamic(DYNAMIC_BROKER_CONFIG, removal);
        assertEquals(3000, config.getInt("message.max.bytes"));
        config.alterDynamic(DYNAMIC_DEFAULT_BROKER_CONFIG, removal);
        assertEquals(2000, config.getInt("message.max.bytes"));
        assertEquals(STATIC_BROKER_CONFIG, config.source("message.max.bytes"));

        assertEquals(List.of(Set.of("message.max.bytes"), Set.of("message.max.bytes", "log.retention.ms"),
                Set.of("message.max.bytes"), Set.of("message.max.bytes")), notified);
        assertEquals(Set.of(), config.alterDynamic(DYNAMIC_BROKER_CONFIG, Map.of("log.retention.ms", "60000")));
        assertEquals(4, notified.size(), "no notification when nothing changed");
    }

    @Test
    void aRejectedDynamicChangeChangesNothing() {
        BrokerConfig config = BrokerConfig.of(Map.of());
        assertDynamicRejected(config, DYNAMIC_BROKER_CONFIG, Map.of("message.max.bytes", "5000", "num.partitions", "4"),
                "Invalid value 4 for configuration num.partitions: Cannot update this configuration dynamically");
        assertDynamicRejected(config, DYNAMIC_BROKER_CONFIG, Map.of("message.max.bytes", "5000", "min.insync.replicas", "0"),
                "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1");
        assertDynamicRejected(config, DYNAMIC_DEFAULT_BROKER_CONFIG, Map.of("listeners", "PLAINTEXT://:1"),
                "Invalid value PLAINTEXT://:1 for configuration listeners: Cannot update this configuration as a cluster-wide default");
        assertDynamicRejected(config, DYNAMIC_BROKER_CONFIG, Map.of("no.such.key", "1"),
                "Invalid value 1 for configuration no.such.key: Unknown broker configuration");
        assertDynamicRejected(config, DYNAMIC_BROKER_CONFIG, Map.of("advertised.listeners", "OTHER://h:1"),
                "Invalid value OTHER://h:1 for configuration advertised.listeners: Listener OTHER is not in listeners");
        assertEquals(1048588, config.getInt("message.max.bytes"));
        assertEquals(Map.of(), config.dynamicConfigs(DYNAMIC_BROKER_CONFIG));

        config.validateDynamic(DYNAMIC_BROKER_CONFIG, Map.of("message.max.bytes", "5000"));
        assertEquals(1048588, config.getInt("message.max.bytes"), "validate-only changes nothing");
    }

    @Test
    void describeReportsValueSourceAndFlagsLikeKafka() {
        BrokerConfig config = BrokerConfig.of(Map.of("log.retention.hours", "24", "ssl.keystore.password", "secret"));

        ConfigEntry partitions = config.describe("num.partitions");
        assertEquals("1", partitions.value());
        assertEquals(DEFAULT_CONFIG, partitions.source());
        assertTrue(partitions.isDefault());
        assertTrue(partitions.readOnly());
        assertFalse(partitions.sensitive());
        assertEquals(ConfigType.INT, partitions.type());
        assertEquals(List.of(new ConfigEntry.Synonym("num.partitions", "1", DEFAULT_CONFIG)), partitions.synonyms());

        ConfigEntry password = config.describe("ssl.keystore.password");
        assertNull(password.value());
        assertTrue(password.sensitive());
        assertFalse(password.readOnly());
        assertEquals(STATIC_BROKER_CONFIG, password.source());
        assertEquals(List.of(new ConfigEntry.Synonym("ssl.keystore.password", null, STATIC_BROKER_CONFIG)), password.synonyms());

        // Unset log.retention.ms: Kafka reports a null value with the default source.
        ConfigEntry retentionMs = config.describe("log.retention.ms");
        assertNull(retentionMs.value());
        assertEquals(DEFAULT_CONFIG, retentionMs.source());
        assertFalse(retentionMs.readOnly());

        ConfigEntry hours = config.describe("log.retention.hours");
        assertEquals("24", hours.value());
        assertEquals(STATIC_BROKER_CONFIG, hours.source());
        assertEquals(List.of(new ConfigEntry.Synonym("log.retention.hours", "24", STATIC_BROKER_CONFIG),
                new ConfigEntry.Synonym("log.retention.hours", "168", DEFAULT_CONFIG)), hours.synonyms());

        config.alterDynamic(DYNAMIC_BROKER_CONFIG, Map.of("log.retention.ms", "1000"));
        retentionMs = config.describe("log.retention.ms");
        assertEquals("1000", retentionMs.value());
        assertEquals(DYNAMIC_BROKER_CONFIG, retentionMs.source());
        assertEquals(List.of(new ConfigEntry.Synonym("log.retention.ms", "1000", DYNAMIC_BROKER_CONFIG),
                new ConfigEntry.Synonym("log.retention.hours", "24", STATIC_BROKER_CONFIG),
                new ConfigEntry.Synonym("log.retention.hours", "168", DEFAULT_CONFIG)), retentionMs.synonyms());

        assertEquals("PLAINTEXT://localhost:9092", config.describe("listeners").value());
        assertNull(config.describe("advertised.listeners").value());
        assertNull(config.describe("not.a.key"));
    }

    @Test
    void describeAllCoversEveryKeyPerBrokerAndOnlyDynamicDefaultsForTheCluster() {
        BrokerConfig config = BrokerConfig.of(Map.of("mystery", "1"));
        config.alterDynamic(DYNAMIC_DEFAULT_BROKER_CONFIG, Map.of("log.cleaner.threads", "2"));
        config.alterDynamic(DYNAMIC_BROKER_CONFIG, Map.of("log.cleaner.threads", "3"));

        List<ConfigEntry> all = config.describeAll(true);
        assertEquals(BrokerConfigKeys.all().size() + 1, all.size());
        assertEquals("mystery", all.get(all.size() - 1).name());
        ConfigEntry threads = all.stream().filter(e -> e.name().equals("log.cleaner.threads")).findFirst().orElseThrow();
        assertEquals("3", threads.value());

        List<ConfigEntry> cluster = config.describeAll(false);
        assertEquals(1, cluster.size());
        assertEquals("2", cluster.get(0).value());
        assertEquals(DYNAMIC_DEFAULT_BROKER_CONFIG, cluster.get(0).source());
        assertEquals(List.of(new ConfigEntry.Synonym("log.cleaner.threads", "2", DYNAMIC_DEFAULT_BROKER_CONFIG)),
                cluster.get(0).synonyms());
    }

    @Test
    void everyDefaultPassesItsOwnValidatorAndPrintsBackToItself() {
        for (ConfigKey key : BrokerConfigKeys.all().values()) {
            String printed = key.type().format(key.defaultValue());
            assertEquals(key.defaultValue(), key.parse(printed), key.name());
        }
    }

    private static void assertInvalid(Map<String, String> props, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(props), props.toString());
        assertEquals(message, e.getMessage());
    }

    private static void assertDynamicRejected(BrokerConfig config, ConfigSource layer, Map<String, String> changes,
                                              String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> config.alterDynamic(layer, changes));
        assertEquals(message, e.getMessage());
    }
}
