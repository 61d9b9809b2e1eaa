package dev.runnel.server.net;

import dev.runnel.server.config.BrokerConfig;
import dev.runnel.server.config.BrokerConfigKeys;
import dev.runnel.server.config.ConfigException;
import dev.runnel.server.config.Endpoint;
import dev.runnel.server.config.SecurityProtocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The broker's listeners: one server socket per configured endpoint, sharing one acceptor thread and
 * {@code num.network.threads} I/O event loops. Each accepted connection gets the pipeline
 * idle timer → {@link KafkaFrameDecoder} → {@link ConnectionHandler}, which feeds the {@link RequestDispatcher}.
 * Broker-wide limits: {@link ConnectionLimit} ({@code max.connections}, {@code max.connections.per.ip} and its
 * overrides, changeable at runtime) on the listeners, one {@link RequestQueueLimit} ({@code queued.max.requests})
 * shared by every connection.
 *
 * <p>Lifecycle: {@link #start()} binds every listener or, if one fails, releases what it bound and throws;
 * {@link #close()} stops accepting, closes every connection (dropping unsent responses, as Kafka does on
 * shutdown) and stops the event loops, each step bounded in time. Both are called from one control thread;
 * {@link #updateConnectionQuotas} from any thread (built from a {@link BrokerConfig}, the server calls it itself
 * when AlterConfigs changes one of {@link ConnectionQuotaSettings#KEYS}).
 */
public final class BrokerServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(BrokerServer.class);
    private static final long SHUTDOWN_TIMEOUT_MS = 5_000;

    private final List<Endpoint> endpoints;
    private final Map<String, SecurityProtocol> protocols;
    private final NetworkSettings settings;
    private final RequestDispatcher dispatcher;
    private final Transport transport;
    private final List<Channel> serverChannels = new ArrayList<>();
    private final List<Endpoint> bound = new ArrayList<>();
    private EventLoopGroup acceptor;
    private EventLoopGroup workers;
    private ChannelGroup connections;
    private ConnectionLimit connectionLimit;
    private RequestQueueLimit queueLimit;
    /** The quotas last asked for, their resolved form in force, and the override text it was resolved from. */
    private ConnectionQuotaSettings quotaSettings; // guarded by this, as are the two below
    private ConnectionQuotas.Limits quotaLimits;
    private Map<String, Integer> overridesInForce;

    /** Listeners as {@code config} says; its runtime changes to the connection quotas take effect here. */
    public BrokerServer(BrokerConfig config, RequestDispatcher dispatcher) {
        this(config.listeners(), protocolsOf(config), NetworkSettings.from(config), dispatcher);
        config.onChange(changed -> {
            if (!Collections.disjoint(changed, ConnectionQuotaSettings.KEYS)) {
                updateConnectionQuotas(ConnectionQuotaSettings.from(config));
            }
        });
    }

    /** @param protocols the security protocol of each listener name */
    public BrokerServer(List<Endpoint> endpoints, Map<String, SecurityProtocol> protocols, NetworkSettings settings,
                        RequestDispatcher dispatcher) {
        this(endpoints, protocols, settings, dispatcher, Transport.best());
    }

    BrokerServer(List<Endpoint> endpoints, Map<String, SecurityProtocol> protocols, NetworkSettings settings,
                 RequestDispatcher dispatcher, Transport transport) {
        this.transport = transport;
        this.endpoints = List.copyOf(endpoints);
        this.protocols = Map.copyOf(protocols);
        this.settings = settings;
        this.dispatcher = dispatcher;
        this.quotaSettings = settings.connectionQuotas();
    }

    /**
     * Binds every listener.
     *
     * @throws ConfigException for a listener whose security protocol is not supported yet, or a host in
     *                         {@code max.connections.per.ip.overrides} that does not resolve (Kafka fails too)
     * @throws InterruptedException when interrupted while binding; what was bound is released
     */
    public void start() throws InterruptedException {
        for (Endpoint endpoint : endpoints) {
            if (protocols.get(endpoint.listenerName()) != SecurityProtocol.PLAINTEXT) {
                throw new ConfigException("listeners", endpoint, "Security protocol "
                        + protocols.get(endpoint.listenerName()) + " is not supported yet; use PLAINTEXT");
            }
        }
        acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("runnel-acceptor"),
                transport.ioHandlerFactory());
        workers = new MultiThreadIoEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("runnel-network"),
                transport.ioHandlerFactory());
        connections = new DefaultChannelGroup("runnel-connections", GlobalEventExecutor.INSTANCE);
        queueLimit = settings.queuedMaxRequests() == Integer.MAX_VALUE ? RequestQueueLimit.UNLIMITED
                : new RequestQueueLimit(settings.queuedMaxRequests());
        boolean started = false;
        try {
            startConnectionLimit();
            for (Endpoint endpoint : endpoints) {
                bind(endpoint);
            }
            started = true;
        } finally {
            if (!started) {
                close();
            }
        }
    }

    private synchronized void startConnectionLimit() {
        try {
            quotaLimits = quotaSettings.resolve(ConnectionQuotaSettings.HostResolver.SYSTEM);
            overridesInForce = quotaSettings.perIpOverrides();
        } catch (UnknownHostException e) {
            throw new ConfigException(BrokerConfigKeys.MAX_CONNECTIONS_PER_IP_OVERRIDES,
                    quotaSettings.overridesText(), "Unknown host: " + e.getMessage());
        }
        connectionLimit = new ConnectionLimit(quotaLimits, acceptor.next(), System::nanoTime);
    }

    /** The endpoints as bound: same names and hosts, with the real port where port 0 was asked for. */
    public List<Endpoint> boundEndpoints() {
        return List.copyOf(bound);
    }

    /** The bound port of a listener. */
    public int port(String listenerName) {
        return bound.stream().filter(e -> e.listenerName().equals(listenerName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No listener " + listenerName)).port();
    }

    /** Open client connections, as {@code max.connections} counts them. */
    public int openConnections() {
        return acceptorCall(() -> connectionLimit.openConnections());
    }

    /** Open client connections from one address, as {@code max.connections.per.ip} counts them. */
    public int openConnections(InetAddress address) {
        return acceptorCall(() -> connectionLimit.openConnections(address));
    }

    /**
     * Applies new connection quotas to the connections accepted after it returns (and closes connections past a
     * lowered {@code max.connections}). Override hosts are resolved here, only when the overrides differ from those
     * in force; when one does not resolve, that is logged and the previous overrides stay in force, as in Kafka.
     * Blocks on DNS and for the acceptor to apply the change: call it off the event loops.
     */
    public synchronized void updateConnectionQuotas(ConnectionQuotaSettings quotas) {
        quotaSettings = quotas;
        if (quotaLimits == null) {
            return; // not started: start() resolves the latest settings
        }
        ConnectionQuotas.Limits next = new ConnectionQuotas.Limits(quotas.maxConnections(),
                quotas.maxConnectionsPerIp(), quotaLimits.perIpOverrides());
        if (!quotas.perIpOverrides().equals(overridesInForce)) {
            try {
                next = quotas.resolve(ConnectionQuotaSettings.HostResolver.SYSTEM);
                overridesInForce = quotas.perIpOverrides();
            } catch (UnknownHostException e) {
                LOG.error("Cannot apply {} {}: unknown host {}; the previous overrides stay in force",
                        BrokerConfigKeys.MAX_CONNECTIONS_PER_IP_OVERRIDES, quotas.perIpOverrides(), e.getMessage());
            }
        }
        if (!next.equals(quotaLimits)) {
            LOG.info("Updating connection quotas: max.connections {}, max.connections.per.ip {}, overrides {}",
                    next.maxConnections(), next.maxConnectionsPerIp(), next.perIpOverrides());
            quotaLimits = next;
            // Kafka applies them before answering AlterConfigs: a client may connect right after the response
            connectionLimit.update(next).awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
        }
    }

    /** Requests read and not yet answered, as {@code queued.max.requests} counts them. */
    public int queuedRequests() {
        return queueLimit.queued();
    }

    private int acceptorCall(java.util.concurrent.Callable<Integer> call) {
        try {
            return acceptor.next().submit(call).get(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("acceptor did not answer", e);
        }
    }

    /** {@code epoll} or {@code nio}. */
    public String transportName() {
        return transport.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Stops accepting, closes every connection and stops the event loops; waits at most a few seconds per step. */
    @Override
    public void close() {
        for (Channel channel : serverChannels) {
            channel.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
        }
        serverChannels.clear();
        if (connections != null) {
            connections.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
        }
        for (EventLoopGroup group : new EventLoopGroup[] {acceptor, workers}) {
            if (group != null) {
                group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                        .awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS * 2);
            }
        }
        acceptor = null;
        workers = null;
    }

    private void bind(Endpoint endpoint) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, settings.listenBacklog())
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(connectionLimit)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(settings.maxQueuedBytes() / 2, settings.maxQueuedBytes()))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        connections.add(channel);
                        if (settings.idleTimeoutMs() > 0) {
                            channel.pipeline().addLast("idle",
                                    new IdleStateHandler(0, 0, settings.idleTimeoutMs(), TimeUnit.MILLISECONDS));
                        }
                        channel.pipeline().addLast("frames", new KafkaFrameDecoder(settings.maxRequestBytes()));
                        channel.pipeline().addLast("requests",
                                new ConnectionHandler(dispatcher, settings, endpoint.listenerName(), queueLimit));
                    }
                });
        // Kafka: -1 leaves the OS default (and its auto-tuning) in place.
        if (settings.sendBufferBytes() > 0) {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, settings.sendBufferBytes());
        }
        if (settings.receiveBufferBytes() > 0) {
            bootstrap.option(ChannelOption.SO_RCVBUF, settings.receiveBufferBytes());
            bootstrap.childOption(ChannelOption.SO_RCVBUF, settings.receiveBufferBytes());
        }
        Channel channel;
        try {
            channel = bootstrap.bind(endpoint.bindAddress()).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot bind listener " + endpoint + ": " + e.getMessage(), e);
        }
        serverChannels.add(channel);
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        bound.add(endpoint.withHostAndPort(endpoint.host(), port));
        LOG.info("Listening on {} ({}, {})", endpoint.withHostAndPort(endpoint.host(), port),
                protocols.get(endpoint.listenerName()), transportName());
    }

    private static Map<String, SecurityProtocol> protocolsOf(BrokerConfig config) {
        Map<String, SecurityProtocol> map = new java.util.HashMap<>();
        for (Endpoint endpoint : config.listeners()) {
            map.put(endpoint.listenerName(), config.securityProtocol(endpoint.listenerName()));
        }
        return map;
    }
}
