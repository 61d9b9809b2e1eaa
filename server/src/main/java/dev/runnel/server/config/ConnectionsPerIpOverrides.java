package dev.runnel.server.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;

import static dev.runnel.server.config.BrokerConfigKeys.MAX_CONNECTIONS_PER_IP;
import static dev.runnel.server.config.BrokerConfigKeys.MAX_CONNECTIONS_PER_IP_OVERRIDES;

/**
 * Kafka's rules for {@code max.connections.per.ip.overrides}: comma-separated {@code host:count} entries, split at
 * the last ':' so that an IPv6 address keeps its own colons; the host is an IP address or a host name, resolved by
 * the network layer, not here. Stateless.
 */
public final class ConnectionsPerIpOverrides {
    /** Kafka's {@code Utils.validHostPattern}: the characters a host name or an IPv4/IPv6 literal may contain. */
    private static final Pattern VALID_HOST = Pattern.compile("[0-9a-zA-Z\\-%._:]*");
    private static final Pattern ENTRY_SEPARATOR = Pattern.compile("\\s*,\\s*");

    private ConnectionsPerIpOverrides() {
    }

    /**
     * Parses the text as Kafka does: an empty text is no override, a later entry for the same host wins, and every
     * count is a plain int (Kafka does not bound it; a negative count refuses every connection, like 0).
     *
     * @return host → count, in the order written
     * @throws ConfigException naming the key for an entry without ':', a count that is not an int, or a host with
     *                         characters no address has
     */
    public static Map<String, Integer> parse(String text) {
        Map<String, Integer> overrides = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return overrides;
        }
        StringJoiner invalidHosts = new StringJoiner(",");
        for (String entry : ENTRY_SEPARATOR.split(text)) {
            int colon = entry.lastIndexOf(':');
            if (colon < 0) {
                throw new ConfigException(MAX_CONNECTIONS_PER_IP_OVERRIDES, text,
                        "Error parsing configuration property '" + MAX_CONNECTIONS_PER_IP_OVERRIDES
                                + "': entry '" + entry + "' is not host:count");
            }
            String host = entry.substring(0, colon).trim();
            String count = entry.substring(colon + 1).trim();
            try {
                overrides.put(host, Integer.parseInt(count));
            } catch (NumberFormatException e) {
                throw new ConfigException(MAX_CONNECTIONS_PER_IP_OVERRIDES, text,
                        "For input string: \"" + count + "\"");
            }
            if (!VALID_HOST.matcher(host).matches()) {
                invalidHosts.add(host);
            }
        }
        if (invalidHosts.length() > 0) {
            throw new ConfigException(MAX_CONNECTIONS_PER_IP_OVERRIDES + " contains invalid addresses : " + invalidHosts);
        }
        return overrides;
    }

    /** Kafka's {@code validateValues} rule: refusing every address by default needs overrides to let some in. */
    static void checkZeroNeedsOverrides(int maxConnectionsPerIp, String overridesText) {
        if (maxConnectionsPerIp == 0 && parse(overridesText).isEmpty()) {
            throw new ConfigException(MAX_CONNECTIONS_PER_IP + " can be set to zero only if "
                    + MAX_CONNECTIONS_PER_IP_OVERRIDES + " property is set.");
        }
    }
}
