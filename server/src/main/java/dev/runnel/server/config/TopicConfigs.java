package dev.runnel.server.config;

import dev.runnel.log.LogConfig;
import dev.runnel.server.metadata.TopicMetadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static dev.runnel.server.config.TopicConfigKeys.CLEANUP_POLICY;
import static dev.runnel.server.config.TopicConfigKeys.FLUSH_MS;
import static dev.runnel.server.config.TopicConfigKeys.MAX_COMPACTION_LAG_MS;
import static dev.runnel.server.config.TopicConfigKeys.MIN_COMPACTION_LAG_MS;
import static dev.runnel.server.config.TopicConfigKeys.REMOTE_STORAGE_ENABLE;
import static dev.runnel.server.config.TopicConfigKeys.RETENTION_BYTES;
import static dev.runnel.server.config.TopicConfigKeys.RETENTION_MS;
import static dev.runnel.server.config.TopicConfigKeys.SEGMENT_INDEX_BYTES;
import static dev.runnel.server.config.TopicConfigKeys.SEGMENT_JITTER_MS;
import static dev.runnel.server.config.TopicConfigKeys.SEGMENT_MS;

/**
 * A topic's configuration as Kafka computes it: each key's value is the topic's override, else the broker's value
 * of the synonym key ({@code retention.ms} ← {@code log.retention.ms}, minutes, hours), else Kafka's default.
 * Validates overrides with Kafka's rules and messages, builds the {@link LogConfig} a partition log runs with, and
 * describes every key with its source and synonyms as DescribeConfigs reports them.
 *
 * <p>Stateless and thread-safe; the broker configuration is read through its published snapshot.
 */
public final class TopicConfigs {
    /** Kafka's answer to {@code remote.storage.enable=true} on a broker without tiered storage. */
    static final String TIERED_STORAGE_DISABLED =
            "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.";
    /** The smallest index our log can use: one time index entry (Kafka accepts from 4 bytes). */
    private static final int MIN_USABLE_INDEX_BYTES = 12;

    private TopicConfigs() {
    }

    /** {@link #validate(Map, BrokerConfig)} against Kafka's defaults instead of a broker's values. */
    public static String validate(Map<String, String> overrides) {
        return validate(overrides, null);
    }

