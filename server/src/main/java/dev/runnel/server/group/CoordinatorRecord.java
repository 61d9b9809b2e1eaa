package dev.runnel.server.group;

/**
 * One record of a {@code __consumer_offsets} partition, as the group coordinator produces and replays it.
 * A null value is a tombstone. {@link CoordinatorRecordCodec} turns it into Kafka's key and value bytes.
 */
public sealed interface CoordinatorRecord
        permits CoordinatorRecord.OffsetCommit, CoordinatorRecord.GroupMetadata, ConsumerGroupRecord {
    /** The group the record belongs to. */
    String group();

    /** Whether this record deletes its key. */
    boolean isTombstone();

    /** A committed offset (key: group, topic, partition); a null value deletes it. */
    record OffsetCommit(String group, String topic, int partition, OffsetAndMetadata value) implements CoordinatorRecord {
        @Override
        public boolean isTombstone() {
            return value == null;
        }
    }

    /** A classic group's durable state (key: group); a null value deletes the group. */
    record GroupMetadata(String group, StoredGroup value) implements CoordinatorRecord {
        @Override
        public boolean isTombstone() {
            return value == null;
        }
    }
}
