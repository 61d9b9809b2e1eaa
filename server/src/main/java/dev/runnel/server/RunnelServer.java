package dev.runnel.server;

import dev.runnel.server.config.BrokerConfig;
import dev.runnel.server.config.ConfigException;
import dev.runnel.server.config.Endpoint;
import dev.runnel.server.config.ServerArguments;
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
 */
public final class RunnelServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(RunnelServer.class);

    private final BrokerConfig config;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Broker broker;

    public RunnelServer(BrokerConfig config) {
        this.config = config;
    }

    public static void main(String[] args) {
        long startNanos = System.nanoTime();
        // Netty 4.2 starts the JFR subsystem to register its buffer events, a tenth of the start-up's CPU; whoever
        // records with JFR and wants those events sets the property to true.
        System.getProperties().putIfAbsent("io.netty.jfr.enabled", "false");
        RunnelServer server;
        try {
            server = new RunnelServer(ServerArguments.parse(args).load());
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

    /** Creates missing data directories, opens storage and metadata, and binds the listeners. */
    public void start() throws InterruptedException, IOException {
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
        broker = Broker.start(config);
        LOG.info("Cluster id {}; data in {}; serving on {}", broker.clusterId(),
                config.logDirs().stream().map(p -> p.toAbsolutePath().toString()).toList(), broker.boundEndpoints());
    }

    /** The listeners as bound, with real port numbers. */
    public List<Endpoint> boundEndpoints() {
        return broker.boundEndpoints();
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
        Broker running = broker;
        if (running != null) {
            running.close();
        }
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
