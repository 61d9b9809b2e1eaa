package dev.runnel.server;

import dev.runnel.server.config.BrokerConfig;
import dev.runnel.server.config.ConfigException;
import dev.runnel.server.config.Endpoint;
import dev.runnel.server.config.ServerArguments;
import dev.runnel.server.net.BrokerServer;
import dev.runnel.server.net.RequestDispatcher;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The broker process: loads the configuration, prepares the data directories, starts the listeners and stops
 * cleanly on SIGTERM. {@code main} is what bin/runnel-server-start.sh runs; tests and embedders use
 * {@link #start()} and {@link #close()} directly.
 *
 * <p>Until request handling exists, the dispatcher closes every connection on its first request.
 */
public final class RunnelServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(RunnelServer.class);

    private final BrokerConfig config;
    private final BrokerServer network;
    private final CountDownLatch stopped = new CountDownLatch(1);

    public RunnelServer(BrokerConfig config, RequestDispatcher dispatcher) {
        this.config = config;
        this.network = new BrokerServer(config, dispatcher);
    }

    /** A dispatcher for a broker that does not handle requests yet: it closes the connection. */
    public static RequestDispatcher closingDispatcher() {
        return (connection, frame, slot) -> {
            frame.release();
            LOG.debug("No request handling yet; closing {}", connection);
            slot.closeConnection();
        };
    }

    public static void main(String[] args) {
        long startNanos = System.nanoTime();
        RunnelServer server;
        try {
            server = new RunnelServer(ServerArguments.parse(args).load(), closingDispatcher());
            server.start();
        } catch (IOException e) {
            LOG.error("Exiting Runnel: cannot read the configuration: {}", e.toString());
            LogManager.shutdown();
            System.exit(1);
            return;
        } catch (IllegalArgumentException | ConfigException | UncheckedIOException e) {
            LOG.error("Exiting Runnel: {}", e.getMessage());
            LogManager.shutdown();
            System.exit(1);
            return;
        } catch (Exception e) {
            LOG.error("Exiting Runnel due to fatal exception during start-up", e);
            LogManager.shutdown();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            LogManager.shutdown(); // log4j2.xml disables log4j's own hook so these last lines are not lost
        }, "runnel-shutdown"));
        LOG.info("Runnel {} started in {} ms", version(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        server.awaitShutdown();
    }

    /** Creates missing data directories and binds the listeners. */
    public void start() throws InterruptedException {
        LOG.info("Runnel {} starting: node.id={}, log.dirs={}, listeners={}, advertised.listeners={}, {}",
                version(), config.nodeId(), config.logDirs(), config.listeners(), config.advertisedListeners(),
                config.zookeeperConnect().map(zk -> "zookeeper.connect=" + zk).orElse("single broker"));
        LOG.debug("Configuration: {}", config);
        for (Path dir : config.logDirs()) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create log directory " + dir.toAbsolutePath(), e);
            }
        }
        network.start();
    }

    /** The listeners as bound, with real port numbers. */
    public List<Endpoint> boundEndpoints() {
        return network.boundEndpoints();
    }

    public BrokerConfig config() {
        return config;
    }

    /** Stops accepting, closes connections and stops the network threads. Idempotent. */
    @Override
    public void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        LOG.info("Runnel shutting down");
        network.close();
        LOG.info("Runnel shut down completed");
        stopped.countDown();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitShutdown() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The version from the jar manifest, or "dev" when running from classes. */
    public static String version() {
        String version = RunnelServer.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }
}
