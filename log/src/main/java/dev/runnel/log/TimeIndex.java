package dev.runnel.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The sparse time index of a segment ({@code <base offset>.timeindex}), byte-compatible with Kafka's. An entry
 * (T, O) says: the largest timestamp in the segment before offset O (inclusive) is T, so any record with a
 * timestamp above T comes after O. Entries are written alongside offset index entries, only when the largest
 * timestamp grew, plus one final entry when the segment is rolled or closed. Big-endian, 12 bytes each:
 *
 * <pre>
 * offset  size  field
 *  0       8    timestamp        (int64, milliseconds)
 *  8       4    relative offset  (int32: offset - segment base offset)
 * </pre>
 *
 * Timestamps strictly increase, offsets never decrease. Owning thread: see {@link SparseIndex}.
 */
final class TimeIndex extends SparseIndex {
    static final int ENTRY_SIZE = 12;

    TimeIndex(Path file, long baseOffset, int maxEntries, LogResources resources) {
        super(file, baseOffset, maxEntries, resources);
    }

    @Override
    int entrySize() {
        return ENTRY_SIZE;
    }

    @Override
    void encode(ByteBuffer out, long timestamp, long offset) {
        out.putLong(timestamp).putInt((int) (offset - baseOffset));
    }

    @Override
    void decode(ByteBuffer in, long[] keyValue) {
        keyValue[0] = in.getLong();
        keyValue[1] = baseOffset + in.getInt();
    }

    @Override
    void validate(IndexEntries entries, long segmentSize) throws CorruptIndexException {
        long lastTimestamp = Long.MIN_VALUE;
        long lastOffset = baseOffset;
        for (int i = 0; i < entries.count(); i++) {
            long timestamp = entries.key(i);
            long offset = entries.value(i);
            if (timestamp <= lastTimestamp || offset < lastOffset) {
                throw new CorruptIndexException("time index " + file + " entry " + i + " (" + timestamp + ", "
                        + offset + ") out of order");
            }
            lastTimestamp = timestamp;
            lastOffset = offset;
        }
    }

    /** The offset to start a timestamp search from: the last entry with a timestamp below the target, or base. */
    long lookup(long timestamp, long segmentSize) throws IOException, CorruptIndexException {
        IndexEntries entries = entries(segmentSize);
        // An entry (T, O) with T < target only proves records up to O are too old; records after O may match.
        int slot = entries.floorByKey(timestamp - 1);
        return slot < 0 ? baseOffset : entries.value(slot);
    }

    /** The last entry as {timestamp, offset}, or null when empty. */
    long[] lastEntry(long segmentSize) throws IOException, CorruptIndexException {
        IndexEntries entries = entries(segmentSize);
        int n = entries.count();
        return n == 0 ? null : new long[] {entries.key(n - 1), entries.value(n - 1)};
    }

    /**
     * Appends (timestamp, offset) if the timestamp is larger than the last one. {@code force} ignores the
     * full check: the slot Kafka reserves for the roll/close entry.
     */
    void maybeAppend(long timestamp, long offset, boolean force) throws IOException {
        if (!force && isFull()) {
            return;
        }
        IndexEntries entries = pinnedEntries();
        int n = entries.count();
        if (n == 0 || timestamp > entries.key(n - 1)) {
            append(timestamp, offset);
        }
    }

    /** Kafka keeps the last slot free for the entry written on roll. */
    boolean isFullForAppend() {
        IndexEntries entries = pinnedEntries();
        return entries != null && entries.count() >= maxEntries - 1;
    }

    /** Removes the entries for offsets at or above {@code offset}. */
    void truncateTo(long offset, long segmentSize) throws IOException, CorruptIndexException {
        IndexEntries entries = entries(segmentSize);
        truncateEntries(entries, entries.firstWithValueAtLeast(offset));
    }

    private IndexEntries pinnedEntries() {
        try {
            return entries(0);
        } catch (IOException | CorruptIndexException e) {
            throw new IllegalStateException("the active segment's time index is always pinned", e);
        }
    }
}
