package dev.runnel.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The broker the client suite talks to: the address in system property {@code compat.bootstrap} or environment
 * variable {@code RUNNEL_COMPAT_BOOTSTRAP} when one is given (any Kafka-compatible broker, nothing is started), else an
 * in-process Runnel broker on an ephemeral loopback port with its data in a temporary directory. Topic and group names
 * carry a per-run suffix so that runs against a shared broker do not see each other's data.
 */
final class CompatTarget implements AutoCloseable {
    private static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);

    private final String bootstrap;
    private final RunningBroker broker;
    private final Path dataDir;

    private CompatTarget(String bootstrap, RunningBroker broker, Path dataDir) {
        this.bootstrap = bootstrap;
        this.broker = broker;
        this.dataDir = dataDir;
    }

    static CompatTarget start() throws Exception {
        String external = externalBootstrap();
        if (external != null) {
            return new CompatTarget(external, null, null);
        }
        Path dataDir = Files.createTempDirectory("runnel-compat");
        RunningBroker broker = RunningBroker.start(dataDir);
        return new CompatTarget(broker.bootstrap(), broker, dataDir);
    }

    /** The configured external bootstrap address, or null when the suite starts its own broker. */
    static String externalBootstrap() {
        String value = System.getProperty("compat.bootstrap");
        if (value == null || value.isBlank()) {
            value = System.getenv("RUNNEL_COMPAT_BOOTSTRAP");
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    String bootstrap() {
        return bootstrap;
    }

    /** A topic or group name unique to this run. */
    static String name(String base) {
        return base + "-" + RUN_ID;
    }

    @Override
    public void close() throws IOException {
        if (broker == null) {
            return;
        }
        broker.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
