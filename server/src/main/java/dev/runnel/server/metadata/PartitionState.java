package dev.runnel.server.metadata;

import java.util.List;

/** Who leads a partition, at which leader epoch, and which brokers hold replicas and are in sync. */
public record PartitionState(int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr) {
    public PartitionState {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    /** A partition with one replica on {@code brokerId}, as on a single broker. */
    public static PartitionState singleReplica(int brokerId) {
        return new PartitionState(brokerId, 0, List.of(brokerId), List.of(brokerId));
    }
}
