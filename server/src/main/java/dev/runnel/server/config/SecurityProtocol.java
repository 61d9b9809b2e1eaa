package dev.runnel.server.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Kafka's listener security protocols, and the {@code listener.security.protocol.map} syntax. */
public enum SecurityProtocol {
    PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL;

    /**
     * Parses {@code NAME:PROTOCOL[,NAME:PROTOCOL...]} into a map from upper-case listener name to protocol.
     *
     * @throws ConfigException naming {@code key} for bad syntax, an unknown protocol or a repeated name
     */
    public static Map<String, SecurityProtocol> parseMap(String key, String text) {
        Map<String, SecurityProtocol> map = new LinkedHashMap<>();
        if (text.isBlank()) {
            return map;
        }
        for (String pair : text.split("\\s*,\\s*")) {
            String[] parts = pair.trim().split("\\s*:\\s*");
            if (parts.length != 2 || parts[0].isEmpty()) {
                throw new ConfigException(key, text, "Each entry must be of the form NAME:PROTOCOL");
            }
            SecurityProtocol protocol;
            try {
                protocol = valueOf(parts[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, text, "Unknown security protocol " + parts[1]);
            }
            if (map.put(parts[0].toUpperCase(Locale.ROOT), protocol) != null) {
                throw new ConfigException(key, text, "Listener name " + parts[0] + " appears twice");
            }
        }
        return map;
    }
}
