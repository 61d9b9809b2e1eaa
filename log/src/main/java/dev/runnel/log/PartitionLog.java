package dev.runnel.log;

import dev.runnel.wire.record.InvalidRecordException;
import dev.runnel.wire.record.RecordBatchView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * The log of one partition: an ordered set of {@link LogSegment}s in {@code <topic>-<partition>/}, the last one
 * active. Appends assign offsets and write batches as received; reads return file slices.
 *
 * <p>Threading: one writer thread (the partition's lane) calls every mutating method ({@code append*}, {@code roll},
 * {@code truncate*}, {@code deleteRecordsBefore}, {@link #deleteOldSegments}, {@link LogCleaner}, {@code close}). Any thread may call
 * {@link #read}, {@link #offsetForTimestamp}, the offset getters, {@link #setHighWatermark} and {@link #flush}.
 * Readers see only published state: segments in a concurrent map, and volatile log start offset, log end offset
 * and high watermark written after the data they describe.
 *
 * <p>Errors: an {@link IOException} becomes a {@link LogStorageException} and takes the log offline (every later
 * call throws it); the log directory is told through {@code onStorageFailure}.
 */
public final class PartitionLog implements AutoCloseable {
    /** ListOffsets special timestamps (Kafka's ListOffsetsRequest constants). */
    public static final long LATEST_TIMESTAMP = -1;
    public static final long EARLIEST_TIMESTAMP = -2;
    public static final long MAX_TIMESTAMP = -3;
    public static final long EARLIEST_LOCAL_TIMESTAMP = -4;

    private final TopicPartition topicPartition;
    private final Path dir;
    private final LogResources resources;
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final ProducerStateHook producerState;
    private final GroupCommitFlusher flusher;
    private final Consumer<LogStorageException> onStorageFailure;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final LeaderEpochCache epochs;
    private final SegmentRetention retention;
    private final SegmentReader reader;
    private volatile LogConfig config;
    private volatile LogSegment active;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    private volatile long firstUnstableOffset = -1;
    private volatile long recoveryPoint;
    /**
     * The end of the last append that the flush policy ({@code flush.messages}) wants on disk before it is
     * acknowledged or read, and the group-committed flush that puts it there: until that flush is done, the high
     * watermark stops at the recovery point, as Kafka flushes such an append before its high watermark moves.
     */
    private volatile long requiredDurableEnd;
    private volatile CompletableFuture<Void> requiredFlush = DONE;
    private volatile long lastFlushMs;
    private volatile boolean highWatermarkFollowsLogEnd = true;
    private volatile LogStorageException failure;
    /** The log cleaner's checkpoint: offsets below it are clean (Kafka's cleaner-offset-checkpoint entry). */
    private volatile long firstDirtyOffset;
    /** {@code partition.metadata} was written and not yet forced ({@link PartitionMetadataFile}). */
    private volatile boolean partitionMetadataUnflushed;

    private PartitionLog(TopicPartition topicPartition, Path dir, LogConfig config, LogResources resources,
                         ProducerStateHook producerState, GroupCommitFlusher flusher,
                         Consumer<LogStorageException> onStorageFailure, PartitionLogLoader.Loaded loaded) {
        this.topicPartition = topicPartition;
        this.dir = dir;
        this.config = config;
        this.resources = resources;
        this.producerState = producerState;
        this.flusher = flusher;
        this.onStorageFailure = onStorageFailure;
        this.segments = loaded.segments();
        this.epochs = loaded.epochs();
        this.active = segments.lastEntry().getValue();
        this.logStartOffset = loaded.logStartOffset();
        this.logEndOffset = loaded.logEndOffset();
        this.highWatermark = loaded.logEndOffset();
        this.recoveryPoint = loaded.recoveryPoint();
        this.lastFlushMs = resources.clock().millis();
        this.retention = new SegmentRetention(this);
        this.reader = new SegmentReader(segments);
        publishUnstable();
    }

    private void publishUnstable() {
        firstUnstableOffset = producerState.firstUnstableOffset();
    }

    /**
     * Opens (or creates) the log in {@code dir}.
     *
     * @param recoveryPoint   offsets below it are known flushed (from {@code recovery-point-offset-checkpoint})
     * @param logStartOffset  from {@code log-start-offset-checkpoint}, or 0
     * @param cleanShutdown   the log directory had Kafka's clean-shutdown marker: skip recovery
     * @param flusher         group commit for {@link #flushAsync}; null flushes on the calling thread
     */
    public static PartitionLog open(Path dir, TopicPartition topicPartition, LogConfig config, LogResources resources,
                                    long recoveryPoint, long logStartOffset, boolean cleanShutdown,
                                    ProducerStateHook producerState, GroupCommitFlusher flusher,
                                    Consumer<LogStorageException> onStorageFailure) {
        try {
            PartitionLogLoader.Loaded loaded = PartitionLogLoader.load(dir, config, resources, recoveryPoint,
                    logStartOffset, cleanShutdown, producerState);
            return new PartitionLog(topicPartition, dir, config, resources, producerState, flusher, onStorageFailure, loaded);
        } catch (IOException e) {
            LogStorageException failure = new LogStorageException("cannot open log " + dir, e);
            onStorageFailure.accept(failure);
            throw failure;
        }
    }

    /**
     * Creates an empty log in {@code dir}, a directory the caller just created: nothing is read and nothing forced
     * ({@link PartitionLogLoader#create}).
     */
    public static PartitionLog create(Path dir, TopicPartition topicPartition, LogConfig config, LogResources resources,
                                      ProducerStateHook producerState, GroupCommitFlusher flusher,
                                      Consumer<LogStorageException> onStorageFailure) {
        try {
            PartitionLogLoader.Loaded loaded = PartitionLogLoader.create(dir, config, resources, producerState);
            return new PartitionLog(topicPartition, dir, config, resources, producerState, flusher, onStorageFailure, loaded);
        } catch (IOException e) {
            LogStorageException failure = new LogStorageException("cannot create log " + dir, e);
            onStorageFailure.accept(failure);
            throw failure;
        }
    }

    /**
     * Appends produced batches as the leader. {@code records} (borrowed) must hold only complete v2 batches; each
     * is validated (size, magic, length, CRC, {@code max.message.bytes}, producer state), then offsets from the log
     * end offset, {@code leaderEpoch} and, under LogAppendTime, the broker time are written into the caller's
     * buffer in place, and the bytes are appended with one write. Nothing changes if validation fails.
     *
     * @throws InvalidRecordException   a corrupt or malformed batch ({@code CORRUPT_MESSAGE})
     * @throws InvalidRecordKeyException a record without a key on a compacted topic ({@code INVALID_RECORD})
     * @throws RecordTooLargeException  a batch over {@code max.message.bytes} or a request over {@code segment.bytes}
     * @throws LogStorageException      an I/O error; the log is offline
     */
    public AppendResult appendAsLeader(ByteBuf records, int leaderEpoch) {
        checkOnline();
        LogConfig cfg = config;
        AppendBatches batches = AppendBatches.validate(records, cfg);
        if (cfg.compact()) {
            AppendBatches.requireKeys(records, topicPartition, ByteBufAllocator.DEFAULT);
        }
        RecordBatchView view = new RecordBatchView();
        for (int at = records.readerIndex(); at < records.writerIndex(); at += view.sizeInBytes()) {
            AppendResult duplicate = producerState.checkBatch(view.wrap(records, at));
            if (duplicate != null) {
                return new AppendResult(duplicate.baseOffset(), duplicate.lastOffset(), duplicate.logAppendTime(),
                        logStartOffset, true);
            }
        }
        long now = resources.clock().millis();
        long base = logEndOffset;
        try {
            long maxTimestamp = cfg.logAppendTime() ? now : batches.maxTimestamp();
            maybeRoll(records.readableBytes(), maxTimestamp, base + batches.offsetCount() - 1, now);
            long next = base;
            for (int at = records.readerIndex(); at < records.writerIndex(); at += view.sizeInBytes()) {
                view.wrap(records, at);
                view.setBaseOffset(next);
                view.setPartitionLeaderEpoch(leaderEpoch);
                if (cfg.logAppendTime()) {
                    view.setLogAppendTime(now);
                }
                next = view.nextOffset();
            }
            active.append(records);
            epochs.assign(leaderEpoch, base);
            for (int at = records.readerIndex(); at < records.writerIndex(); at += view.sizeInBytes()) {
                producerState.onAppend(view.wrap(records, at));
            }
            publishUnstable(); // before the end moves, so read_committed never sees a new transaction's records
            boolean flushDue = next - recoveryPoint >= cfg.flushMessages();
            if (flushDue) {
                requiredDurableEnd = next; // before the end moves, so the high watermark waits for the flush
            }
            publishEnd(next);
            if (flushDue) {
                requiredFlush = flushAsync(next);
            }
            return new AppendResult(base, next - 1, cfg.logAppendTime() ? now : -1, logStartOffset, false);
        } catch (IOException e) {
            throw fail("append to " + topicPartition, e);
        }
    }

    /**
     * Appends batches fetched from the leader, keeping their offsets and leader epochs. The first batch must
     * start at or after the log end offset.
     */
    public AppendResult appendAsFollower(ByteBuf records) {
        checkOnline();
        AppendBatches batches = AppendBatches.validate(records, config);
        RecordBatchView first = new RecordBatchView(records, records.readerIndex());
        if (first.baseOffset() < logEndOffset || !batches.offsetsIncrease()) {
            throw new InvalidRecordException("follower batches out of order at " + first.baseOffset()
                    + ", log end offset " + logEndOffset);
        }
        try {
            long now = resources.clock().millis();
            maybeRoll(records.readableBytes(), batches.maxTimestamp(), batches.lastOffset(), now);
            if (first.baseOffset() > logEndOffset && active.size() > 0) {
                roll(first.baseOffset()); // a gap (compacted leader): the segment base must not exceed its first offset
            }
            active.append(records);
            RecordBatchView view = new RecordBatchView();
            for (int at = records.readerIndex(); at < records.writerIndex(); at += view.sizeInBytes()) {
                view.wrap(records, at);
                epochs.assign(view.partitionLeaderEpoch(), view.baseOffset());
                producerState.onReplay(view);
            }
            publishUnstable();
            publishEnd(batches.lastOffset() + 1);
            return new AppendResult(first.baseOffset(), batches.lastOffset(), -1, logStartOffset, false);
        } catch (IOException e) {
            throw fail("append to " + topicPartition, e);
        }
    }

    private void publishEnd(long next) {
        logEndOffset = next;
        advanceHighWatermark();
    }

    /**
     * A single replica's high watermark: the log end, except that records the flush policy wants on disk first are
     * held back until their group-committed flush is done.
     */
    private synchronized void advanceHighWatermark() {
        if (!highWatermarkFollowsLogEnd) {
            return;
        }
        long end = logEndOffset;
        long durable = recoveryPoint;
        long visible = durable >= requiredDurableEnd ? end : Math.min(durable, end);
        if (visible > highWatermark) {
            highWatermark = visible;
        }
    }

    /**
     * Completes once the records below {@code endOffset} are as durable as the flush policy asks before they are
     * acknowledged ({@code flush.messages}): at once unless an append up to there is still waiting for its fsync.
     * Failure: the flush's {@link LogStorageException}.
     */
    public CompletableFuture<Void> whenDurable(long endOffset) {
        return endOffset <= requiredDurableEnd && recoveryPoint < endOffset ? requiredFlush : DONE;
    }

    /**
     * Reads from {@code offset}: a slice starting at the batch holding it, of at most {@code maxBytes} (at least one
     * batch when {@code minOneBatch}), ending before {@code maxOffset} (the high watermark for consumers, the last
     * stable offset for read-committed, {@code Long.MAX_VALUE} for replicas). The caller releases the slice.
     *
     * @throws OffsetOutOfRangeException when {@code offset} is below the log start or above the log end offset
     */
    public LogSlice read(long offset, int maxBytes, boolean minOneBatch, long maxOffset) {
        for (int attempt = 0; ; attempt++) {
            checkOnline();
            long start = logStartOffset;
            long end = logEndOffset;
            if (offset < start || offset > end) {
                throw new OffsetOutOfRangeException("offset " + offset + " outside [" + start + ", " + end + "] of " + topicPartition);
            }
            if (offset >= maxOffset || offset == end) {
                return LogSlice.empty();
            }
            try {
                return reader.read(offset, maxBytes, minOneBatch, maxOffset);
            } catch (NoSuchFileException e) {
                if (attempt >= 3) {
                    throw fail("read " + topicPartition, e); // not a concurrent deletion: the file is really gone
                }
            } catch (IOException e) {
                throw fail("read " + topicPartition, e);
            }
        }
    }

    /**
     * ListOffsets: the earliest offset whose record timestamp is at or after {@code timestamp}, or one of the
     * special timestamps ({@link #EARLIEST_TIMESTAMP}, {@link #LATEST_TIMESTAMP}, {@link #MAX_TIMESTAMP},
     * {@link #EARLIEST_LOCAL_TIMESTAMP}). Offsets at or above {@code maxOffset} (high watermark or last stable
     * offset) are not visible; {@link TimestampAndOffset#NONE} when nothing matches.
     */
    public TimestampAndOffset offsetForTimestamp(long timestamp, long maxOffset) {
        checkOnline();
        long start = logStartOffset;
        long limit = Math.min(maxOffset, logEndOffset);
        if (timestamp == EARLIEST_TIMESTAMP || timestamp == EARLIEST_LOCAL_TIMESTAMP) {
            return new TimestampAndOffset(-1, start);
        }
        if (timestamp == LATEST_TIMESTAMP) {
            return new TimestampAndOffset(-1, limit);
        }
        try {
            return reader.searchTimestamp(timestamp, start, limit);
        } catch (NoSuchFileException e) {
            return offsetForTimestamp(timestamp, maxOffset); // a segment deleted meanwhile: look again
        } catch (IOException e) {
            throw fail("list offsets of " + topicPartition, e);
        }
    }

    /** Kafka's roll rules: size, segment.ms, a full index, or offsets that no longer fit the indexes. */
    private void maybeRoll(int bytes, long maxTimestamp, long lastOffset, long now) throws IOException {
        LogSegment segment = active;
        LogConfig cfg = config;
        if (segment.size() > 0 && (segment.size() > cfg.segmentBytes() - bytes
                || segment.timeWaitedForRoll(now, maxTimestamp) > cfg.segmentMs()
                || segment.indexesFull() || !segment.canHold(lastOffset))) {
            roll(logEndOffset);
        }
    }

    /** Starts a new active segment at the log end offset (no-op when the active segment is empty). */
    public void roll() {
        checkOnline();
        try {
            if (active.size() > 0) {
                roll(logEndOffset);
            }
        } catch (IOException e) {
            throw fail("roll " + topicPartition, e);
        }
    }

    private void roll(long base) throws IOException {
        LogSegment previous = active;
        previous.deactivate();
        LogSegment next = LogSegment.create(dir, base, config, resources);
        next.activate();
        segments.put(base, next);
        active = next;
        producerState.onRoll(base);
        if (flusher != null) {
            flusher.flush(this, base); // Kafka flushes a rolled segment in the background
        }
    }

    /**
     * Removes every offset at or above {@code offset} (replication: a follower dropping a divergent tail). A batch
     * holding {@code offset} goes whole. Truncating below the log start offset empties the log and restarts it there.
     */
    public void truncateTo(long offset) {
        checkOnline();
        if (offset < 0) {
            throw new IllegalArgumentException("cannot truncate to negative offset " + offset);
        }
        if (offset >= logEndOffset) {
            return;
        }
        if (offset < logStartOffset || segments.firstKey() >= offset) {
            truncateFullyAndStartAt(offset);
            return;
        }
        try {
            for (LogSegment doomed : segments.tailMap(offset, true).values()) {
                segments.remove(doomed.baseOffset());
                doomed.deleteNow();
            }
            LogSegment last = segments.lastEntry().getValue();
            if (last != active) {
                last.activate();
                active = last;
            }
            last.truncateTo(offset);
            long end = last.readNextOffset();
            logEndOffset = end;
            highWatermark = Math.min(highWatermark, end);
            recoveryPoint = Math.min(recoveryPoint, end);
            requiredDurableEnd = Math.min(requiredDurableEnd, end);
            epochs.truncateFromEnd(end);
            producerState.onTruncate(end);
            publishUnstable();
        } catch (IOException e) {
            throw fail("truncate " + topicPartition, e);
        }
    }

    /** Deletes everything and starts an empty log at {@code offset}. */
    public void truncateFullyAndStartAt(long offset) {
        checkOnline();
        try {
            LogSegment fresh = null;
            for (LogSegment doomed : segments.values()) {
                segments.remove(doomed.baseOffset());
                doomed.deleteNow();
            }
            fresh = LogSegment.create(dir, offset, config, resources);
            fresh.activate();
            segments.put(offset, fresh);
            active = fresh;
            logStartOffset = offset;
            logEndOffset = offset;
            highWatermark = offset;
            recoveryPoint = offset;
            requiredDurableEnd = offset;
            epochs.truncateFromEnd(offset);
            epochs.truncateFromStart(offset);
            producerState.onTruncate(offset);
            producerState.onLogStartOffset(offset);
            publishUnstable();
        } catch (IOException e) {
            throw fail("truncate " + topicPartition, e);
        }
    }

    /**
     * DeleteRecords: moves the log start offset to {@code offset} and drops segments wholly below it. Returns the
     * new log start offset (low watermark).
     *
     * @throws OffsetOutOfRangeException when {@code offset} is above the high watermark
     */
    public long deleteRecordsBefore(long offset) {
        checkOnline();
        if (offset > highWatermark) {
            throw new OffsetOutOfRangeException("cannot delete records before " + offset + ", above high watermark "
                    + highWatermark + " of " + topicPartition);
        }
        if (offset > logStartOffset) {
            try {
                advanceLogStartOffset(offset);
                retention.deleteBelowLogStartOffset();
            } catch (IOException e) {
                throw fail("delete records of " + topicPartition, e);
            }
        }
        return logStartOffset;
    }

    /**
     * The retention task the server schedules (Kafka's log.retention.check.interval.ms): deletes whole segments
     * past {@code retention.ms}, over {@code retention.bytes}, or below the log start offset, and removes the files
     * of segments deleted more than {@code file.delete.delay.ms} ago. Returns the number of segments deleted.
     */
    public int deleteOldSegments() {
        checkOnline();
        try {
            return retention.run(resources.clock().millis());
        } catch (IOException e) {
            throw fail("retention of " + topicPartition, e);
        }
    }

    void advanceLogStartOffset(long offset) throws IOException {
        if (offset > logStartOffset) {
            logStartOffset = offset;
            epochs.truncateFromStart(offset);
            producerState.onLogStartOffset(offset);
        }
    }

    /** Forces every segment holding offsets below {@code upToOffset} to disk and advances the recovery point. */
    public void flush(long upToOffset) {
        long from = recoveryPoint;
        long upTo = Math.min(upToOffset, logEndOffset);
        if (upTo <= from) {
            return;
        }
        Long first = segments.floorKey(from);
        try {
            flushPartitionMetadata(); // Kafka's order: the topic id reaches the disk before any of the data
            for (LogSegment segment : segments.subMap(first == null ? segments.firstKey() : first, true, upTo, false).values()) {
                try {
                    segment.flush();
                } catch (NoSuchFileException deletedMeanwhile) {
                    // retention or truncation removed it: nothing of it needs to survive
                }
            }
        } catch (IOException e) {
            throw fail("flush " + topicPartition, e);
        }
        synchronized (this) {
            recoveryPoint = Math.max(recoveryPoint, upTo);
            advanceHighWatermark();
        }
        lastFlushMs = resources.clock().millis();
    }

    /** Written {@code partition.metadata}, to be forced with the log's next flush ({@link PartitionMetadataFile}). */
    void partitionMetadataWritten() {
        partitionMetadataUnflushed = true;
    }

    /** Whether {@code partition.metadata} was written and not yet forced. */
    boolean partitionMetadataUnflushed() {
        return partitionMetadataUnflushed;
    }

    /** Forces {@code partition.metadata} if it was written and not yet forced ({@link PartitionMetadataFlusher}). */
    void forcePartitionMetadata() {
        if (failure == null) {
            try {
                flushPartitionMetadata();
            } catch (IOException e) {
                throw fail("flush partition metadata of " + topicPartition, e);
            }
        }
    }

    private void flushPartitionMetadata() throws IOException {
        if (partitionMetadataUnflushed) {
            partitionMetadataUnflushed = false; // before the force: a write racing with it sets it again
            try {
                PartitionMetadataFile.force(dir);
            } catch (NoSuchFileException deletedMeanwhile) {
                // the partition is being deleted: nothing of it needs to survive
            } catch (IOException e) {
                partitionMetadataUnflushed = true;
                throw e;
            }
        }
    }

    /** Group-committed flush: completes when offsets below {@code upToOffset} are on disk. */
    public CompletableFuture<Void> flushAsync(long upToOffset) {
        if (flusher != null) {
            return flusher.flush(this, upToOffset);
        }
        try {
            flush(upToOffset);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Kafka's flush.ms: flushes when unflushed data is older than the policy allows (server-scheduled). */
    public void flushIfDue() {
        if (logEndOffset > recoveryPoint && resources.clock().millis() - lastFlushMs >= config.flushMs()) {
            flush(logEndOffset);
        }
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Path directory() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    /** The producer-state hook this log drives; read it on the partition's writer thread only. */
    public ProducerStateHook producerState() {
        return producerState;
    }

    /** New topic config; segment-level settings apply to segments created from now on. */
    public void updateConfig(LogConfig config) {
        this.config = config;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /**
     * Sets the high watermark (clamped to [log start offset, log end offset]). From the first call on, appends no
     * longer advance it: the replication layer owns it. Without calls (a single replica) it follows the log end.
     */
    public void setHighWatermark(long offset) {
        highWatermarkFollowsLogEnd = false;
        highWatermark = Math.max(logStartOffset, Math.min(offset, logEndOffset));
    }

    /** The last stable offset: the first offset of an open transaction if any, capped by the high watermark. */
    public long lastStableOffset() {
        long unstable = firstUnstableOffset;
        long hw = highWatermark;
        return unstable >= 0 ? Math.min(unstable, hw) : hw;
    }

    /** Set by the producer-state table: the first offset of the oldest open transaction, or -1 for none. */
    public void setFirstUnstableOffset(long offset) {
        firstUnstableOffset = offset;
    }

    /**
     * The aborted transactions a read_committed fetch from {@code from} must return: those whose marker is at or
     * after {@code from} and whose first offset is before {@code upTo} or the end of the segment holding
     * {@code from}, whichever is lower (a read never crosses a segment; Kafka bounds the search the same way).
     * Any thread.
     */
    public List<dev.runnel.log.producer.AbortedTxnIndex.AbortedTxn> abortedTransactions(long from, long upTo) {
        Long segment = segments.floorKey(from);
        Long next = segment == null ? null : segments.higherKey(segment);
        return producerState.abortedTransactions(from, next == null ? upTo : Math.min(upTo, next));
    }

    public long recoveryPoint() {
        return recoveryPoint;
    }

    public LeaderEpochCache leaderEpochCache() {
        return epochs;
    }

    /** Bytes in all segments. */
    public long size() {
        long total = 0;
        for (LogSegment segment : segments.values()) {
            total += segment.size();
        }
        return total;
    }

    public int segmentCount() {
        return segments.size();
    }

    /** Segment base offsets in order (for tests and DescribeLogDirs). */
    public Collection<Long> segmentBaseOffsets() {
        return segments.keySet();
    }

    ConcurrentSkipListMap<Long, LogSegment> segments() {
        return segments;
    }

    LogSegment activeSegment() {
        return active;
    }

    LogResources resources() {
        return resources;
    }

    /** The log cleaner's checkpoint: offsets below it have been cleaned. */
    public long firstDirtyOffset() {
        return firstDirtyOffset;
    }

    /** Sets the cleaner checkpoint (from {@code cleaner-offset-checkpoint} at open, or after a clean). */
    void setFirstDirtyOffset(long offset) {
        firstDirtyOffset = offset;
    }

    /**
     * Swaps in the cleaned segment at {@code base} (its {@code .swap} files committed) for {@code replaced}, as one
     * step for readers: they wait out the renames and retry reads that overlapped them. Writer thread only.
     */
    void replaceSegments(List<LogSegment> replaced, long base, SegmentSwap.Hook hook) throws IOException {
        reader.swap(() -> {
            for (LogSegment old : replaced) {
                old.markDeleted();
            }
            hook.reached(SegmentSwap.Step.OLD_SEGMENTS_DELETED);
            SegmentSwap.goLive(dir, base);
            // a reader racing the renames may have cached a handle or index of an old file under a reused name
            for (Path live : new Path[] {LogFiles.logFile(dir, base), LogFiles.offsetIndexFile(dir, base), LogFiles.timeIndexFile(dir, base)}) {
                resources.files().invalidate(live);
                resources.indexes().invalidate(live);
            }
            LogSegment fresh = LogSegment.open(dir, base, config, resources);
            for (LogSegment old : replaced) {
                segments.remove(old.baseOffset());
            }
            segments.put(base, fresh);
        });
        long now = resources.clock().millis();
        for (LogSegment old : replaced) {
            retention.scheduleDeletion(old.baseOffset(), now);
        }
        SegmentSwap.fsyncDirectory(dir);
    }

    /** Called by retention when every segment must go: a fresh active segment takes over. */
    void rollForRetention() throws IOException {
        roll(logEndOffset);
    }

    public boolean isOffline() {
        return failure != null;
    }

    /**
     * Clean close: writes the final time index entry and flushes what is not yet on disk (an idle partition
     * forces nothing; the leader epochs are persisted on every change). After this the directory may be marked
     * cleanly shut down.
     */
    @Override
    public void close() {
        if (failure != null) {
            segments.values().forEach(LogSegment::close);
            return;
        }
        try {
            active.deactivate();
            flush(logEndOffset);
            active.flush();
            flushPartitionMetadata();
            producerState.onClose(logEndOffset);
            retention.purgeAll();
        } catch (IOException e) {
            throw fail("close " + topicPartition, e);
        } finally {
            segments.values().forEach(LogSegment::close);
        }
    }

    private void checkOnline() {
        LogStorageException f = failure;
        if (f != null) {
            throw new LogStorageException("log " + topicPartition + " is offline after an I/O error", (IOException) f.getCause());
        }
    }

    LogStorageException fail(String what, IOException e) {
        LogStorageException f = new LogStorageException("I/O error: " + what + " in " + dir, e);
        failure = f;
        onStorageFailure.accept(f);
        return f;
    }
}
