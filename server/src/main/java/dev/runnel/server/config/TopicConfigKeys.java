package dev.runnel.server.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.runnel.server.config.ConfigType.BOOLEAN;
import static dev.runnel.server.config.ConfigType.DOUBLE;
import static dev.runnel.server.config.ConfigType.INT;
import static dev.runnel.server.config.ConfigType.LIST;
import static dev.runnel.server.config.ConfigType.LONG;
import static dev.runnel.server.config.ConfigType.STRING;
import static dev.runnel.server.config.ConfigValidator.atLeast;
import static dev.runnel.server.config.ConfigValidator.oneOf;

/**
 * The one table of topic configuration keys: every non-internal key of Kafka 4.3.1's {@code LogConfig}, in Kafka's
 * definition order (which is also the order Kafka validates them in), with Kafka's types, defaults, validators
 * (and their messages) and the broker key that supplies each default ({@code ServerTopicConfigSynonyms}).
 * {@code TopicConfigsTest} proves the table against Kafka's own {@code LogConfig}.
 */
public final class TopicConfigKeys {
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String SEGMENT_JITTER_MS = "segment.jitter.ms";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String RETENTION_MS = "retention.ms";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String PREALLOCATE = "preallocate";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String REMOTE_STORAGE_ENABLE = "remote.storage.enable";

    private static final Map<String, TopicConfigKey> KEYS = new LinkedHashMap<>();

    static {
        add(SEGMENT_BYTES, INT, 1073741824, atLeast(1024 * 1024), "log.segment.bytes",
                "Largest size of a segment file before the log rolls.");
        add(SEGMENT_MS, LONG, 604800000L, atLeast(1), "log.roll.ms",
                "Longest age of the active segment before the log rolls, even if it is not full.");
        add(SEGMENT_JITTER_MS, LONG, 0L, atLeast(0), "log.roll.jitter.ms",
                "Largest random jitter subtracted from segment.ms, so that segments do not all roll at once.");
        add(SEGMENT_INDEX_BYTES, INT, 10485760, atLeast(4), "log.index.size.max.bytes",
                "Size of the offset and time indexes of a segment; a full index rolls the log.");
        add(FLUSH_MESSAGES, LONG, Long.MAX_VALUE, atLeast(1), "log.flush.interval.messages",
                "Messages appended before the log is forced to disk.");
        add(FLUSH_MS, LONG, Long.MAX_VALUE, atLeast(0), "log.flush.interval.ms",
                "Longest time appended data waits before the log is forced to disk.");
        add(RETENTION_BYTES, LONG, -1L, null, "log.retention.bytes",
                "Largest size a partition may grow to before its oldest segments are deleted; -1 means no limit.");
        add(RETENTION_MS, LONG, 604800000L, atLeast(-1), "log.retention.ms",
                "How long a segment is kept after its newest record; -1 means forever.");
        add(MAX_MESSAGE_BYTES, INT, 1048588, atLeast(0), "message.max.bytes",
                "Largest record batch the topic accepts, in bytes.");
        add(INDEX_INTERVAL_BYTES, INT, 4096, atLeast(0), "log.index.interval.bytes",
                "Bytes of log between two entries of the sparse offset index.");
        add(DELETE_RETENTION_MS, LONG, 86400000L, atLeast(0), "log.cleaner.delete.retention.ms",
                "How long tombstones stay readable on a compacted topic.");
        add(MIN_COMPACTION_LAG_MS, LONG, 0L, atLeast(0), "log.cleaner.min.compaction.lag.ms",
                "Youngest a record can be and still be compacted.");
        add(MAX_COMPACTION_LAG_MS, LONG, Long.MAX_VALUE, atLeast(1), "log.cleaner.max.compaction.lag.ms",
                "Oldest a record can be and still not be eligible for compaction.");
        add(FILE_DELETE_DELAY_MS, LONG, 60000L, atLeast(0), "log.segment.delete.delay.ms",
                "Wait before the files of a deleted segment are removed from disk.");
        add(MIN_CLEANABLE_DIRTY_RATIO, DOUBLE, 0.5, range(0, 1), "log.cleaner.min.cleanable.ratio",
                "Share of uncompacted log that makes a compacted topic eligible for cleaning.");
        add(CLEANUP_POLICY, LIST, "delete", eachOf("compact", "delete"), "log.cleanup.policy",
                "delete, compact, both, or empty for unlimited retention.");
        add(UNCLEAN_LEADER_ELECTION_ENABLE, BOOLEAN, false, null, "unclean.leader.election.enable",
                "Allow a replica outside the ISR to become leader, at the cost of losing data.");
        add(MIN_INSYNC_REPLICAS, INT, 1, atLeast(1), "min.insync.replicas",
                "In-sync replicas needed for an acks=all write to succeed.");
        add(COMPRESSION_TYPE, STRING, "producer", oneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
                "compression.type", "Compression of stored batches; producer keeps what the producer sent.");
        add("compression.gzip.level", INT, -1, gzipLevel(), "compression.gzip.level",
                "Compression level when compression.type is gzip.");
        add("compression.lz4.level", INT, 9, range(1, 17), "compression.lz4.level",
                "Compression level when compression.type is lz4.");
        add("compression.zstd.level", INT, 3, range(-131072, 22), "compression.zstd.level",
                "Compression level when compression.type is zstd.");
        add(PREALLOCATE, BOOLEAN, false, null, "log.preallocate",
                "Preallocate segment files on disk when they are created.");
        add(MESSAGE_TIMESTAMP_TYPE, STRING, "CreateTime", oneOf("CreateTime", "LogAppendTime"), "log.message.timestamp.type",
                "CreateTime keeps the producer's timestamps; LogAppendTime stamps batches when they are appended.");
        add("message.timestamp.before.max.ms", LONG, Long.MAX_VALUE, atLeast(0), "log.message.timestamp.before.max.ms",
                "How far in the past a CreateTime timestamp may be.");
        add("message.timestamp.after.max.ms", LONG, 3600000L, atLeast(0), "log.message.timestamp.after.max.ms",
                "How far in the future a CreateTime timestamp may be.");
        add("leader.replication.throttled.replicas", LIST, "", throttledReplicas(), null,
                "Replicas throttled on the leader side, as partition:broker pairs or *.");
        add("follower.replication.throttled.replicas", LIST, "", throttledReplicas(), null,
                "Replicas throttled on the follower side, as partition:broker pairs or *.");
        add(REMOTE_STORAGE_ENABLE, BOOLEAN, false, null, null,
                "Tiered storage for this topic; this broker has no tiered storage, so it must stay false.");
        add("local.retention.ms", LONG, -2L, atLeast(-2), "log.local.retention.ms",
                "With tiered storage, how long segments stay on local disk; -2 means retention.ms.");
        add("local.retention.bytes", LONG, -2L, atLeast(-2), "log.local.retention.bytes",
                "With tiered storage, how many bytes stay on local disk; -2 means retention.bytes.");
        add("remote.log.copy.disable", BOOLEAN, false, null, null,
                "With tiered storage, stop copying segments to remote storage.");
        add("remote.log.delete.on.disable", BOOLEAN, false, null, null,
                "With tiered storage, delete remote data when tiered storage is turned off for the topic.");
    }

