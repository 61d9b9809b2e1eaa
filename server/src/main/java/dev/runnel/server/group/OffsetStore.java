package dev.runnel.server.group;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The committed offsets of one coordinator partition: group, topic, partition to {@link OffsetAndMetadata}.
 * Changed only by replaying offset commit records. Owned by the partition lane.
 */
final class OffsetStore {
    private final Map<String, Map<String, Map<Integer, OffsetAndMetadata>>> byGroup = new HashMap<>();

    OffsetAndMetadata get(String group, String topic, int partition) {
        Map<String, Map<Integer, OffsetAndMetadata>> topics = byGroup.get(group);
        if (topics == null) {
            return null;
        }
        Map<Integer, OffsetAndMetadata> partitions = topics.get(topic);
        return partitions == null ? null : partitions.get(partition);
    }

    void put(String group, String topic, int partition, OffsetAndMetadata value) {
        byGroup.computeIfAbsent(group, g -> new TreeMap<>())
                .computeIfAbsent(topic, t -> new TreeMap<>())
                .put(partition, value);
    }

    void remove(String group, String topic, int partition) {
        Map<String, Map<Integer, OffsetAndMetadata>> topics = byGroup.get(group);
        if (topics == null) {
            return;
        }
        Map<Integer, OffsetAndMetadata> partitions = topics.get(topic);
        if (partitions == null) {
            return;
        }
        partitions.remove(partition);
        if (partitions.isEmpty()) {
            topics.remove(topic);
        }
        if (topics.isEmpty()) {
            byGroup.remove(group);
        }
    }

    /** The offsets of a group by topic and partition, in name order; empty when it has none. Do not modify. */
    Map<String, Map<Integer, OffsetAndMetadata>> ofGroup(String group) {
        return byGroup.getOrDefault(group, Map.of());
    }

    boolean hasOffsets(String group) {
        return byGroup.containsKey(group);
    }
}
