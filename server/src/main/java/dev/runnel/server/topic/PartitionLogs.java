package dev.runnel.server.topic;

import dev.runnel.server.metadata.TopicMetadata;

/** What topic administration needs from storage: create and remove the logs of a topic's partitions. */
public interface PartitionLogs {
    /** Creates (or opens) the logs of partitions [{@code fromPartition}, partitionCount) of {@code topic}. */
    void createLogs(TopicMetadata topic, int fromPartition);

    /** Deletes every log of {@code topic}. */
    void deleteLogs(TopicMetadata topic);

    /** Applies changed topic configs to the open logs. */
    void updateConfigs(TopicMetadata topic);
}
