package dev.runnel.server.config;

/**
 * A configuration value that cannot be used. The message names the key and the value, worded as Kafka words
 * it ({@code Invalid value X for configuration Y: reason}), so an operator's search for the message finds
 * Kafka's documentation too. Thrown at start-up (which then stops) and by dynamic updates (which then change
 * nothing).
 */
public final class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, Object value, String reason) {
        super("Invalid value " + value + " for configuration " + key + (reason == null ? "" : ": " + reason));
        this.key = key;
    }

    /** A problem that is not about one value, such as two keys that contradict each other. */
    public ConfigException(String message) {
        super(message);
        this.key = null;
    }

    /** The key whose value was rejected, or null when the problem is not about one key. */
    public String key() {
        return key;
    }
}
