package dev.runnel.log;

import dev.runnel.wire.record.RecordBatchView;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;

/**
 * One segment of a partition log: {@code <base offset>.log} (record batches exactly as appended, concatenated) with
 * its sparse {@link OffsetIndex} and {@link TimeIndex}. The base offset is at or below every offset in the segment
 * and above every offset of the previous segment.
 *
 * <p>Owning thread: the partition's writer appends, truncates, rolls and recovers. Readers on other threads call
 * {@link #read}, {@link #findOffsetByTimestamp} and the getters; they see only bytes below {@link #size()}, which
 * the writer publishes (volatile) after the bytes and index entries are written.
 */
final class LogSegment {
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final long baseOffset;
    private final Path logFile;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final LogResources resources;
    private final int indexIntervalBytes;

    private volatile int size;
    /** Bytes written or truncated since the last fsync; false only when the file is known to be on disk. */
    private volatile boolean unflushed = true;
    private volatile long maxTimestamp = UNKNOWN;
    private volatile long offsetOfMaxTimestamp = UNKNOWN;
    private int bytesSinceLastIndexEntry;
    private long firstBatchTimestamp = UNKNOWN;
    private long created;

    private LogSegment(Path dir, long baseOffset, LogConfig config, LogResources resources, int size) {
        this.baseOffset = baseOffset;
        this.logFile = LogFiles.logFile(dir, baseOffset);
        this.offsetIndex = new OffsetIndex(LogFiles.offsetIndexFile(dir, baseOffset), baseOffset, config.maxOffsetIndexEntries(), resources);
        this.timeIndex = new TimeIndex(LogFiles.timeIndexFile(dir, baseOffset), baseOffset, config.maxTimeIndexEntries(), resources);
        this.resources = resources;
        this.indexIntervalBytes = config.indexIntervalBytes();
        this.size = size;
        this.created = resources.clock().millis();
    }

    /**
     * Creates the empty log file of a new segment, its indexes pinned empty; their files are created with their first
     * entry ({@link SparseIndex}), so a new partition costs one file. An empty file needs no fsync (a crash that loses
     * it loses no data: a missing segment is recreated at open), so the segment starts flushed; the first write marks
     * it dirty.
     */
    static LogSegment create(Path dir, long baseOffset, LogConfig config, LogResources resources) throws IOException {
        LogSegment segment = new LogSegment(dir, baseOffset, config, resources, 0);
        try {
            Files.createFile(segment.logFile);
        } catch (FileAlreadyExistsException e) {
            // a new inode, not a truncated one: a reader may still be sending the old file's bytes
            Files.delete(segment.logFile);
            Files.createFile(segment.logFile);
        }
        segment.offsetIndex.pinEmpty(true);
        segment.timeIndex.pinEmpty(true);
        segment.markFlushed();
        segment.maxTimestamp = -1;
        segment.offsetOfMaxTimestamp = baseOffset;
        return segment;
    }

