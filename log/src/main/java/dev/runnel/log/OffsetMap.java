package dev.runnel.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The log cleaner's map from record key to the latest offset holding it in the dirty range (Kafka's
 * {@code SkimpyOffsetMap}), plus the last offset the map has seen. Keys of up to 32 bytes are stored as they are;
 * longer keys by their SHA-256 digest (tagged so a digest never equals a short key), which keeps memory per entry
 * bounded. Capacity is a number of entries; the cleaner stops adding dirty segments once it is reached. Used by one
 * thread; keys are copied, never retained.
 */
final class OffsetMap {
    private static final int MAX_RAW_KEY = 32;

    private final int maxEntries;
    private final Map<Key, Long> offsets = new HashMap<>();
    private final MessageDigest sha256;
    private long latestOffset = -1;

    OffsetMap(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("offset map needs room for at least one key");
        }
        this.maxEntries = maxEntries;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-256", e);
        }
    }

    boolean isFull() {
        return offsets.size() >= maxEntries;
    }

    int size() {
        return offsets.size();
    }

    /** Records {@code offset} as the latest for {@code key} (borrowed, not consumed). */
    void put(ByteBuf key, long offset) {
        offsets.put(keyOf(key), offset);
    }

    /** The latest offset of {@code key} (borrowed), or -1 when the map does not know it. */
    long get(ByteBuf key) {
        Long offset = offsets.get(keyOf(key));
        return offset == null ? -1 : offset;
    }

    void updateLatestOffset(long offset) {
        latestOffset = Math.max(latestOffset, offset);
    }

    /** The last offset of the last batch mapped; records after it were not looked at. */
    long latestOffset() {
        return latestOffset;
    }

    private Key keyOf(ByteBuf key) {
        int length = key.readableBytes();
        if (length <= MAX_RAW_KEY) {
            return new Key(ByteBufUtil.getBytes(key));
        }
        sha256.reset();
        sha256.update(key.nioBuffer());
        byte[] digest = sha256.digest();
        byte[] tagged = Arrays.copyOf(digest, digest.length + 1);
        tagged[digest.length] = 1; // 33 bytes: longer than any raw key
        return new Key(tagged);
    }

    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
