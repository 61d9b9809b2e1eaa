package dev.runnel.server.group;

import dev.runnel.server.config.BrokerConfig;

import java.util.List;

/**
 * KIP-848 settings with Kafka's names and defaults: {@code group.consumer.session.timeout.ms},
 * {@code group.consumer.heartbeat.interval.ms}, {@code group.consumer.assignors} (the first is the default) and
 * {@code group.consumer.max.size} and {@code group.consumer.migration.policy}.
 */
public record ConsumerGroupConfig(int sessionTimeoutMs, int heartbeatIntervalMs, List<String> assignors, int maxSize,
                                  ConsumerGroupMigrationPolicy migrationPolicy) {
    /** With Kafka's default migration policy, bidirectional. */
    public ConsumerGroupConfig(int sessionTimeoutMs, int heartbeatIntervalMs, List<String> assignors, int maxSize) {
        this(sessionTimeoutMs, heartbeatIntervalMs, assignors, maxSize, ConsumerGroupMigrationPolicy.BIDIRECTIONAL);
    }

    public ConsumerGroupConfig {
        if (migrationPolicy == null) {
            migrationPolicy = ConsumerGroupMigrationPolicy.BIDIRECTIONAL;
        }
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
                config.getInt("group.consumer.max.size"),
                ConsumerGroupMigrationPolicy.parse(config.getString("group.consumer.migration.policy")));
    }

    /** The same settings with another migration policy. */
    public ConsumerGroupConfig withMigrationPolicy(ConsumerGroupMigrationPolicy policy) {
        return new ConsumerGroupConfig(sessionTimeoutMs, heartbeatIntervalMs, assignors, maxSize, policy);
    }
}
