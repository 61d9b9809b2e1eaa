package dev.runnel.server.config;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Checks a parsed, non-null configuration value. Factories mirror the validators Kafka attaches to its broker
 * keys, with Kafka's wording in the messages.
 */
@FunctionalInterface
public interface ConfigValidator {
    /** @throws ConfigException naming {@code key} and {@code value} when the value is not acceptable */
    void ensureValid(String key, Object value);

    static ConfigValidator atLeast(long min) {
        return (key, value) -> {
            if (((Number) value).doubleValue() < min) {
                throw new ConfigException(key, value, "Value must be at least " + min);
            }
        };
    }

    static ConfigValidator between(double min, double max) {
        return (key, value) -> {
            double number = ((Number) value).doubleValue();
            if (number < min) {
                throw new ConfigException(key, value, "Value must be no less than " + min);
            }
            if (number > max) {
                throw new ConfigException(key, value, "Value must be no more than " + max);
            }
        };
    }

    /** The value must be one of {@code allowed}, compared exactly as Kafka's {@code ValidString} does. */
    static ConfigValidator oneOf(String... allowed) {
        List<String> choices = List.of(allowed);
        return (key, value) -> {
            if (!choices.contains((String) value)) {
                throw new ConfigException(key, value, "String must be one of: " + String.join(", ", choices));
            }
        };
    }

    /** Every element of a list value must be one of {@code allowed}. */
    static ConfigValidator eachOneOf(String... allowed) {
        Set<String> choices = Set.of(allowed);
        return (key, value) -> {
            for (Object element : (Collection<?>) value) {
                if (!choices.contains(element)) {
                    throw new ConfigException(key, value, "String must be one of: " + String.join(", ", allowed));
                }
            }
        };
    }

    static ConfigValidator nonEmptyList() {
        return (key, value) -> {
            if (((Collection<?>) value).isEmpty()) {
                throw new ConfigException(key, value, "Empty list is not allowed");
            }
        };
    }

    static ConfigValidator nonEmptyString() {
        return (key, value) -> {
            if (((String) value).isEmpty()) {
                throw new ConfigException(key, value, "String must be non-empty");
            }
        };
    }

    /** Kafka's listener lists must parse as {@code NAME://host:port} entries; see {@link Endpoint#parseList}. */
    static ConfigValidator endpoints() {
        return (key, value) -> {
            @SuppressWarnings("unchecked")
            List<String> entries = (List<String>) value;
            Endpoint.parseList(key, entries);
        };
    }
}
