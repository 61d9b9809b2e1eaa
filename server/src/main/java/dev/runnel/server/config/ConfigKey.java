package dev.runnel.server.config;

import java.util.List;

/**
 * The definition of one broker configuration key: Kafka's name, type, default, validator, documentation, and
 * whether it can be changed at runtime.
 *
 * @param name         the key exactly as Kafka spells it
 * @param type         how the text is parsed and printed
 * @param defaultValue the parsed default, or null when the key has none (Kafka then reports the value as null)
 * @param validator    checks non-null values, or null when any value of the type is accepted
 * @param update       whether and where AlterConfigs may change it (Kafka's "Update Mode" column)
 * @param synonyms     other keys consulted, in order, when this one is not set (for example
 *                     {@code log.retention.minutes} then {@code log.retention.hours} for {@code log.retention.ms});
 *                     reported as DescribeConfigs synonyms
 * @param doc          one line for DescribeConfigs documentation
 */
public record ConfigKey(String name, ConfigType type, Object defaultValue, ConfigValidator validator, Update update,
                        List<String> synonyms, String doc) {

    /** Kafka's update modes for broker keys. */
    public enum Update {
        /** Only from server.properties; DescribeConfigs reports it read-only. */
        READ_ONLY,
        /** Dynamic, but only for one broker at a time (listeners, keystores). */
        PER_BROKER,
        /** Dynamic for one broker or as a cluster-wide default. */
        CLUSTER_WIDE
    }

    public ConfigKey {
        synonyms = List.copyOf(synonyms);
        defaultValue = type.parse(name, defaultValue);
        if (defaultValue != null) {
            validate(defaultValue);
        }
    }

    /** Parses and validates {@code text}; a null text means "unset" and yields null. */
    public Object parse(String text) {
        Object value = type.parse(name, text);
        if (value != null) {
            validate(value);
        }
        return value;
    }

    public boolean readOnly() {
        return update == Update.READ_ONLY;
    }

    private void validate(Object value) {
        if (validator != null) {
            validator.ensureValid(name, value);
        }
    }
}
