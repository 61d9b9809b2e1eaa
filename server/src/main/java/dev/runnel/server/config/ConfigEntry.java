package dev.runnel.server.config;

import java.util.List;

/**
 * What DescribeConfigs reports for one broker key: the effective value (null for sensitive keys and for keys
 * with neither a value nor a default), where it came from, and Kafka's flags. {@link #synonyms()} lists every
 * layer that sets this key or a synonym of it, highest precedence first, as Kafka reports them.
 */
public record ConfigEntry(String name, String value, ConfigSource source, boolean readOnly, boolean sensitive,
                          ConfigType type, String documentation, List<Synonym> synonyms) {

    /** One layer's value of a key or of one of its synonyms. */
    public record Synonym(String name, String value, ConfigSource source) {
    }

    public ConfigEntry {
        synonyms = List.copyOf(synonyms);
    }

    /** The DescribeConfigs v0 {@code is_default} flag. */
    public boolean isDefault() {
        return source == ConfigSource.DEFAULT_CONFIG;
    }
}
