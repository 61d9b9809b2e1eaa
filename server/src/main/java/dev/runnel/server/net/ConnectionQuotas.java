package dev.runnel.server.net;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The counts behind Kafka's connection quotas: open connections broker-wide ({@code max.connections}) and per
 * client address ({@code max.connections.per.ip}, {@code max.connections.per.ip.overrides}). As in Kafka's
 * {@code ConnectionQuotas}, the broker-wide limit is checked first (a connection waits for a slot), then the
 * address's limit (a connection past it is refused). Limits changed at runtime apply from the next decision; a
 * lowered {@code max.connections} leaves {@link #excess()} connections for the caller to close, as Kafka does.
 *
 * <p>Pure accounting, no I/O. Not thread-safe: owned by the acceptor event loop ({@link ConnectionLimit}).
 */
final class ConnectionQuotas {

    /**
     * Limits with override hosts resolved to addresses.
     *
     * @param perIpOverrides address → its own limit in place of {@code maxConnectionsPerIp}
     */
    record Limits(int maxConnections, int maxConnectionsPerIp, Map<InetAddress, Integer> perIpOverrides) {
        static final Limits UNLIMITED = new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE, Map.of());

        Limits {
            if (maxConnections < 0 || maxConnectionsPerIp < 0) {
                throw new IllegalArgumentException("max.connections " + maxConnections + ", max.connections.per.ip "
                        + maxConnectionsPerIp);
            }
            perIpOverrides = Map.copyOf(perIpOverrides);
        }

        /** The limit of one address: its override, or the default per-address limit. */
        int limitFor(InetAddress address) {
            return perIpOverrides.getOrDefault(address, maxConnectionsPerIp);
        }

        Limits withPerIpOverrides(Map<InetAddress, Integer> newOverrides) {
            return new Limits(maxConnections, maxConnectionsPerIp, newOverrides);
        }
    }

    /** What to do with a newly accepted connection. */
    enum Verdict {
        /** Counted: serve it. */
        ADMIT,
        /** The broker is at {@code max.connections}: hold it, counted nowhere, until a slot frees. */
        WAIT,
        /** Its address is at its own limit: close it; counted nowhere. */
        REFUSE
    }

    private final Map<InetAddress, Integer> openByAddress = new HashMap<>();
    private Limits limits;
    private int open;

    ConnectionQuotas(Limits limits) {
        this.limits = limits;
    }

    Limits limits() {
        return limits;
    }

    /** Takes effect for the next {@link #admit}; what is open stays open (see {@link #excess()}). */
    void update(Limits newLimits) {
        this.limits = newLimits;
    }

    /**
     * Decides on a connection from {@code address} (null when the socket no longer knows its peer: only the
     * broker-wide limit applies) and counts it when admitted.
     */
    Verdict admit(InetAddress address) {
        if (open >= limits.maxConnections()) {
            return Verdict.WAIT;
        }
        if (address != null) {
            int fromAddress = openByAddress.getOrDefault(address, 0);
            if (fromAddress >= limits.limitFor(address)) {
                return Verdict.REFUSE;
            }
            openByAddress.put(address, fromAddress + 1);
        }
        open++;
        return Verdict.ADMIT;
    }

    /** Uncounts a closed connection that {@link #admit} admitted, with the same address. */
    void release(InetAddress address) {
        if (open <= 0) {
            throw new IllegalStateException("No open connection to release");
        }
        if (address != null) {
            Integer fromAddress = openByAddress.get(address);
            if (fromAddress == null) {
                throw new IllegalStateException("No open connection from " + address);
            }
            if (fromAddress == 1) {
                openByAddress.remove(address); // the map holds only addresses with open connections
            } else {
                openByAddress.put(address, fromAddress - 1);
            }
        }
        open--;
    }

    /** True when a connection could be admitted now as far as the broker-wide limit goes. */
    boolean slotAvailable() {
        return open < limits.maxConnections();
    }

    /** Connections open past {@code max.connections}, after it was lowered below the count at runtime. */
    int excess() {
        return Math.max(0, open - limits.maxConnections());
    }

    int open() {
        return open;
    }

    int open(InetAddress address) {
        return openByAddress.getOrDefault(address, 0);
    }

    /** Addresses with at least one open connection (the size of the per-address table). */
    int addresses() {
        return openByAddress.size();
    }
}