    /** Opens an existing segment without reading it; indexes load on first use. */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, LogResources resources) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(LogFiles.logFile(dir, baseOffset), BasicFileAttributes.class);
        if (attributes.size() > Integer.MAX_VALUE) {
            throw new IOException("segment larger than 2 GiB: " + LogFiles.logFile(dir, baseOffset));
        }
        LogSegment segment = new LogSegment(dir, baseOffset, config, resources, (int) attributes.size());
        segment.created = attributes.lastModifiedTime().toMillis();
        return segment;
    }

    long baseOffset() {
        return baseOffset;
    }

    int size() {
        return size;
    }

    Path logFile() {
        return logFile;
    }

    Path offsetIndexFile() {
        return offsetIndex.file();
    }

    Path timeIndexFile() {
        return timeIndex.file();
    }

    /** Whether {@code offset} fits the indexes' 32-bit relative offsets. */
    boolean canHold(long offset) {
        return offset - baseOffset <= Integer.MAX_VALUE && offset >= baseOffset;
    }

    boolean indexesFull() {
        return offsetIndex.isFull() || timeIndex.isFullForAppend();
    }

    /** Kafka's segment.ms rule: time since the first batch's timestamp, or since creation when it has none. */
    long timeWaitedForRoll(long now, long newBatchTimestamp) throws IOException {
        long first = firstBatchTimestamp();
        return first >= 0 ? newBatchTimestamp - first : now - created;
    }

    /** Makes this the active segment: its indexes stay in memory for appends. */
    void activate() throws IOException {
        try {
            offsetIndex.pin(size);
            timeIndex.pin(size);
        } catch (CorruptIndexException e) {
            rebuildIndexes(true);
        }
    }

    /**
     * Appends {@code records} (borrowed: complete, validated batches with offsets already assigned) at the end of
     * the file with one positional write, then adds the index entries and publishes the new size.
     */
    void append(ByteBuf records) throws IOException {
        int position = size;
        SharedChannel channel = resources.files().acquire(logFile);
        try {
            long at = position;
            for (ByteBuffer part : records.nioBuffers(records.readerIndex(), records.readableBytes())) {
                while (part.hasRemaining()) {
                    at += channel.channel().write(part, at);
                }
            }
        } finally {
            channel.release();
        }
        if (position == 0 && firstBatchTimestamp == UNKNOWN) {
            firstBatchTimestamp = new RecordBatchView(records, records.readerIndex()).maxTimestamp();
        }
        RecordBatchView batch = new RecordBatchView();
        for (int i = records.readerIndex(); i < records.writerIndex(); i += batch.sizeInBytes()) {
            batch.wrap(records, i);
            indexBatch(position + i - records.readerIndex(), batch.sizeInBytes(), batch.lastOffset(), batch.maxTimestamp());
        }
        size = position + records.readableBytes();
        unflushed = true;
    }

    /** The index rule shared by append and recovery, so both produce the same index files (Kafka's recover()). */
    private void indexBatch(int position, int batchSize, long lastOffset, long batchMaxTimestamp) throws IOException {
        if (batchMaxTimestamp > maxTimestampSoFar()) {
            offsetOfMaxTimestamp = lastOffset;
            maxTimestamp = batchMaxTimestamp;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            offsetIndex.add(lastOffset, position);
            timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp, false);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batchSize;
    }

    /**
     * A slice from the batch holding {@code startOffset} (or the first batch after it), at most {@code maxBytes}
     * long (at least one batch if {@code minOneBatch}) and ending before the batch holding {@code maxOffset}.
     * Null when no batch in this segment reaches {@code startOffset}. The segment size is read once, so a
     * concurrent append cannot slip bytes past {@code maxOffset} into the slice.
     */
    LogSlice read(long startOffset, int maxBytes, long maxOffset, boolean minOneBatch) throws IOException {
        int end = size;
        SharedChannel channel = resources.files().acquire(logFile);
        boolean handedOver = false;
        try {
            FileBatches batches = new FileBatches(channel.channel());
            long limit = end;
            if (maxOffset != Long.MAX_VALUE && batches.seekToOffset(maxOffset, indexedPosition(maxOffset, end), end)) {
                limit = batches.position;
            }
            if (!batches.seekToOffset(startOffset, indexedPosition(startOffset, end), end)) {
                return null;
            }
            int sizeLimit = minOneBatch ? Math.max(maxBytes, batches.size) : maxBytes;
            int length = (int) Math.min(limit - batches.position, sizeLimit);
            if (length <= 0) {
                return LogSlice.empty();
            }
            handedOver = true;
            return new LogSlice(channel, batches.position, length, batches.baseOffset);
        } finally {
            if (!handedOver) {
                channel.release();
            }
        }
    }

    /** Position of the first batch whose last offset is at least {@code offset}, or -1 if none (below size). */
    int positionOf(long offset) throws IOException {
        int end = size;
        SharedChannel channel = resources.files().acquire(logFile);
        try {
            FileBatches batches = new FileBatches(channel.channel());
            return batches.seekToOffset(offset, indexedPosition(offset, end), end) ? (int) batches.position : -1;
        } finally {
            channel.release();
        }
    }

    /** The first record at or after {@code timestamp} with offset at least {@code minOffset}, or null. */
    TimestampAndOffset findOffsetByTimestamp(long timestamp, long minOffset) throws IOException {
        int end = size;
        long fromOffset;
        try {
            fromOffset = Math.max(timeIndex.lookup(timestamp, end), minOffset);
        } catch (CorruptIndexException e) {
            rebuildIndexes(false);
            return findOffsetByTimestamp(timestamp, minOffset);
        }
        TimestampAndOffset[] found = new TimestampAndOffset[1];
        SharedChannel channel = resources.files().acquire(logFile);
        try {
            FileBatches.forEach(channel, indexedPosition(fromOffset, end), end, minOffset, timestamp,
                    batch -> (found[0] = RecordTimestamps.find(batch, timestamp, minOffset)) == null);
            return found[0];
        } finally {
            channel.release();
        }
    }

    /** Calls {@code visitor} with every batch whose last offset is at least {@code fromOffset}, in order. */
    void forEachBatchFrom(long fromOffset, Consumer<RecordBatchView> visitor) throws IOException {
        int end = size;
        SharedChannel channel = resources.files().acquire(logFile);
        try {
            FileBatches.forEach(channel, indexedPosition(fromOffset, end), end, fromOffset, Long.MIN_VALUE, batch -> {
                visitor.accept(batch);
                return true;
            });
        } finally {
            channel.release();
        }
    }

    /** The offset after the last batch, or the base offset when empty. Reads from the last index entry on. */
    long readNextOffset() throws IOException {
        int end = size;
        if (end == 0) {
            return baseOffset;
        }
        long from;
        try {
            IndexEntries entries = offsetIndex.entries(end);
            from = entries.count() == 0 ? 0 : entries.value(entries.count() - 1);
        } catch (CorruptIndexException e) {
            from = 0;
        }
        SharedChannel channel = resources.files().acquire(logFile);
        try {
            long next = new FileBatches(channel.channel()).nextOffsetAfter(from, end);
            return next < 0 ? baseOffset : next;
        } finally {
            channel.release();
        }
    }

    /** The largest timestamp in the segment (-1 if no batch has one). May load the time index. */
    long maxTimestampSoFar() throws IOException {
        if (maxTimestamp == UNKNOWN) {
            try {
                long[] last = timeIndex.lastEntry(size);
                offsetOfMaxTimestamp = last == null ? baseOffset : last[1];
                maxTimestamp = last == null ? -1 : last[0];
            } catch (CorruptIndexException e) {
                rebuildIndexes(false);
            }
        }
        return maxTimestamp;
    }

    /** The offset of the batch holding {@link #maxTimestampSoFar()} (its last offset, as Kafka reports it). */
    long offsetOfMaxTimestampSoFar() throws IOException {
        maxTimestampSoFar();
        return offsetOfMaxTimestamp;
    }

    /** For retention: the largest timestamp, or the file's modification time when no batch has one. */
    long largestTimestamp() throws IOException {
        long max = maxTimestampSoFar();
        return max >= 0 ? max : Files.getLastModifiedTime(logFile).toMillis();
    }

    /**
     * Kafka's recover(): validates every batch, truncates the file at the first bad one and rewrites both indexes
     * ({@link SegmentRecovery}). {@code visitor} sees each valid batch (leader epochs, producer state).
     *
     * @param nextSegmentBase the next segment's base offset (no offset here may reach it), or Long.MAX_VALUE
     * @return the number of bytes truncated
     */
    int recover(long nextSegmentBase, boolean active, Consumer<RecordBatchView> visitor) throws IOException {
        SegmentRecovery.Result result = SegmentRecovery.scan(this, indexIntervalBytes, nextSegmentBase, resources, visitor);
        SegmentIndexer indexer = result.indexer();
        if (!active) {
            indexer.finishRolled();
        }
        offsetIndex.replace(indexer.offsets, active);
        timeIndex.replace(indexer.times, active);
        size = (int) result.validBytes();
        maxTimestamp = indexer.maxTimestamp();
        offsetOfMaxTimestamp = indexer.offsetOfMaxTimestamp();
        bytesSinceLastIndexEntry = indexer.bytesSinceLastEntry(result.validBytes());
        firstBatchTimestamp = UNKNOWN;
        return (int) result.truncatedBytes();
    }

    /** Rebuilds missing or corrupt indexes from the log; the data itself was already trusted. */
    synchronized void rebuildIndexes(boolean active) throws IOException {
        recover(Long.MAX_VALUE, active, batch -> { });
    }

    /**
     * Removes every batch whose last offset is at or above {@code offset} (a batch holding {@code offset} goes
     * whole). Returns the bytes removed.
     */
    int truncateTo(long offset) throws IOException {
        int position = positionOf(offset);
        if (position < 0) {
            return 0;
        }
        try {
            offsetIndex.truncateTo(offset, size);
            timeIndex.truncateTo(offset, size);
        } catch (CorruptIndexException e) {
            throw new IllegalStateException("the active segment's indexes are pinned", e);
        }
        int removed = size - position;
        SharedChannel channel = resources.files().acquire(logFile);
        try {
            channel.channel().truncate(position);
        } finally {
            channel.release();
        }
        unflushed = true;
        size = position;
        maxTimestamp = UNKNOWN;
        bytesSinceLastIndexEntry = 0;
        if (position == 0) {
            firstBatchTimestamp = UNKNOWN;
            created = resources.clock().millis();
        }
        recomputeMaxTimestamp();
        return removed;
    }

    private void recomputeMaxTimestamp() throws IOException {
        SharedChannel channel = resources.files().acquire(logFile);
        try {
            long[] max = new FileBatches(channel.channel()).maxTimestampAndOffset(size, baseOffset);
            offsetOfMaxTimestamp = max[1];
            maxTimestamp = max[0];
        } finally {
            channel.release();
        }
    }

    /**
     * Kafka's onBecomeInactiveSegment: a final time index entry for the segment's max timestamp. Also at a clean
     * close, so every segment left behind has both index files, even empty, as Kafka's loader expects of a cleanly
     * shut down log (a new segment creates them only with its first entry).
     */
    void deactivate() throws IOException {
        long max = maxTimestampSoFar();
        if (max >= 0) {
            timeIndex.maybeAppend(max, offsetOfMaxTimestamp, true);
        }
        offsetIndex.unpin(true);
        timeIndex.unpin(true);
    }

    /** Forces the log file and the indexes to disk, each only if written since its last flush. */
    void flush() throws IOException {
        if (unflushed) {
            unflushed = false; // before the force: a write racing with it sets it again
            SharedChannel channel = resources.files().acquire(logFile);
            try {
                channel.channel().force(true);
            } catch (IOException | RuntimeException e) {
                unflushed = true;
                throw e;
            } finally {
                channel.release();
            }
        }
        offsetIndex.flush();
        timeIndex.flush();
    }

    /** Whether the log file has writes not yet forced to disk. */
    boolean unflushed() {
        return unflushed;
    }

    /** The files are known to be on disk (opened after a clean shutdown): the next flush forces nothing. */
    void markFlushed() {
        unflushed = false;
        offsetIndex.markFlushed();
        timeIndex.markFlushed();
    }

    /** Renames the files to {@code .deleted} (readers holding slices keep reading) and forgets cached state. */
    void markDeleted() throws IOException {
        for (Path file : files()) {
            resources.files().invalidate(file);
            if (Files.exists(file)) {
                // replaces a .deleted file of an earlier segment at this base offset (compacted twice within the delay)
                Files.move(file, file.resolveSibling(file.getFileName() + LogFiles.DELETED_SUFFIX),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        offsetIndex.forget();
        timeIndex.forget();
    }

    /** Deletes the files now (used when truncation removes whole segments). */
    void deleteNow() throws IOException {
        offsetIndex.forget();
        timeIndex.forget();
        for (Path file : files()) {
            resources.files().invalidate(file);
            Files.deleteIfExists(file);
        }
    }

    /** Forgets cached handles and indexes; the active segment is deactivated by its log first. */
    void close() {
        for (Path file : files()) {
            resources.files().invalidate(file);
        }
        offsetIndex.forget();
        timeIndex.forget();
    }

    private Path[] files() {
        return new Path[] {logFile, offsetIndex.file(), timeIndex.file()};
    }

    private int indexedPosition(long offset, int end) throws IOException {
        try {
            return offsetIndex.lookup(offset, end);
        } catch (CorruptIndexException e) {
            rebuildIndexes(false);
            return 0;
        }
    }

    /** The max timestamp of the first batch (Kafka's segment.ms and max.compaction.lag.ms clock), or -1. */
    long firstBatchTimestamp() throws IOException {
        if (firstBatchTimestamp == UNKNOWN && size > 0) {
            SharedChannel channel = resources.files().acquire(logFile);
            try {
                FileBatches batches = new FileBatches(channel.channel());
                firstBatchTimestamp = batches.readAt(0, size) ? batches.maxTimestamp : -1;
            } finally {
                channel.release();
            }
        }
        return firstBatchTimestamp == UNKNOWN ? -1 : firstBatchTimestamp;
    }

    @Override
    public String toString() {
        return "LogSegment(" + logFile + ", size=" + size + ")";
    }
}
