package dev.runnel.compat;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records the outcome of every {@link Scenario} test and, when the test run ends (the root extension context closes),
 * merges them into the compatibility matrix file: {@code docs/COMPATIBILITY.md} when the suite ran against its own
 * broker, {@code target/compat-matrix.md} when it was pointed at another one. Rows of scenarios that did not run in
 * this build are kept from the file, so running one IT class updates only its rows; rows of scenarios that the classes
 * that ran no longer declare are dropped. Callbacks may come from any
 * test thread; state is in concurrent maps.
 */
final class CompatMatrix implements BeforeAllCallback, TestWatcher {
    static final String PASS = "pass";
    static final String FAIL = "FAIL";
    static final String KNOWN_GAP = "known gap";
    static final String NOT_RUN = "NOT RUN";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CompatMatrix.class);
    private static final Map<String, String> VERSIONS = new ConcurrentHashMap<>();
    private static final Map<MatrixFile.Key, MatrixFile.Row> RESULTS = new ConcurrentHashMap<>();
    /** Every scenario declared by the test classes that ran, so rows of renamed or deleted scenarios are dropped. */
    private static final java.util.Set<MatrixFile.Key> DECLARED = ConcurrentHashMap.newKeySet();

    /** Records the version of a client, shown in the matrix's version table. */
    static void version(String client, String version) {
        VERSIONS.put(client, version.replace('|', '/').replace('\n', ' ').trim());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("writer", key -> new Writer(), Writer.class);
        context.getTestClass().ifPresent(type -> {
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
                    Scenario s = m.getAnnotation(Scenario.class);
                    if (s != null) {
                        DECLARED.add(new MatrixFile.Key(client(type, s), s.value()));
                    }
                }
            }
        });
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        scenario(context).ifPresent(s -> record(context, s, s.knownGap().isEmpty() ? PASS : KNOWN_GAP, s.knownGap()));
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        scenario(context).ifPresent(s -> record(context, s, FAIL, invocation(context) + firstLine(cause)));
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        scenario(context).ifPresent(s -> record(context, s, NOT_RUN, invocation(context) + firstLine(cause)));
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        scenario(context).ifPresent(s -> record(context, s, NOT_RUN, reason.orElse("disabled")));
    }

    /** The scenario's own client, else the test class's {@link ScenarioClient}. */
    private static String client(Class<?> testClass, Scenario s) {
        ScenarioClient named = testClass == null ? null : testClass.getAnnotation(ScenarioClient.class);
        return s.client().isEmpty() && named != null ? named.value() : s.client();
    }

    private static Optional<Scenario> scenario(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.getAnnotation(Scenario.class));
    }

    /**
     * Parameterised tests report once per invocation under one scenario: the worst outcome wins, so a later
     * passing invocation never hides a failed one.
     */
    private static void record(ExtensionContext context, Scenario s, String result, String notes) {
        String client = client(context.getTestClass().orElse(null), s);
        MatrixFile.Row row = new MatrixFile.Row(client, s.value(), result, notes);
        RESULTS.merge(new MatrixFile.Key(client, s.value()), row,
                (old, now) -> SEVERITY.indexOf(now.result()) > SEVERITY.indexOf(old.result()) ? now : old);
    }

    private static final List<String> SEVERITY = List.of(PASS, KNOWN_GAP, NOT_RUN, FAIL);

    /** "[2] snappy: " for an invocation of a parameterised test, empty otherwise. */
    private static String invocation(ExtensionContext context) {
        String name = context.getDisplayName();
        return name.startsWith("[") ? name + ": " : "";
    }

    private static String firstLine(Throwable t) {
        String message = String.valueOf(t.getMessage());
        String line = message.lines().findFirst().orElse(t.getClass().getSimpleName());
        return line.length() > 160 ? line.substring(0, 157) + "..." : line;
    }

    /** Where the matrix goes: Runnel's own matrix only when Runnel was the broker under test. */
    static Path matrixPath() {
        if (CompatTarget.externalBootstrap() != null) {
            return Path.of("target", "compat-matrix.md");
        }
        String configured = System.getProperty("compat.matrix");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path docs = Path.of("..", "docs");
        return Files.isDirectory(docs) ? docs.resolve("COMPATIBILITY.md") : Path.of("target", "compat-matrix.md");
    }

    /** Closed by JUnit when the whole test run ends: writes the merged matrix once. */
    private static final class Writer implements AutoCloseable {
        @Override
        public void close() {
            if (RESULTS.isEmpty()) {
                return;
            }
            Path path = matrixPath();
            try {
                MatrixFile file = Files.exists(path)
                        ? MatrixFile.parse(Files.readString(path, StandardCharsets.UTF_8)) : MatrixFile.empty();
                java.util.Set<String> ranClients = new java.util.HashSet<>();
                DECLARED.forEach(k -> ranClients.add(k.client()));
                file.rows().keySet().removeIf(k -> ranClients.contains(k.client()) && !DECLARED.contains(k));
                file.rows().putAll(RESULTS);
                file.versions().putAll(new TreeMap<>(VERSIONS));
                Files.createDirectories(path.toAbsolutePath().getParent());
                Files.writeString(path, file.render(CompatTarget.externalBootstrap()), StandardCharsets.UTF_8);
                System.out.println("Compatibility matrix written to " + path.toAbsolutePath().normalize()
                        + " (" + RESULTS.size() + " scenarios this run)");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static List<String> clientOrder() {
        return List.of("kcat (librdkafka)", "confluent-kafka-python (librdkafka)", "kafka-python", "kafkajs",
                "Kafka Streams", "Kafka Connect", "kafka-clients 3.6", "kafka-clients 2.8");
    }
}
