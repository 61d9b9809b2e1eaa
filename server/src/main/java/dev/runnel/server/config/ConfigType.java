package dev.runnel.server.config;

import java.util.Arrays;
import java.util.List;

/**
 * The type of a configuration value: how its text is parsed and printed back, following Kafka's
 * {@code ConfigDef.Type} rules (text is trimmed; booleans are {@code true}/{@code false} in any case; lists
 * are comma-separated with blanks around commas ignored, and an empty text is an empty list).
 *
 * <p>{@link #id()} is the {@code ConfigType} code DescribeConfigs reports (KIP-336).
 */
public enum ConfigType {
    BOOLEAN(1), STRING(2), INT(3), SHORT(4), LONG(5), DOUBLE(6), LIST(7), CLASS(8), PASSWORD(9),
    /** A key the broker does not define; only ever seen when describing unknown keys from server.properties. */
    UNKNOWN(0);

    private final byte id;

    ConfigType(int id) {
        this.id = (byte) id;
    }

    /** The DescribeConfigs {@code ConfigType} code. */
    public byte id() {
        return id;
    }

    /** Kafka reports passwords, and keys it cannot type, as sensitive: their values are never shown. */
    public boolean sensitive() {
        return this == PASSWORD || this == UNKNOWN;
    }

    /**
     * Parses {@code value} (a String, or already an object of this type as in the key table) into the Java
     * representation of this type: Boolean, String, Integer, Short, Long, Double or {@code List<String>}.
     *
     * @throws ConfigException naming {@code key} when the value is not of this type
     */
    public Object parse(String key, Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            return fromObject(key, value);
        }
        String trimmed = text.trim();
        try {
            return switch (this) {
                case BOOLEAN -> parseBoolean(key, trimmed);
                case STRING, CLASS, PASSWORD, UNKNOWN -> trimmed;
                case INT -> Integer.parseInt(trimmed);
                case SHORT -> Short.parseShort(trimmed);
                case LONG -> Long.parseLong(trimmed);
                case DOUBLE -> Double.parseDouble(trimmed);
                case LIST -> trimmed.isEmpty() ? List.of() : List.copyOf(Arrays.asList(trimmed.split("\\s*,\\s*", -1)));
            };
        } catch (NumberFormatException e) {
            throw new ConfigException(key, text, "Not a number of type " + name());
        }
    }

    /** Prints a parsed value the way Kafka's {@code ConfigDef.convertToString} does; null stays null. */
    public String format(Object value) {
        if (value == null) {
            return null;
        }
        if (this == LIST && value instanceof List<?> list) {
            return String.join(",", list.stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }

    private static Boolean parseBoolean(String key, String text) {
        if (text.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (text.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new ConfigException(key, text, "Expected value to be either true or false");
    }

    // Defaults in the key table are written as Java values; accept the obvious widenings and nothing else.
    private Object fromObject(String key, Object value) {
        Object parsed = switch (this) {
            case BOOLEAN -> value instanceof Boolean ? value : null;
            case STRING, CLASS, PASSWORD -> null;
            case INT -> value instanceof Integer ? value : null;
            case SHORT -> value instanceof Short ? value
                    : value instanceof Integer i && i == i.shortValue() ? Short.valueOf(i.shortValue()) : null;
            case LONG -> value instanceof Long || value instanceof Integer ? ((Number) value).longValue() : null;
            case DOUBLE -> value instanceof Number n ? n.doubleValue() : null;
            case LIST -> value instanceof List<?> list ? List.copyOf(list.stream().map(String::valueOf).toList()) : null;
            case UNKNOWN -> value;
        };
        if (parsed == null) {
            throw new ConfigException(key, value, "Expected a value of type " + name());
        }
        return parsed;
    }
}
