package dev.runnel.log;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a partition's segments on any thread while the writer may swap segment files underneath (the log cleaner
 * renames replaced files away and cleaned ones into the same names). A sequence lock makes a swap one step for
 * readers: the counter is odd while a swap is in progress; a reader waits for an even value, reads, and reads again
 * if the counter moved meanwhile, so it never mixes a segment's old in-memory state with its new files. Slices
 * handed out before a swap keep their leases on the old files. Swaps are rare and take a few renames.
 */
final class SegmentReader {
    /** A change of segment files, run by the writer between the two counter increments. */
    interface Swap {
        void run() throws IOException;
    }

    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final AtomicLong swaps = new AtomicLong();

    SegmentReader(ConcurrentSkipListMap<Long, LogSegment> segments) {
        this.segments = segments;
    }

    /**
     * A slice from the batch holding {@code offset} (see {@link PartitionLog#read}); the caller releases it.
     *
     * @throws NoSuchFileException when a file disappeared for another reason than a swap (retention)
     */
    LogSlice read(long offset, int maxBytes, boolean minOneBatch, long maxOffset) throws IOException {
        while (true) {
            long before = stableCount();
            try {
                LogSlice slice = LogSlice.empty();
                for (Map.Entry<Long, LogSegment> e = segments.floorEntry(offset); e != null; e = segments.higherEntry(e.getKey())) {
                    LogSlice found = e.getValue().read(offset, maxBytes, maxOffset, minOneBatch);
                    if (found != null) {
                        slice = found;
                        break;
                    }
                }
                if (swaps.get() == before) {
                    return slice;
                }
                slice.release(); // overlapped a swap: the files read may not match the segments read
            } catch (NoSuchFileException e) {
                if (swaps.get() == before) {
                    throw e;
                }
            }
        }
    }

    /**
     * ListOffsets by timestamp over the segments (the special timestamps are the log's business): the first record
     * at or after {@code timestamp} with an offset of at least {@code start}, or for {@link PartitionLog#MAX_TIMESTAMP}
     * the record with the largest timestamp; {@link TimestampAndOffset#NONE} if it is not below {@code limit}.
     */
    TimestampAndOffset searchTimestamp(long timestamp, long start, long limit) throws IOException {
        while (true) {
            long before = stableCount();
            try {
                TimestampAndOffset found = timestamp == PartitionLog.MAX_TIMESTAMP ? searchMax(start) : searchFirst(timestamp, start);
                if (swaps.get() == before) {
                    return found != null && found.offset() < limit ? found : TimestampAndOffset.NONE;
                }
            } catch (NoSuchFileException e) {
                if (swaps.get() == before) {
                    throw e;
                }
            }
        }
    }

    private TimestampAndOffset searchMax(long start) throws IOException {
        LogSegment best = null;
        for (LogSegment segment : segments.values()) {
            if (best == null || segment.maxTimestampSoFar() > best.maxTimestampSoFar()) {
                best = segment;
            }
        }
        return best == null || best.maxTimestampSoFar() < 0 ? null : best.findOffsetByTimestamp(best.maxTimestampSoFar(), start);
    }

    private TimestampAndOffset searchFirst(long timestamp, long start) throws IOException {
        for (LogSegment segment : segments.values()) {
            if (segment.maxTimestampSoFar() >= timestamp) {
                TimestampAndOffset found = segment.findOffsetByTimestamp(timestamp, start);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** Runs {@code swap} (writer thread) as one step for readers. */
    void swap(Swap swap) throws IOException {
        swaps.incrementAndGet();
        try {
            swap.run();
        } finally {
            swaps.incrementAndGet();
        }
    }

    private long stableCount() {
        long count;
        while (((count = swaps.get()) & 1) != 0) {
            Thread.onSpinWait();
        }
        return count;
    }
}
