package dev.runnel.server.config;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The BROKER_LOGGER resource of DescribeConfigs and IncrementalAlterConfigs (KIP-412): this broker's Log4j2
 * loggers and their effective levels, changed at runtime and not persisted, as in Kafka. The root logger is
 * named {@code root}. Thread-safe (Log4j2's configuration is).
 */
public final class LoggerLevels {
    public static final String ROOT_LOGGER = "root";
    /** Kafka's {@code LogLevelConfig.VALID_LOG_LEVELS}, sorted as Kafka prints them in errors. */
    public static final List<String> VALID_LEVELS = List.of("DEBUG", "ERROR", "FATAL", "INFO", "TRACE", "WARN");

    private LoggerLevels() {
    }

    /** Every logger this broker has created, and the root logger, with its effective level. */
    public static Map<String, String> current() {
        LoggerContext context = context();
        Map<String, String> levels = new TreeMap<>();
        for (org.apache.logging.log4j.core.Logger logger : context.getLoggers()) {
            String name = logger.getName().isEmpty() ? ROOT_LOGGER : logger.getName();
            levels.put(name, logger.getLevel().name());
        }
        levels.put(ROOT_LOGGER, context.getRootLogger().getLevel().name());
        return levels;
    }

    public static boolean exists(String name) {
        return ROOT_LOGGER.equals(name) || context().hasLogger(name);
    }

    /** Sets a logger's level; {@code level} must be one of {@link #VALID_LEVELS}. */
    public static void set(String name, String level) {
        Configurator.setLevel(log4jName(name), Level.toLevel(level));
    }

    /** Makes a logger inherit its parent's level again. The root logger has no parent. */
    public static void unset(String name) {
        if (ROOT_LOGGER.equals(name)) {
            throw new IllegalArgumentException("the root logger has no parent level");
        }
        Configurator.setLevel(name, (Level) null);
    }

    private static String log4jName(String name) {
        return ROOT_LOGGER.equals(name) ? LogManager.ROOT_LOGGER_NAME : name;
    }

    private static LoggerContext context() {
        return (LoggerContext) LogManager.getContext(false);
    }
}
