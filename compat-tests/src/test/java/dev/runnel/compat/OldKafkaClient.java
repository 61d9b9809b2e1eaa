package dev.runnel.compat;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One older kafka-clients version, isolated from the kafka-clients 4.3 on the test classpath: its jar and runtime
 * dependencies (copied by the build to {@code target/old-clients/<version>/}) and the scenario class
 * {@code clients/java/dev/runnel/oldclient/OldClientScenarios.java}, compiled here against that jar, live in their own
 * {@link URLClassLoader} whose parent is the platform class loader, so no Kafka class can come from the test classpath.
 * Scenarios are called by name with a map of plain JDK values and answer one; the calling thread's context class
 * loader is the isolated one during the call, because kafka-clients resolves configured class names through it.
 * Not thread-safe: one test thread calls it at a time.
 */
final class OldKafkaClient implements AutoCloseable {
    private static final String SCENARIOS = "dev.runnel.oldclient.OldClientScenarios";

    private final String version;
    private final URLClassLoader loader;
    private final Class<?> scenarios;

    private OldKafkaClient(String version, URLClassLoader loader, Class<?> scenarios) {
        this.version = version;
        this.loader = loader;
        this.scenarios = scenarios;
    }

    /** Compiles the scenarios against {@code version}'s jar and loads both in a fresh class loader. */
    static OldKafkaClient load(String version) throws Exception {
        Path dir = oldClientsDir().resolve(version);
        List<Path> jars;
        try (Stream<Path> files = Files.list(dir)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        Path kafkaJar = dir.resolve("kafka-clients-" + version + ".jar");
        if (!jars.contains(kafkaJar)) {
            throw new IllegalStateException(kafkaJar + " is missing: the build copies it (mvn verify, process-test-resources)");
        }
        Path classes = dir.resolve("classes");
        compile(jars, classes);
        // slf4j-simple: warnings and errors of the old client go to stderr, like the 4.3 client's under log4j.
        Files.writeString(classes.resolve("simplelogger.properties"),
                "org.slf4j.simpleLogger.defaultLogLevel=warn\norg.slf4j.simpleLogger.showDateTime=true\n",
                StandardCharsets.UTF_8);
        List<URL> urls = new ArrayList<>();
        urls.add(classes.toUri().toURL());
        for (Path jar : jars) {
            urls.add(jar.toUri().toURL());
        }
        URLClassLoader loader = new URLClassLoader("kafka-clients-" + version, urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader());
        return new OldKafkaClient(version, loader, Class.forName(SCENARIOS, true, loader));
    }

    String version() {
        return version;
    }

    /** Runs scenario method {@code name} in the isolated loader; exceptions it throws are rethrown as they are. */
    @SuppressWarnings("unchecked")
    Map<String, Object> call(String name, Map<String, Object> args) throws Exception {
        Method method = scenarios.getMethod(name, Map.class);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return (Map<String, Object>) method.invoke(null, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Where the build put the old clients: system property {@code compat.oldClients}, else target/old-clients. */
    static Path oldClientsDir() {
        String configured = System.getProperty("compat.oldClients");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path inModule = Path.of("target", "old-clients");
        return Files.isDirectory(inModule) ? inModule : Path.of("compat-tests", "target", "old-clients");
    }

    private static void compile(List<Path> classpath, Path out) throws IOException {
        Path source = ScriptScenarios.clientsDir().resolve(Path.of("java", "dev", "runnel", "oldclient",
                "OldClientScenarios.java"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler: the tests must run on a JDK");
        }
        Files.createDirectories(out);
        String cp = String.join(java.io.File.pathSeparator, classpath.stream().map(Path::toString).toList());
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "-proc:none", "-nowarn", "-Xlint:none",
                "-cp", cp, "-d", out.toString(), source.toString());
        if (status != 0) {
            throw new IllegalStateException("OldClientScenarios does not compile against " + classpath.get(0).getParent()
                    + ":\n" + diagnostics.toString(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException {
        loader.close();
    }
}
