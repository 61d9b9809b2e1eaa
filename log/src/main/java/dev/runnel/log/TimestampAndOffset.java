package dev.runnel.log;

/**
 * A ListOffsets answer: an offset and the timestamp found with it. {@link #NONE} (-1, -1) is Kafka's answer when no
 * record matches.
 */
public record TimestampAndOffset(long timestamp, long offset) {
    public static final TimestampAndOffset NONE = new TimestampAndOffset(-1, -1);
}
