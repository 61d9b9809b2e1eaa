package dev.runnel.compat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Older Java clients against the broker: kafka-clients 3.6 and 2.8, each in its own class loader (see
 * {@link OldKafkaClient}), run the same scenarios ({@link OldJavaClientScenarios}); each version is one client of the
 * compatibility matrix. The in-process broker advertises a {@link WireTap} in front of it, so the scenarios can assert
 * which API versions the old clients really sent. Against an external broker ({@code compat.bootstrap}) there is no
 * tap and the version checks are skipped; everything else runs.
 */
@ExtendWith(CompatMatrix.class)
class OldJavaClientsIT {
    static String bootstrap;
    static WireTap tap;
    private static RunningBroker broker;
    private static Path dataDir;

    @BeforeAll
    static void start() throws Exception {
        bootstrap = CompatTarget.externalBootstrap();
        if (bootstrap != null) {
            return;
        }
        tap = WireTap.bind();
        dataDir = Files.createTempDirectory("runnel-old-clients");
        broker = RunningBroker.start(dataDir, Map.of("advertised.listeners", "PLAINTEXT://127.0.0.1:" + tap.port()));
        String[] hostPort = broker.bootstrap().split(":");
        tap.forwardTo(hostPort[0], Integer.parseInt(hostPort[1]));
        bootstrap = "127.0.0.1:" + tap.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker == null) {
            return;
        }
        broker.close();
        tap.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Nested
    @ScenarioClient("kafka-clients 3.6")
    class KafkaClients36 extends OldJavaClientScenarios {
        KafkaClients36() {
            super("3.6.2", bootstrap, tap);
        }
    }

    @Nested
    @ScenarioClient("kafka-clients 2.8")
    class KafkaClients28 extends OldJavaClientScenarios {
        KafkaClients28() {
            super("2.8.2", bootstrap, tap);
        }
    }
}
