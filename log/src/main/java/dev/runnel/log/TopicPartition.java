package dev.runnel.log;

/**
 * A topic name and partition number. Its directory name is {@code <topic>-<partition>}, as in Kafka; topic names
 * may contain '-', so parsing splits at the last one.
 */
public record TopicPartition(String topic, int partition) {
    public TopicPartition {
        if (topic == null || topic.isEmpty() || partition < 0) {
            throw new IllegalArgumentException("invalid topic partition " + topic + "-" + partition);
        }
    }

    public String directoryName() {
        return topic + "-" + partition;
    }

    /** Parses a partition directory name, or returns null when the name is not {@code <topic>-<int>}. */
    public static TopicPartition parseDirectoryName(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            return null;
        }
        try {
            int partition = Integer.parseInt(name.substring(dash + 1));
            return partition < 0 ? null : new TopicPartition(name.substring(0, dash), partition);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return directoryName();
    }
}
