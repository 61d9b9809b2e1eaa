package dev.runnel.server.config;

/**
 * The definition of one topic configuration key, as Kafka's {@code LogConfig} defines it.
 *
 * @param name         the key exactly as Kafka spells it ({@code retention.ms})
 * @param type         how the text is parsed and printed
 * @param defaultValue Kafka's default, parsed; used when neither the topic nor the broker sets a value
 * @param validator    checks parsed values with Kafka's wording, or null when any value of the type is valid
 * @param brokerKey    the broker key whose value is this key's default ({@code log.retention.ms}), as Kafka's
 *                     {@code ServerTopicConfigSynonyms} names it, or null when the broker has no such key
 * @param doc          one line for DescribeConfigs documentation
 */
public record TopicConfigKey(String name, ConfigType type, Object defaultValue, ConfigValidator validator,
                             String brokerKey, String doc) {

    public TopicConfigKey {
        defaultValue = type.parse(name, defaultValue);
        if (defaultValue != null && validator != null) {
            validator.ensureValid(name, defaultValue);
        }
    }

    /**
     * Parses and validates {@code text}.
     *
     * @throws ConfigException naming the key and the value, worded as Kafka words it
     */
    public Object parse(String text) {
        Object value;
        try {
            value = type.parse(name, text);
        } catch (ConfigException e) {
            if (type != ConfigType.BOOLEAN) {
                throw e;
            }
            // Kafka names the value as given, untrimmed; ConfigType names the trimmed text.
            throw new ConfigException(name, text, "Expected value to be either true or false");
        }
        if (value != null && validator != null) {
            validator.ensureValid(name, value);
        }
        return value;
    }

    /** The value printed as DescribeConfigs reports it. */
    public String format(Object value) {
        return type.format(value);
    }
}
