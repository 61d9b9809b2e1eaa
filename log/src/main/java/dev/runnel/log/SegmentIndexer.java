package dev.runnel.log;

/**
 * Kafka's index rule for one segment, shared by appends, recovery and the log cleaner so that all three write the
 * same index files: after more than {@code index.interval.bytes} of log since the last entry, the next batch gets an
 * offset index entry (its last offset, its position) and, if the largest timestamp grew, a time index entry (largest
 * timestamp so far, the offset of the batch holding it). A rolled segment ends with one more time index entry for
 * its largest timestamp. Accumulates entries in memory; used by one thread.
 */
final class SegmentIndexer {
    private final long baseOffset;
    private final int indexIntervalBytes;
    final IndexEntries offsets = new IndexEntries(16);
    final IndexEntries times = new IndexEntries(16);
    private long maxTimestamp = -1;
    private long offsetOfMaxTimestamp;
    private long lastIndexedPosition;

    SegmentIndexer(long baseOffset, int indexIntervalBytes) {
        this.baseOffset = baseOffset;
        this.indexIntervalBytes = indexIntervalBytes;
        this.offsetOfMaxTimestamp = baseOffset;
    }

    /** Accounts for the batch at {@code position} (batches must come in file order). */
    void add(long position, long lastOffset, long batchMaxTimestamp) {
        if (batchMaxTimestamp > maxTimestamp) {
            maxTimestamp = batchMaxTimestamp;
            offsetOfMaxTimestamp = lastOffset;
        }
        if (position - lastIndexedPosition > indexIntervalBytes) {
            offsets.add(lastOffset, position);
            appendTime();
            lastIndexedPosition = position;
        }
    }

    /** The entry Kafka writes when a segment stops being active. */
    void finishRolled() {
        if (maxTimestamp >= 0) {
            appendTime();
        }
    }

    private void appendTime() {
        if (times.count() == 0 || maxTimestamp > times.key(times.count() - 1)) {
            times.add(maxTimestamp, offsetOfMaxTimestamp);
        }
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    long offsetOfMaxTimestamp() {
        return offsetOfMaxTimestamp;
    }

    /** Log bytes since the last indexed batch started, for a segment that goes on appending at {@code end}. */
    int bytesSinceLastEntry(long end) {
        return (int) (end - lastIndexedPosition);
    }

    long baseOffset() {
        return baseOffset;
    }
}
