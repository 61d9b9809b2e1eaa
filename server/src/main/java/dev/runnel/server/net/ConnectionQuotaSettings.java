package dev.runnel.server.net;

import dev.runnel.server.config.BrokerConfig;
import dev.runnel.server.config.BrokerConfigKeys;
import dev.runnel.server.config.ConnectionsPerIpOverrides;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Kafka's connection-count quotas as configured, all three dynamic (KIP-226): {@code max.connections},
 * {@code max.connections.per.ip} and {@code max.connections.per.ip.overrides}, with override hosts still as written.
 * {@link #resolve} turns them into the {@link ConnectionQuotas.Limits} the acceptor applies.
 *
 * @param maxConnections      open connections across all listeners before accepting pauses
 * @param maxConnectionsPerIp open connections from one address; a connection past it is closed at once
 * @param perIpOverrides      host (name or IP literal) → its own limit in place of {@code maxConnectionsPerIp}
 */
public record ConnectionQuotaSettings(int maxConnections, int maxConnectionsPerIp, Map<String, Integer> perIpOverrides) {
    /** The keys whose change {@link BrokerServer} applies at runtime. */
    public static final Set<String> KEYS = Set.of(BrokerConfigKeys.MAX_CONNECTIONS,
            BrokerConfigKeys.MAX_CONNECTIONS_PER_IP, BrokerConfigKeys.MAX_CONNECTIONS_PER_IP_OVERRIDES);

    public static final ConnectionQuotaSettings UNLIMITED =
            new ConnectionQuotaSettings(Integer.MAX_VALUE, Integer.MAX_VALUE, Map.of());

    /** How override hosts become addresses; {@link #SYSTEM} is what Kafka uses, {@code InetAddress.getByName}. */
    @FunctionalInterface
    public interface HostResolver {
        HostResolver SYSTEM = InetAddress::getByName;

        InetAddress resolve(String host) throws UnknownHostException;
    }

    public ConnectionQuotaSettings {
        if (maxConnections < 0 || maxConnectionsPerIp < 0) {
            throw new IllegalArgumentException("Invalid connection quotas: max.connections " + maxConnections
                    + ", max.connections.per.ip " + maxConnectionsPerIp);
        }
        perIpOverrides = Map.copyOf(perIpOverrides);
    }

    /** The effective values of the three keys (already validated by the config). */
    public static ConnectionQuotaSettings from(BrokerConfig config) {
        return new ConnectionQuotaSettings(config.getInt(BrokerConfigKeys.MAX_CONNECTIONS),
                config.getInt(BrokerConfigKeys.MAX_CONNECTIONS_PER_IP),
                ConnectionsPerIpOverrides.parse(config.getString(BrokerConfigKeys.MAX_CONNECTIONS_PER_IP_OVERRIDES)));
    }

    /** The overrides written back as Kafka's {@code host:count} list. */
    public String overridesText() {
        StringJoiner text = new StringJoiner(",");
        perIpOverrides.forEach((host, count) -> text.add(host + ":" + count));
        return text.toString();
    }

    public ConnectionQuotaSettings withMaxConnections(int newMaxConnections) {
        return new ConnectionQuotaSettings(newMaxConnections, maxConnectionsPerIp, perIpOverrides);
    }

    /**
     * Resolves every override host once, as Kafka does when the value is set (a host name is not looked up again
     * per connection; the first address it resolves to gets the limit). Blocks on DNS for host names: call it off
     * the event loops.
     *
     * @throws UnknownHostException for the first host that does not resolve
     */
    public ConnectionQuotas.Limits resolve(HostResolver resolver) throws UnknownHostException {
        Map<InetAddress, Integer> byAddress = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> override : perIpOverrides.entrySet()) {
            byAddress.put(resolver.resolve(override.getKey()), override.getValue());
        }
        return new ConnectionQuotas.Limits(maxConnections, maxConnectionsPerIp, byAddress);
    }
}
