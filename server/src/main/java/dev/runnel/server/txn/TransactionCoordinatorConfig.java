package dev.runnel.server.txn;

import dev.runnel.server.config.BrokerConfig;

/**
 * The broker settings the transaction coordinator follows, with Kafka's names: {@code
 * transaction.state.log.num.partitions}, {@code transaction.max.timeout.ms}, {@code
 * transaction.abort.timed.out.transaction.cleanup.interval.ms} and {@code transactional.id.expiration.ms}.
 */
public record TransactionCoordinatorConfig(int stateLogPartitions, int maxTimeoutMs, int abortTimedOutIntervalMs,
                                           long transactionalIdExpirationMs) {
    public static TransactionCoordinatorConfig defaults() {
        return new TransactionCoordinatorConfig(50, 900_000, 10_000, 604_800_000L);
    }

    public static TransactionCoordinatorConfig from(BrokerConfig config) {
        return new TransactionCoordinatorConfig(config.getInt("transaction.state.log.num.partitions"),
                config.getInt("transaction.max.timeout.ms"),
                config.getInt("transaction.abort.timed.out.transaction.cleanup.interval.ms"),
                config.getInt("transactional.id.expiration.ms"));
    }
}
