package dev.runnel.server.net;

import dev.runnel.server.config.BrokerConfig;
import dev.runnel.server.config.BrokerConfigKeys;

/**
 * The limits the network layer applies to each listener and connection.
 *
 * @param maxRequestBytes     largest request frame ({@code socket.request.max.bytes})
 * @param maxInFlight         requests per connection dispatched and not yet answered before reading pauses
 * @param maxQueuedBytes      buffered response bytes per connection (waiting for order, or unsent) before reading
 *                            pauses; reading resumes below half of it
 * @param idleTimeoutMs       a connection with no traffic and no request in flight for this long is closed
 *                            ({@code connections.max.idle.ms}); 0 or less disables it
 * @param sendBufferBytes     SO_SNDBUF, or -1 for the OS default ({@code socket.send.buffer.bytes})
 * @param receiveBufferBytes  SO_RCVBUF, or -1 for the OS default ({@code socket.receive.buffer.bytes})
 * @param listenBacklog       pending connections per listener ({@code socket.listen.backlog.size})
 * @param ioThreads           event loops doing socket I/O ({@code num.network.threads})
 * @param connectionQuotas    {@code max.connections}, {@code max.connections.per.ip} and its overrides as configured
 *                            at start ({@link ConnectionLimit}; {@link BrokerServer#updateConnectionQuotas} changes them)
 * @param queuedMaxRequests   requests read and not yet answered, broker-wide, before reading pauses
 *                            ({@code queued.max.requests}, {@link RequestQueueLimit})
 */
public record NetworkSettings(int maxRequestBytes, int maxInFlight, int maxQueuedBytes, long idleTimeoutMs,
                              int sendBufferBytes, int receiveBufferBytes, int listenBacklog, int ioThreads,
                              ConnectionQuotaSettings connectionQuotas, int queuedMaxRequests) {
    /**
     * Kafka has no per-connection limit (it reads one request at a time per connection); 64 pipelined requests
     * is far above what clients send (producers default to 5) and bounds memory per connection.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;
    /** Response bytes held per connection; file regions (fetched records) do not count, they hold no memory. */
    public static final int DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

    public NetworkSettings {
        if (maxInFlight < 1 || maxQueuedBytes < 2 || maxRequestBytes < 0 || ioThreads < 1 || queuedMaxRequests < 1) {
            throw new IllegalArgumentException("Invalid network settings: " + maxInFlight + " in flight, "
                    + maxQueuedBytes + " queued bytes, " + maxRequestBytes + " request bytes, " + ioThreads + " threads, "
                    + queuedMaxRequests + " queued requests");
        }
        java.util.Objects.requireNonNull(connectionQuotas, "connectionQuotas");
    }

    /** Without connection or request-queue limits. */
    public NetworkSettings(int maxRequestBytes, int maxInFlight, int maxQueuedBytes, long idleTimeoutMs,
                           int sendBufferBytes, int receiveBufferBytes, int listenBacklog, int ioThreads) {
        this(maxRequestBytes, maxInFlight, maxQueuedBytes, idleTimeoutMs, sendBufferBytes, receiveBufferBytes,
                listenBacklog, ioThreads, ConnectionQuotaSettings.UNLIMITED, Integer.MAX_VALUE);
    }

    public static NetworkSettings from(BrokerConfig config) {
        return new NetworkSettings(
                config.getInt(BrokerConfigKeys.SOCKET_REQUEST_MAX_BYTES),
                DEFAULT_MAX_IN_FLIGHT,
                DEFAULT_MAX_QUEUED_BYTES,
                config.getLong(BrokerConfigKeys.CONNECTIONS_MAX_IDLE_MS),
                config.getInt(BrokerConfigKeys.SOCKET_SEND_BUFFER_BYTES),
                config.getInt(BrokerConfigKeys.SOCKET_RECEIVE_BUFFER_BYTES),
                config.getInt(BrokerConfigKeys.SOCKET_LISTEN_BACKLOG_SIZE),
                config.getInt(BrokerConfigKeys.NUM_NETWORK_THREADS),
                ConnectionQuotaSettings.from(config),
                config.getInt(BrokerConfigKeys.QUEUED_MAX_REQUESTS));
    }

    public NetworkSettings withMaxInFlight(int newMaxInFlight) {
        return new NetworkSettings(maxRequestBytes, newMaxInFlight, maxQueuedBytes, idleTimeoutMs, sendBufferBytes,
                receiveBufferBytes, listenBacklog, ioThreads, connectionQuotas, queuedMaxRequests);
    }

    public NetworkSettings withMaxQueuedBytes(int newMaxQueuedBytes) {
        return new NetworkSettings(maxRequestBytes, maxInFlight, newMaxQueuedBytes, idleTimeoutMs, sendBufferBytes,
                receiveBufferBytes, listenBacklog, ioThreads, connectionQuotas, queuedMaxRequests);
    }

    /** {@code max.connections} as configured at start. */
    public int maxConnections() {
        return connectionQuotas.maxConnections();
    }

    public NetworkSettings withMaxConnections(int newMaxConnections) {
        return withConnectionQuotas(connectionQuotas.withMaxConnections(newMaxConnections));
    }

    public NetworkSettings withConnectionQuotas(ConnectionQuotaSettings newConnectionQuotas) {
        return new NetworkSettings(maxRequestBytes, maxInFlight, maxQueuedBytes, idleTimeoutMs, sendBufferBytes,
                receiveBufferBytes, listenBacklog, ioThreads, newConnectionQuotas, queuedMaxRequests);
    }

    public NetworkSettings withQueuedMaxRequests(int newQueuedMaxRequests) {
        return new NetworkSettings(maxRequestBytes, maxInFlight, maxQueuedBytes, idleTimeoutMs, sendBufferBytes,
                receiveBufferBytes, listenBacklog, ioThreads, connectionQuotas, newQueuedMaxRequests);
    }

    public NetworkSettings withIdleTimeoutMs(long newIdleTimeoutMs) {
        return new NetworkSettings(maxRequestBytes, maxInFlight, maxQueuedBytes, newIdleTimeoutMs, sendBufferBytes,
                receiveBufferBytes, listenBacklog, ioThreads, connectionQuotas, queuedMaxRequests);
    }
}
