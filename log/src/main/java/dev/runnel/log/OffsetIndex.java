package dev.runnel.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The sparse offset index of a segment ({@code <base offset>.index}), byte-compatible with Kafka's. Each entry maps
 * the last offset of a batch to the position of that batch in the {@code .log} file; one entry is written per
 * {@code index.interval.bytes} of log. A lookup finds the greatest entry at or below the target offset, and the
 * log is scanned from there. Entries are big-endian, 8 bytes each, with nothing before or after them:
 *
 * <pre>
 * offset  size  field
 *  0       4    relative offset  (int32: offset - segment base offset)
 *  4       4    position         (int32: byte position of the batch in the .log file)
 * </pre>
 *
 * Offsets and positions strictly increase. Owning thread: see {@link SparseIndex}.
 */
final class OffsetIndex extends SparseIndex {
    static final int ENTRY_SIZE = 8;

    OffsetIndex(Path file, long baseOffset, int maxEntries, LogResources resources) {
        super(file, baseOffset, maxEntries, resources);
    }

    @Override
    int entrySize() {
        return ENTRY_SIZE;
    }

    @Override
    void encode(ByteBuffer out, long offset, long position) {
        out.putInt((int) (offset - baseOffset)).putInt((int) position);
    }

    @Override
    void decode(ByteBuffer in, long[] keyValue) {
        keyValue[0] = baseOffset + in.getInt();
        keyValue[1] = in.getInt();
    }

    @Override
    void validate(IndexEntries entries, long segmentSize) throws CorruptIndexException {
        long lastOffset = baseOffset - 1;
        long lastPosition = -1;
        for (int i = 0; i < entries.count(); i++) {
            long offset = entries.key(i);
            long position = entries.value(i);
            if (offset <= lastOffset || position <= lastPosition || position >= segmentSize) {
                throw new CorruptIndexException("offset index " + file + " entry " + i + " (" + offset + ", "
                        + position + ") out of order or beyond the segment's " + segmentSize + " bytes");
            }
            lastOffset = offset;
            lastPosition = position;
        }
    }

    /** The position to start scanning from for {@code offset}: an indexed batch at or before it, or 0. */
    int lookup(long offset, long segmentSize) throws IOException, CorruptIndexException {
        IndexEntries entries = entries(segmentSize);
        int slot = entries.floorByKey(offset);
        return slot < 0 ? 0 : (int) entries.value(slot);
    }

    void add(long lastOffsetOfBatch, int position) throws IOException {
        append(lastOffsetOfBatch, position);
    }

    /** Removes the entries for offsets at or above {@code offset}. */
    void truncateTo(long offset, long segmentSize) throws IOException, CorruptIndexException {
        IndexEntries entries = entries(segmentSize);
        truncateEntries(entries, entries.floorByKey(offset - 1) + 1);
    }
}