    private TopicConfigKeys() {
    }

    /** Every key, in Kafka's definition order. */
    public static Map<String, TopicConfigKey> all() {
        return Collections.unmodifiableMap(KEYS);
    }

    /** The definition of {@code name}, or null when Kafka has no such topic config. */
    public static TopicConfigKey get(String name) {
        return KEYS.get(name);
    }

    private static void add(String name, ConfigType type, Object defaultValue, ConfigValidator validator,
                            String brokerKey, String doc) {
        KEYS.put(name, new TopicConfigKey(name, type, defaultValue, validator, brokerKey, doc));
    }

    /** Kafka's {@code Range.between}: the lower bound is checked first, both printed as integers. */
    private static ConfigValidator range(long min, long max) {
        return (key, value) -> {
            double number = ((Number) value).doubleValue();
            if (number < min) {
                throw new ConfigException(key, value, "Value must be at least " + min);
            }
            if (number > max) {
                throw new ConfigException(key, value, "Value must be no more than " + max);
            }
        };
    }

    /** Kafka 4.x's {@code ValidList.in} (KIP-1161): the first empty or unknown element, in list order, fails. */
    private static ConfigValidator eachOf(String... allowed) {
        Set<String> choices = Set.of(allowed);
        String message = "String must be one of: " + String.join(", ", allowed);
        return (key, value) -> {
            for (Object element : (Collection<?>) value) {
                if ("".equals(element)) {
                    throw new ConfigException("Configuration '" + key + "' values must not be empty.");
                }
                if (!choices.contains(element)) {
                    throw new ConfigException(key, element, message);
                }
            }
        };
    }

    private static ConfigValidator gzipLevel() {
        return (key, value) -> {
            int level = (Integer) value;
            if (level != -1 && (level < 1 || level > 9)) {
                throw new ConfigException(key, value, "Value must be between 1 and 9 or equal to -1");
            }
        };
    }

    /** The literal {@code *}, or {@code partition:broker} pairs (empty elements allowed), as Kafka checks it. */
    private static ConfigValidator throttledReplicas() {
        return (key, value) -> {
            List<String> proposed = ((Collection<?>) value).stream().map(e -> e.toString().trim()).toList();
            boolean pairs = proposed.stream().allMatch(s -> s.matches("([0-9]+:[0-9]+)?"));
            if (!pairs && !String.join("", proposed).equals("*")) {
                throw new ConfigException(key, value, key + " must be the literal '*' or a list of replicas in the "
                        + "following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...");
            }
        };
    }
}
