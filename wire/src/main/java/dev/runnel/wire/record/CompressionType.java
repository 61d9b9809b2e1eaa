package dev.runnel.wire.record;

import java.util.zip.Deflater;

/**
 * The codecs of a v2 record batch, with Kafka's ids (attribute bits 0-2), names (as in the
 * {@code compression.type} config) and level ranges (KIP-390 {@code compression.<codec>.level}).
 */
public enum CompressionType {
    NONE(0, "none", 0, 0, 0),
    GZIP(1, "gzip", Deflater.DEFAULT_COMPRESSION, Deflater.BEST_SPEED, Deflater.BEST_COMPRESSION),
    SNAPPY(2, "snappy", 0, 0, 0),
    /** Levels 1-17; Kafka's default 9 selects lz4's fast compressor, other levels its high compressor. */
    LZ4(3, "lz4", 9, 1, 17),
    /** zstd's own range; -131072 is {@code ZSTD_minCLevel()}, hard-coded so the enum loads no native code. */
    ZSTD(4, "zstd", 3, -131072, 22);

    private final int id;
    private final String kafkaName;
    private final int defaultLevel;
    private final int minLevel;
    private final int maxLevel;

    CompressionType(int id, String kafkaName, int defaultLevel, int minLevel, int maxLevel) {
        this.id = id;
        this.kafkaName = kafkaName;
        this.defaultLevel = defaultLevel;
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
    }

    public int id() {
        return id;
    }

    /** The name Kafka uses in configs and tools: none, gzip, snappy, lz4, zstd. */
    public String kafkaName() {
        return kafkaName;
    }

    public int defaultLevel() {
        return defaultLevel;
    }

    public int minLevel() {
        return minLevel;
    }

    public int maxLevel() {
        return maxLevel;
    }

    /** Whether {@code level} is accepted for this codec (gzip also accepts its default, -1). */
    public boolean isValidLevel(int level) {
        return level == defaultLevel || (level >= minLevel && level <= maxLevel);
    }

    /** @throws InvalidRecordException for ids 5-7, which a batch may carry but no codec has */
    public static CompressionType forId(int id) {
        return switch (id) {
            case 0 -> NONE;
            case 1 -> GZIP;
            case 2 -> SNAPPY;
            case 3 -> LZ4;
            case 4 -> ZSTD;
            default -> throw new InvalidRecordException("unknown compression codec id " + id);
        };
    }

    /** @throws IllegalArgumentException for a name Kafka does not know */
    public static CompressionType forKafkaName(String name) {
        for (CompressionType type : values()) {
            if (type.kafkaName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown compression type " + name);
    }
}