    /**
     * Why {@code overrides} cannot be a topic's configuration, worded as Kafka's INVALID_CONFIG messages, or null
     * when they can. Checks as Kafka's {@code LogConfig.validate} does on a broker: names, then values in definition
     * order, then the rules spanning keys, evaluated with the broker's values for keys not overridden.
     * Null values are treated as absent.
     */
    public static String validate(Map<String, String> overrides, BrokerConfig broker) {
        for (String name : new TreeSet<>(overrides.keySet())) {
            if (TopicConfigKeys.get(name) == null) {
                return "Unknown topic config name: " + name;
            }
        }
        Map<String, Object> values;
        try {
            values = values(overrides, broker);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        long minLag = (Long) values.get(MIN_COMPACTION_LAG_MS);
        long maxLag = (Long) values.get(MAX_COMPACTION_LAG_MS);
        if (minLag > maxLag) {
            return "conflict topic config setting " + MIN_COMPACTION_LAG_MS + " (" + minLag + ") > "
                    + MAX_COMPACTION_LAG_MS + " (" + maxLag + ")";
        }
        if ((Boolean) values.get(REMOTE_STORAGE_ENABLE)) {
            return TIERED_STORAGE_DISABLED;
        }
        return null;
    }

    /** The storage configuration of {@code topic}'s logs; see {@link #effective(Map, BrokerConfig)}. */
    public static LogConfig effective(TopicMetadata topic, BrokerConfig broker) {
        return effective(topic.configs(), broker);
    }

    /**
     * The storage configuration a log runs with: topic override, else broker value, else Kafka default.
     * An empty {@code cleanup.policy} (Kafka 4.x: keep everything) becomes delete with no time or size limit.
     *
     * @throws ConfigException when an override is invalid (overrides are validated before they are stored)
     */
    public static LogConfig effective(Map<String, String> overrides, BrokerConfig broker) {
        Map<String, Object> values = values(overrides, broker);
        Map<String, String> text = new HashMap<>();
        for (String name : LogConfig.NAMES) {
            text.put(name, TopicConfigKeys.get(name).format(values.get(name)));
        }
        if (((List<?>) values.get(CLEANUP_POLICY)).isEmpty()) {
            text.put(CLEANUP_POLICY, "delete");
            text.put(RETENTION_MS, "-1");
            text.put(RETENTION_BYTES, "-1");
        }
        int indexBytes = Math.max(MIN_USABLE_INDEX_BYTES, (Integer) values.get(SEGMENT_INDEX_BYTES));
        text.put(SEGMENT_INDEX_BYTES, Integer.toString(indexBytes));
        return LogConfig.of(text);
    }

    /** Every key of {@code topic} with synonyms and documentation, as CreateTopics and DescribeConfigs report them. */
    public static List<ConfigEntry> describe(TopicMetadata topic, BrokerConfig broker) {
        return describe(topic, broker, true, true);
    }

    /**
     * Every topic key of {@code topic}, ordered by name. The source is {@code TOPIC_CONFIG} for an override, else
     * the source of the broker synonym that supplies the value (Kafka drops broker layers that only set a
     * lower-precedence synonym, so a broker that only sets {@code log.retention.hours} reports DEFAULT_CONFIG for
     * {@code retention.ms}), else {@code DEFAULT_CONFIG}. Synonyms are listed highest precedence first.
     */
    public static List<ConfigEntry> describe(TopicMetadata topic, BrokerConfig broker, boolean includeSynonyms,
                                             boolean includeDocumentation) {
        Map<String, String> overrides = topic.configs();
        List<ConfigEntry> entries = new ArrayList<>();
        for (TopicConfigKey key : new TreeMap<>(TopicConfigKeys.all()).values()) {
            String override = overrides.get(key.name());
            String value = override != null ? formatOverride(key, override) : key.format(brokerValue(key, broker));
            List<ConfigEntry.Synonym> synonyms = new ArrayList<>();
            if (override != null) {
                synonyms.add(new ConfigEntry.Synonym(key.name(), value, ConfigSource.TOPIC_CONFIG));
            }
            synonyms.addAll(brokerSynonyms(key, broker));
            ConfigSource source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : synonyms.get(0).source();
            entries.add(new ConfigEntry(key.name(), value, source, false, false, key.type(),
                    includeDocumentation ? key.doc() : null, includeSynonyms ? synonyms : List.of()));
        }
        return entries;
    }

    /** The value the broker supplies for a key the topic does not override (Kafka's {@code extractLogConfigMap}). */
    static Object brokerValue(TopicConfigKey key, BrokerConfig broker) {
        if (broker == null || key.brokerKey() == null) {
            return key.defaultValue();
        }
        Object value = switch (key.name()) {
            case RETENTION_MS -> broker.logRetentionMs();
            case SEGMENT_MS -> broker.logRollMs();
            case SEGMENT_JITTER_MS -> broker.logRollJitterMs();
            case FLUSH_MS -> broker.logFlushIntervalMs();
            default -> BrokerConfigKeys.get(key.brokerKey()) == null ? null : broker.get(key.brokerKey());
        };
        return value == null ? key.defaultValue() : key.type().parse(key.name(), value);
    }

    private static List<ConfigEntry.Synonym> brokerSynonyms(TopicConfigKey key, BrokerConfig broker) {
        if (key.brokerKey() == null) {
            return List.of();
        }
        if (BrokerConfigKeys.get(key.brokerKey()) == null) {
            // A broker key Runnel does not define yet: Kafka would report its built-in default.
            return List.of(new ConfigEntry.Synonym(key.brokerKey(), key.format(key.defaultValue()),
                    ConfigSource.DEFAULT_CONFIG));
        }
        return broker.describe(key.brokerKey()).synonyms();
    }

    /** Kafka prints an override parsed and formatted ({@code "compact, delete"} becomes {@code "compact,delete"}). */
    private static String formatOverride(TopicConfigKey key, String text) {
        try {
            return key.format(key.parse(text));
        } catch (ConfigException e) {
            return text;
        }
    }

    private static Map<String, Object> values(Map<String, String> overrides, BrokerConfig broker) {
        Map<String, Object> values = new HashMap<>();
        for (TopicConfigKey key : TopicConfigKeys.all().values()) {
            String text = overrides.get(key.name());
            values.put(key.name(), text != null ? key.parse(text) : brokerValue(key, broker));
        }
        return values;
    }
}
