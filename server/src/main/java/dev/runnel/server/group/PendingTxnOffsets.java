package dev.runnel.server.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Offsets committed by transactions still undecided on one coordinator partition (KIP-98/KIP-447), by producer
 * id: the COMMIT marker makes them committed offsets, the ABORT marker drops them. Kafka's OffsetMetadataManager
 * keeps them the same way. Owned by the partition lane.
 */
final class PendingTxnOffsets {
    private final Map<Long, List<CoordinatorRecord.OffsetCommit>> byProducer = new HashMap<>();

    void add(long producerId, CoordinatorRecord.OffsetCommit record) {
        byProducer.computeIfAbsent(producerId, p -> new ArrayList<>()).add(record);
    }

    /** Removes and returns the producer's pending offsets, in commit order (empty when it has none). */
    List<CoordinatorRecord.OffsetCommit> remove(long producerId) {
        List<CoordinatorRecord.OffsetCommit> records = byProducer.remove(producerId);
        return records == null ? List.of() : records;
    }

    /** Whether a transaction holds an undecided offset for this partition of the group (UNSTABLE_OFFSET_COMMIT). */
    boolean isPending(String group, String topic, int partition) {
        for (List<CoordinatorRecord.OffsetCommit> records : byProducer.values()) {
            for (CoordinatorRecord.OffsetCommit r : records) {
                if (r.partition() == partition && r.group().equals(group) && r.topic().equals(topic)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether any transaction holds offsets of the group (a group with those cannot be deleted). */
    boolean hasPending(String group) {
        for (List<CoordinatorRecord.OffsetCommit> records : byProducer.values()) {
            for (CoordinatorRecord.OffsetCommit r : records) {
                if (r.group().equals(group)) {
                    return true;
                }
            }
        }
        return false;
    }

    void clear() {
        byProducer.clear();
    }
}
