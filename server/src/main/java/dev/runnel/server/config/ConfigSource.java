package dev.runnel.server.config;

/**
 * Where an effective configuration value came from, with the {@code ConfigSource} codes DescribeConfigs
 * reports. Broker keys use {@link #DYNAMIC_BROKER_CONFIG}, {@link #DYNAMIC_DEFAULT_BROKER_CONFIG},
 * {@link #STATIC_BROKER_CONFIG} and {@link #DEFAULT_CONFIG}, in that order of precedence.
 */
public enum ConfigSource {
    UNKNOWN(0),
    TOPIC_CONFIG(1),
    /** Set at runtime for this broker only (AlterConfigs on resource name = this node id). */
    DYNAMIC_BROKER_CONFIG(2),
    /** Set at runtime for all brokers (AlterConfigs on the empty broker resource name). */
    DYNAMIC_DEFAULT_BROKER_CONFIG(3),
    /** From server.properties or a {@code --override}. */
    STATIC_BROKER_CONFIG(4),
    DEFAULT_CONFIG(5),
    DYNAMIC_BROKER_LOGGER_CONFIG(6),
    CLIENT_METRICS_CONFIG(7),
    GROUP_CONFIG(8);

    private final byte id;

    ConfigSource(int id) {
        this.id = (byte) id;
    }

    /** The DescribeConfigs {@code ConfigSource} code. */
    public byte id() {
        return id;
    }
}
