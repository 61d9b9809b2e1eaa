package dev.runnel.server.topic;

import dev.runnel.server.metadata.TopicMetadata;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** What topic administration needs from storage: create and remove the logs of a topic's partitions. */
public interface PartitionLogs {
    /** Creates (or opens) the logs of partitions [{@code fromPartition}, partitionCount) of {@code topic}. */
    void createLogs(TopicMetadata topic, int fromPartition);

    /**
     * Creates (or opens) the logs of every partition of {@code topics}; returns, by topic name, why the logs of a
     * topic could not be created (empty when all were).
     */
    default Map<String, RuntimeException> createLogs(Collection<TopicMetadata> topics) {
        Map<String, RuntimeException> failed = new LinkedHashMap<>();
        for (TopicMetadata topic : topics) {
            try {
                createLogs(topic, 0);
            } catch (RuntimeException e) {
                failed.put(topic.name(), e);
            }
        }
        return failed;
    }

    /** Deletes every log of {@code topic}. */
    void deleteLogs(TopicMetadata topic);

    /** Applies changed topic configs to the open logs. */
    void updateConfigs(TopicMetadata topic);
}
