package dev.runnel.server.metadata;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A topic as the metadata store knows it: name, topic id, its partitions and the topic-level configs that
 * override broker defaults (Kafka's key names: {@code cleanup.policy}, {@code retention.ms}, ...). Immutable.
 */
public record TopicMetadata(String name, UUID topicId, List<PartitionState> partitions, Map<String, String> configs) {
    public TopicMetadata {
        partitions = List.copyOf(partitions);
        configs = Map.copyOf(configs);
    }

    public int partitionCount() {
        return partitions.size();
    }

    public short replicationFactor() {
        return (short) (partitions.isEmpty() ? 0 : partitions.get(0).replicas().size());
    }

    public TopicMetadata withPartitions(List<PartitionState> newPartitions) {
        return new TopicMetadata(name, topicId, newPartitions, configs);
    }

    public TopicMetadata withConfigs(Map<String, String> newConfigs) {
        return new TopicMetadata(name, topicId, partitions, newConfigs);
    }
}
