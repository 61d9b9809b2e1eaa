package dev.runnel.server.group;

import java.util.Locale;

/**
 * {@code group.consumer.migration.policy} (KIP-848 online migration): whether a classic group with members
 * becomes a consumer group when a consumer-protocol member joins it (upgrade), and whether a consumer group
 * whose last consumer-protocol member leaves goes back to classic (downgrade). With {@link #DISABLED} classic
 * members cannot join a consumer group at all. Kafka 4.3's default is {@link #BIDIRECTIONAL}.
 */
public enum ConsumerGroupMigrationPolicy {
    BIDIRECTIONAL(true, true), UPGRADE(true, false), DOWNGRADE(false, true), DISABLED(false, false);

    private final boolean upgrade;
    private final boolean downgrade;

    ConsumerGroupMigrationPolicy(boolean upgrade, boolean downgrade) {
        this.upgrade = upgrade;
        this.downgrade = downgrade;
    }

    public boolean isUpgradeEnabled() {
        return upgrade;
    }

    public boolean isDowngradeEnabled() {
        return downgrade;
    }

    /** The config value, case-insensitive as Kafka reads it; anything unknown is {@link #DISABLED}, as in Kafka. */
    public static ConsumerGroupMigrationPolicy parse(String value) {
        if (value != null) {
            for (ConsumerGroupMigrationPolicy p : values()) {
                if (p.name().equalsIgnoreCase(value.trim())) {
                    return p;
                }
            }
        }
        return DISABLED;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
