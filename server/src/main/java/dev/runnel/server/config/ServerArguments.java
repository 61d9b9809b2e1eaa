package dev.runnel.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The start script's arguments, {@code [server.properties] [--override key=value]*}, as kafka-server-start.sh
 * takes them, except that the properties file is optional (no file = every key at its default).
 *
 * @param propertiesFile the server.properties to read, or null
 * @param overrides      keys set on the command line, applied over the file
 */
public record ServerArguments(Path propertiesFile, Map<String, String> overrides) {
    public static final String USAGE = "USAGE: runnel-server-start.sh [server.properties] [--override property=value]*";

    public ServerArguments {
        overrides = Map.copyOf(overrides);
    }

    /** @throws IllegalArgumentException with the usage line when the arguments are malformed */
    public static ServerArguments parse(String... args) {
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--override")) {
                String pair = i + 1 < args.length ? args[++i] : "";
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("Invalid override '" + pair + "', expected key=value\n" + USAGE);
                }
                overrides.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
            } else if (i == 0 && !args[i].startsWith("--")) {
                file = Path.of(args[i]);
            } else {
                throw new IllegalArgumentException("Unexpected argument '" + args[i] + "'\n" + USAGE);
            }
        }
        return new ServerArguments(file, overrides);
    }

    /** Reads the file (if any) and applies the overrides: the static layer of the configuration. */
    public BrokerConfig load() throws IOException {
        return BrokerConfig.load(propertiesFile, overrides);
    }

    /** Reads a Java properties file, the format of Kafka's server.properties. */
    public static Map<String, String> readProperties(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }
}
