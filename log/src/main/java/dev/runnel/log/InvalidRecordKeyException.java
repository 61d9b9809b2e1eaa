package dev.runnel.log;

import java.util.List;

/**
 * A produce to a compacted topic ({@code cleanup.policy} contains {@code compact}) holding records without a key.
 * Kafka checks every record at append time and rejects the whole append. The server answers
 * {@code INVALID_RECORD} (error code 87) for the partition, with {@link #getMessage()} as the partition's error
 * message and one ProduceResponse {@code record_errors} entry per {@link #recordIndexes()} value (the
 * {@code batch_index}: the record's position in its batch), each with {@link #recordErrorMessage()}.
 */
public final class InvalidRecordKeyException extends RuntimeException {
    private final List<Integer> recordIndexes;
    private final String recordErrorMessage;

    public InvalidRecordKeyException(TopicPartition topicPartition, List<Integer> recordIndexes) {
        super("One or more records have been rejected due to " + recordIndexes.size() + " record errors in total, "
                + "and only showing the first three errors at most: records at batch indexes "
                + recordIndexes.subList(0, Math.min(3, recordIndexes.size()))
                + ": Compacted topic cannot accept message without key in topic partition " + topicPartition + ".");
        this.recordIndexes = List.copyOf(recordIndexes);
        this.recordErrorMessage = "Compacted topic cannot accept message without key in topic partition "
                + topicPartition + ".";
    }

    /** Positions, within the first offending batch, of its records without a key (ascending). */
    public List<Integer> recordIndexes() {
        return recordIndexes;
    }

    /** Kafka's per-record message for a record without a key. */
    public String recordErrorMessage() {
        return recordErrorMessage;
    }
}
