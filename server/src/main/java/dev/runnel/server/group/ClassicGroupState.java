package dev.runnel.server.group;

import java.util.EnumSet;
import java.util.Set;

/** The states of a classic group, with Kafka's names and allowed transitions. */
public enum ClassicGroupState {
    /** No members; offsets may still be kept. */
    EMPTY("Empty"),
    /** Members are (re)joining; JoinGroup responses are parked until all known members joined or time ran out. */
    PREPARING_REBALANCE("PreparingRebalance"),
    /** Joins are answered; waiting for the leader's SyncGroup with the assignment. */
    COMPLETING_REBALANCE("CompletingRebalance"),
    /** Assignment known; members heartbeat. */
    STABLE("Stable"),
    /** Removed: the group was deleted or its partition unloaded. */
    DEAD("Dead");

    private final String kafkaName;

    ClassicGroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The name Kafka reports in ListGroups and DescribeGroups. */
    public String kafkaName() {
        return kafkaName;
    }

    Set<ClassicGroupState> validPreviousStates() {
        return switch (this) {
            case EMPTY -> EnumSet.of(PREPARING_REBALANCE);
            case PREPARING_REBALANCE -> EnumSet.of(STABLE, COMPLETING_REBALANCE, EMPTY);
            case COMPLETING_REBALANCE -> EnumSet.of(PREPARING_REBALANCE);
            case STABLE -> EnumSet.of(COMPLETING_REBALANCE);
            case DEAD -> EnumSet.allOf(ClassicGroupState.class);
        };
    }
}
