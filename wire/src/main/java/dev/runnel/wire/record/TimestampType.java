package dev.runnel.wire.record;

/**
 * Attribute bit 3 of a v2 batch: whether record timestamps are the producer's (CreateTime) or the
 * broker's append time (LogAppendTime, in which case every record's timestamp is the batch maxTimestamp).
 * Names as in the {@code message.timestamp.type} topic config.
 */
public enum TimestampType {
    CREATE_TIME("CreateTime"),
    LOG_APPEND_TIME("LogAppendTime");

    private final String kafkaName;

    TimestampType(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    public String kafkaName() {
        return kafkaName;
    }

    /** @throws IllegalArgumentException for a name Kafka does not know */
    public static TimestampType forKafkaName(String name) {
        for (TimestampType type : values()) {
            if (type.kafkaName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown timestamp type " + name);
    }
}
