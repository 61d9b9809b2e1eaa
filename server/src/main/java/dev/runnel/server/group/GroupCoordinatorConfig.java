package dev.runnel.server.group;

import dev.runnel.server.config.BrokerConfig;

/**
 * The broker settings the group coordinator follows, with Kafka's meanings: {@code offsets.topic.num.partitions},
 * {@code group.min.session.timeout.ms}, {@code group.max.session.timeout.ms},
 * {@code group.initial.rebalance.delay.ms}, {@code group.max.size}, {@code offsets.retention.minutes} (here in
 * ms) and {@code offset.metadata.max.bytes}. {@code newMemberJoinTimeoutMs} is Kafka's fixed 5 minutes after
 * which a new member's parked JoinGroup is dropped.
 */
public record GroupCoordinatorConfig(int offsetsTopicPartitions, int minSessionTimeoutMs, int maxSessionTimeoutMs,
                                     int initialRebalanceDelayMs, int maxGroupSize, int newMemberJoinTimeoutMs,
                                     long offsetsRetentionMs, int offsetMetadataMaxBytes) {
    public static final int NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

    /** Kafka's defaults. */
    public static GroupCoordinatorConfig defaults() {
        return new GroupCoordinatorConfig(50, 6000, 1800000, 3000, Integer.MAX_VALUE, NEW_MEMBER_JOIN_TIMEOUT_MS,
                10080L * 60 * 1000, 4096);
    }

    public static GroupCoordinatorConfig from(BrokerConfig config) {
        return new GroupCoordinatorConfig(
                config.getInt("offsets.topic.num.partitions"),
                config.getInt("group.min.session.timeout.ms"),
                config.getInt("group.max.session.timeout.ms"),
                config.getInt("group.initial.rebalance.delay.ms"),
                config.getInt("group.max.size"),
                NEW_MEMBER_JOIN_TIMEOUT_MS,
                config.getInt("offsets.retention.minutes") * 60L * 1000L,
                config.getInt("offset.metadata.max.bytes"));
    }
}
