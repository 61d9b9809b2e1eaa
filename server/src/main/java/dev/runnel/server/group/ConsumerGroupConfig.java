package dev.runnel.server.group;

import dev.runnel.server.config.BrokerConfig;

import java.util.List;

/**
 * KIP-848 settings with Kafka's names and defaults: {@code group.consumer.session.timeout.ms},
 * {@code group.consumer.heartbeat.interval.ms}, {@code group.consumer.assignors} (the first is the default) and
 * {@code group.consumer.max.size}.
 */
public record ConsumerGroupConfig(int sessionTimeoutMs, int heartbeatIntervalMs, List<String> assignors, int maxSize) {
    public ConsumerGroupConfig {
        assignors = List.copyOf(assignors);
        for (String a : assignors) {
            if (!ConsumerGroupAssignor.known().contains(a)) {
                throw new IllegalArgumentException("group.consumer.assignors: unknown assignor " + a);
            }
        }
        if (assignors.isEmpty()) {
            throw new IllegalArgumentException("group.consumer.assignors must name at least one assignor");
        }
    }

    public static ConsumerGroupConfig defaults() {
        return new ConsumerGroupConfig(45000, 5000, List.of(UniformAssignor.NAME, RangeAssignor.NAME), Integer.MAX_VALUE);
    }

    public static ConsumerGroupConfig from(BrokerConfig config) {
        return new ConsumerGroupConfig(config.getInt("group.consumer.session.timeout.ms"),
                config.getInt("group.consumer.heartbeat.interval.ms"),
                config.getList("group.consumer.assignors").stream().map(String::trim).toList(),
                config.getInt("group.consumer.max.size"));
    }
}
