package dev.runnel.server.group;

import java.util.UUID;

/**
 * A committed offset as stored in {@code OffsetCommitValue}: the offset, the leader epoch of the last consumed
 * record (-1 when unknown), the client's metadata string, when it was committed, when it expires (-1 unless the
 * client asked for a retention time, OffsetCommit v2–v4) and the topic id (all zeros when unknown).
 */
public record OffsetAndMetadata(long offset, int leaderEpoch, String metadata, long commitTimestampMs,
                                long expireTimestampMs, UUID topicId) {
    public static final UUID NO_TOPIC_ID = new UUID(0L, 0L);

    public OffsetAndMetadata {
        metadata = metadata == null ? "" : metadata;
        topicId = topicId == null ? NO_TOPIC_ID : topicId;
    }
}
