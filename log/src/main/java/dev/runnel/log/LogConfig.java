package dev.runnel.log;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The topic-level storage configuration, with Kafka's config names and defaults. Immutable; a config change
 * replaces the whole record ({@link PartitionLog#updateConfig}).
 *
 * @param segmentBytes          {@code segment.bytes}: roll the active segment when it would grow past this size
 * @param segmentMs             {@code segment.ms}: roll when the first batch of the active segment is this old
 * @param segmentIndexBytes     {@code segment.index.bytes}: the most an offset or time index may hold; a full index rolls
 * @param indexIntervalBytes    {@code index.interval.bytes}: log bytes between two sparse index entries
 * @param retentionMs           {@code retention.ms}: delete segments whose newest record is older; -1 keeps forever
 * @param retentionBytes        {@code retention.bytes}: delete oldest segments while the log is larger; -1 means no limit
 * @param maxMessageBytes       {@code max.message.bytes}: the largest record batch accepted
 * @param logAppendTime         {@code message.timestamp.type=LogAppendTime} (else CreateTime)
 * @param compact               {@code cleanup.policy} contains {@code compact}
 * @param delete                {@code cleanup.policy} contains {@code delete}
 * @param deleteRetentionMs     {@code delete.retention.ms}: how long compaction keeps tombstones
 * @param minCompactionLagMs    {@code min.compaction.lag.ms}
 * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}
 * @param maxCompactionLagMs    {@code max.compaction.lag.ms}: a dirty record older than this is compacted whatever the ratio
 * @param flushMessages         {@code flush.messages}: fsync after this many unflushed messages
 * @param flushMs               {@code flush.ms}: fsync when the oldest unflushed data is this old
 * @param fileDeleteDelayMs     {@code file.delete.delay.ms}: how long a {@code .deleted} segment waits before removal
 */
public record LogConfig(
        int segmentBytes,
        long segmentMs,
        int segmentIndexBytes,
        int indexIntervalBytes,
        long retentionMs,
        long retentionBytes,
        int maxMessageBytes,
        boolean logAppendTime,
        boolean compact,
        boolean delete,
        long deleteRetentionMs,
        long minCompactionLagMs,
        double minCleanableDirtyRatio,
        long maxCompactionLagMs,
        long flushMessages,
        long flushMs,
        long fileDeleteDelayMs) {

    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";

    /** The names this record understands; other topic configs belong to the server. */
    public static final Set<String> NAMES = Set.of(SEGMENT_BYTES, SEGMENT_MS, SEGMENT_INDEX_BYTES, INDEX_INTERVAL_BYTES,
            RETENTION_MS, RETENTION_BYTES, MAX_MESSAGE_BYTES, MESSAGE_TIMESTAMP_TYPE, CLEANUP_POLICY,
            DELETE_RETENTION_MS, MIN_COMPACTION_LAG_MS, MIN_CLEANABLE_DIRTY_RATIO, MAX_COMPACTION_LAG_MS, FLUSH_MESSAGES, FLUSH_MS,
            FILE_DELETE_DELAY_MS);

    private static final long SEVEN_DAYS_MS = 7L * 24 * 60 * 60 * 1000;

    /** Kafka's defaults. */
    public static final LogConfig DEFAULT = new LogConfig(1024 * 1024 * 1024, SEVEN_DAYS_MS, 10 * 1024 * 1024, 4096,
            SEVEN_DAYS_MS, -1, 1024 * 1024 + 12, false, false, true, 24L * 60 * 60 * 1000, 0, 0.5, Long.MAX_VALUE,
            Long.MAX_VALUE, Long.MAX_VALUE, 60_000);

    public LogConfig {
        require(segmentBytes >= 14, SEGMENT_BYTES, segmentBytes); // Kafka's minimum: one empty v0 message
        require(segmentMs >= 1, SEGMENT_MS, segmentMs);
        require(segmentIndexBytes >= 12, SEGMENT_INDEX_BYTES, segmentIndexBytes); // room for one time index entry
        require(indexIntervalBytes >= 0, INDEX_INTERVAL_BYTES, indexIntervalBytes);
        require(retentionMs >= -1, RETENTION_MS, retentionMs);
        require(maxMessageBytes >= 0, MAX_MESSAGE_BYTES, maxMessageBytes);
        require(compact || delete, CLEANUP_POLICY, "[]");
        require(deleteRetentionMs >= 0, DELETE_RETENTION_MS, deleteRetentionMs);
        require(minCompactionLagMs >= 0, MIN_COMPACTION_LAG_MS, minCompactionLagMs);
        require(minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1, MIN_CLEANABLE_DIRTY_RATIO, minCleanableDirtyRatio);
        require(maxCompactionLagMs >= 1, MAX_COMPACTION_LAG_MS, maxCompactionLagMs);
        require(flushMessages >= 1, FLUSH_MESSAGES, flushMessages);
        require(flushMs >= 0, FLUSH_MS, flushMs);
        require(fileDeleteDelayMs >= 0, FILE_DELETE_DELAY_MS, fileDeleteDelayMs);
    }

    /**
     * The defaults overridden by {@code overrides} (Kafka topic config names to string values).
     *
     * @throws IllegalArgumentException naming the key whose value is invalid; unknown keys are ignored
     */
    public static LogConfig of(Map<String, String> overrides) {
        return DEFAULT.with(overrides);
    }

    /** This config overridden by {@code overrides}; see {@link #of}. */
    public LogConfig with(Map<String, String> overrides) {
        Values v = new Values(overrides);
        String policy = overrides.get(CLEANUP_POLICY);
        boolean compact = this.compact;
        boolean delete = this.delete;
        if (policy != null) {
            Set<String> parts = Set.of(policy.toLowerCase(Locale.ROOT).replace(" ", "").split(","));
            if (!Set.of("compact", "delete").containsAll(parts)) {
                throw new IllegalArgumentException("Invalid value " + policy + " for configuration " + CLEANUP_POLICY);
            }
            compact = parts.contains("compact");
            delete = parts.contains("delete");
        }
        String timestampType = overrides.get(MESSAGE_TIMESTAMP_TYPE);
        boolean logAppendTime = this.logAppendTime;
        if (timestampType != null) {
            if (!timestampType.equals("CreateTime") && !timestampType.equals("LogAppendTime")) {
                throw new IllegalArgumentException("Invalid value " + timestampType + " for configuration " + MESSAGE_TIMESTAMP_TYPE);
            }
            logAppendTime = timestampType.equals("LogAppendTime");
        }
        return new LogConfig(
                v.integer(SEGMENT_BYTES, segmentBytes), v.longValue(SEGMENT_MS, segmentMs),
                v.integer(SEGMENT_INDEX_BYTES, segmentIndexBytes), v.integer(INDEX_INTERVAL_BYTES, indexIntervalBytes),
                v.longValue(RETENTION_MS, retentionMs), v.longValue(RETENTION_BYTES, retentionBytes),
                v.integer(MAX_MESSAGE_BYTES, maxMessageBytes), logAppendTime, compact, delete,
                v.longValue(DELETE_RETENTION_MS, deleteRetentionMs), v.longValue(MIN_COMPACTION_LAG_MS, minCompactionLagMs),
                v.doubleValue(MIN_CLEANABLE_DIRTY_RATIO, minCleanableDirtyRatio),
                v.longValue(MAX_COMPACTION_LAG_MS, maxCompactionLagMs),
                v.longValue(FLUSH_MESSAGES, flushMessages), v.longValue(FLUSH_MS, flushMs),
                v.longValue(FILE_DELETE_DELAY_MS, fileDeleteDelayMs));
    }

    /** Entries per offset index before it counts as full (8 bytes an entry). */
    int maxOffsetIndexEntries() {
        return segmentIndexBytes / OffsetIndex.ENTRY_SIZE;
    }

    /** Entries per time index before it counts as full (12 bytes an entry). */
    int maxTimeIndexEntries() {
        return segmentIndexBytes / TimeIndex.ENTRY_SIZE;
    }

    private static void require(boolean ok, String key, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid value " + value + " for configuration " + key);
        }
    }

    private record Values(Map<String, String> map) {
        int integer(String key, int fallback) {
            String s = map.get(key);
            try {
                return s == null ? fallback : Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid value " + s + " for configuration " + key, e);
            }
        }

        long longValue(String key, long fallback) {
            String s = map.get(key);
            try {
                return s == null ? fallback : Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid value " + s + " for configuration " + key, e);
            }
        }

        double doubleValue(String key, double fallback) {
            String s = map.get(key);
            try {
                return s == null ? fallback : Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid value " + s + " for configuration " + key, e);
            }
        }
    }
}
