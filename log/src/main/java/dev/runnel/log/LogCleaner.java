package dev.runnel.log;

import dev.runnel.wire.record.Record;
import dev.runnel.wire.record.RecordBatchView;
import dev.runnel.wire.record.RecordIterator;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Log compaction ({@code cleanup.policy=compact} or {@code compact,delete}) with Kafka's semantics: keeps the latest
 * record of each key, removes tombstones and transaction markers once their delete horizon has passed (KIP-534),
 * drops aborted transactional data, and never renumbers offsets. Only rolled segments below the first uncleanable
 * offset are touched (never the active segment).
 *
 * <p>A pass ({@link #cleanIfNeeded}): the dirty range is [the cleaner checkpoint, the first uncleanable offset), where
 * the latter is the lowest of the active segment's base offset, the last stable offset, and the first segment
 * younger than {@code min.compaction.lag.ms} (rounded down to a segment boundary). The log is cleaned when the dirty
 * bytes exceed {@code min.cleanable.dirty.ratio} of the log, or when a dirty segment's first batch is older than
 * {@code max.compaction.lag.ms}. The {@link OffsetMap} is built over the dirty range (up to its capacity), then every
 * segment from the start of the log up to the mapped end is cleaned in groups of at most {@code segment.bytes}
 * ({@link SegmentCleaner}), each group swapped in as one segment ({@link SegmentSwap}), and the checkpoint moves to the
 * mapped end.
 *
 * <p>Threading: call it on the partition's writer lane (it reads and replaces segments the writer owns); readers keep
 * working throughout. The server schedules it periodically per compacted partition (Kafka's cleaner backoff is 15 s).
 * The instance holds only configuration and may be shared by the lanes.
 */
public final class LogCleaner {
    /** Kafka's default 128 MiB dedupe buffer holds about this many keys (24 bytes a slot, 90% load). */
    public static final int DEFAULT_MAX_MAP_ENTRIES = 5_000_000;

    /**
     * The outcome of one pass.
     *
     * @param cleaned          whether segments were rewritten
     * @param dirtyRatio       dirty bytes / (clean + dirty bytes) before the pass
     * @param firstDirtyOffset the cleaner checkpoint after the pass
     * @param bytesRead        bytes of the segments rewritten
     * @param bytesWritten     bytes of the segments that replaced them
     * @param recordsRead      records examined while rewriting
     * @param recordsRetained  records kept
     */
    public record CleanResult(boolean cleaned, double dirtyRatio, long firstDirtyOffset, long bytesRead,
                              long bytesWritten, long recordsRead, long recordsRetained) {
    }

    private final int maxMapEntries;
    private final SegmentSwap.Hook hook;

    public LogCleaner() {
        this(DEFAULT_MAX_MAP_ENTRIES);
    }

    /** @param maxMapEntries the most keys one pass maps (bounds the cleaner's memory) */
    public LogCleaner(int maxMapEntries) {
        this(maxMapEntries, SegmentSwap.Hook.NONE);
    }

    LogCleaner(int maxMapEntries, SegmentSwap.Hook hook) {
        this.maxMapEntries = maxMapEntries;
        this.hook = hook;
    }

    /**
     * Cleans {@code log} if its policy includes {@code compact} and it is dirty enough (see the class comment).
     *
     * @throws LogStorageException on an I/O error; the log is offline
     */
    public CleanResult cleanIfNeeded(PartitionLog log, long nowMs) {
        return run(log, nowMs, false);
    }

    /** Cleans whatever is cleanable, ignoring {@code min.cleanable.dirty.ratio} and {@code max.compaction.lag.ms}. */
    public CleanResult clean(PartitionLog log, long nowMs) {
        return run(log, nowMs, true);
    }

    private CleanResult run(PartitionLog log, long nowMs, boolean force) {
        LogConfig config = log.config();
        if (!config.compact() || log.isOffline()) {
            return new CleanResult(false, 0, log.firstDirtyOffset(), 0, 0, 0, 0);
        }
        try {
            CleanableRange range = CleanableRange.of(log, nowMs);
            boolean due = range.dirtyRatio() > config.minCleanableDirtyRatio() || range.compactionLagExceeded() || force;
            if (range.dirtyBytes() == 0 || !due) {
                return new CleanResult(false, range.dirtyRatio(), range.firstDirtyOffset(), 0, 0, 0, 0);
            }
            return clean(log, range, nowMs);
        } catch (IOException | UncheckedIOException e) {
            throw log.fail("clean " + log.topicPartition(), e instanceof UncheckedIOException u ? u.getCause() : (IOException) e);
        }
    }

    private CleanResult clean(PartitionLog log, CleanableRange range, long now) throws IOException {
        LogConfig config = log.config();
        ConcurrentSkipListMap<Long, LogSegment> segments = log.segments();
        TransactionScan scan = TransactionScan.of(segments.values(), log.resources());
        OffsetMap map = new OffsetMap(maxMapEntries);
        buildOffsetMap(segments, range, map, scan);
        long endOffset = map.latestOffset() + 1;
        if (endOffset <= range.firstDirtyOffset()) {
            return new CleanResult(false, range.dirtyRatio(), range.firstDirtyOffset(), 0, 0, 0, 0);
        }
        List<List<LogSegment>> groups = groupBySize(new ArrayList<>(segments.headMap(endOffset).values()), config,
                range.firstUncleanableOffset());
        CleanedTransactions transactions = new CleanedTransactions();
        transactions.addAborted(scan.abortedOverlapping(segments.firstKey(), Long.MAX_VALUE));
        SegmentCleaner cleaner = new SegmentCleaner(map, transactions, scan.lastRecords, now, config.deleteRetentionMs(),
                range.firstUncleanableOffset());
        for (List<LogSegment> group : groups) {
            long base = group.get(0).baseOffset();
            try {
                cleaner.cleanGroup(group, log.directory(), config, log.resources());
            } catch (IOException | RuntimeException e) {
                SegmentSwap.discardCleaned(log.directory(), base);
                throw e;
            }
            hook.reached(SegmentSwap.Step.CLEANED_WRITTEN);
            SegmentSwap.commit(log.directory(), base);
            hook.reached(SegmentSwap.Step.SWAP_COMMITTED);
            log.replaceSegments(group, base, hook);
        }
        log.setFirstDirtyOffset(endOffset);
        return new CleanResult(true, range.dirtyRatio(), endOffset, cleaner.bytesRead, cleaner.bytesWritten,
                cleaner.recordsRead, cleaner.recordsRetained);
    }

    /** Kafka's buildOffsetMap: the latest offset of each key in the dirty range, skipping aborted data. */
    private static void buildOffsetMap(ConcurrentSkipListMap<Long, LogSegment> segments, CleanableRange range,
                                       OffsetMap map, TransactionScan scan) throws IOException {
        long start = range.firstDirtyOffset();
        CleanedTransactions transactions = new CleanedTransactions();
        transactions.addAborted(scan.abortedOverlapping(start, range.firstUncleanableOffset()));
        Long from = segments.floorKey(start);
        boolean[] full = {false};
        for (LogSegment segment : segments.subMap(from == null ? start : from, true, range.firstUncleanableOffset(), false).values()) {
            try {
                segment.forEachBatchFrom(start, batch -> {
                    if (full[0]) {
                        return;
                    }
                    if (batch.isControl()) {
                        transactions.onControlBatch(batch, TransactionScan.controlType(batch));
                    } else if (!transactions.onDataBatch(batch)) {
                        full[0] = mapRecords(batch, start, map);
                        if (full[0]) {
                            return;
                        }
                    }
                    map.updateLatestOffset(batch.lastOffset());
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (full[0]) {
                break;
            }
        }
    }

    /** Adds the keyed records of {@code batch} at or after {@code start}; returns true when the map filled up. */
    private static boolean mapRecords(RecordBatchView batch, long start, OffsetMap map) {
        try (RecordIterator records = batch.records(ByteBufAllocator.DEFAULT, Integer.MAX_VALUE)) {
            while (records.hasNext()) {
                Record record = records.next();
                if (record.hasKey() && record.offset() >= start) {
                    if (map.isFull()) {
                        return true;
                    }
                    map.put(record.key(), record.offset());
                }
            }
        }
        return false;
    }

    /**
     * Kafka's groupSegmentsBySize: consecutive segments whose total size fits {@code segment.bytes}, whose indexes
     * fit {@code segment.index.bytes}, and whose offsets fit the indexes' 32-bit relative offsets.
     */
    static List<List<LogSegment>> groupBySize(List<LogSegment> segments, LogConfig config, long firstUncleanableOffset)
            throws IOException {
        List<List<LogSegment>> groups = new ArrayList<>();
        int i = 0;
        while (i < segments.size()) {
            List<LogSegment> group = new ArrayList<>();
            LogSegment first = segments.get(i++);
            group.add(first);
            long logBytes = first.size();
            long offsetIndexBytes = Files.size(first.offsetIndexFile());
            long timeIndexBytes = Files.size(first.timeIndexFile());
            while (i < segments.size()) {
                LogSegment next = segments.get(i);
                long nextLast = i + 1 < segments.size() ? segments.get(i + 1).baseOffset() - 1 : firstUncleanableOffset - 1;
                if (logBytes + next.size() > config.segmentBytes()
                        || offsetIndexBytes + Files.size(next.offsetIndexFile()) > config.segmentIndexBytes()
                        || timeIndexBytes + Files.size(next.timeIndexFile()) > config.segmentIndexBytes()
                        || (next.size() > 0 && nextLast - first.baseOffset() > Integer.MAX_VALUE)) {
                    break;
                }
                group.add(next);
                logBytes += next.size();
                offsetIndexBytes += Files.size(next.offsetIndexFile());
                timeIndexBytes += Files.size(next.timeIndexFile());
                i++;
            }
            groups.add(group);
        }
        return groups;
    }

    /**
     * The cleanable part of a log (Kafka's LogCleanerManager.cleanableOffsets and calculateCleanableBytes).
     *
     * @param firstDirtyOffset       the checkpoint, reset to the log start offset when outside the log
     * @param firstUncleanableOffset a segment base offset: nothing at or above it is cleaned
     */
    record CleanableRange(long firstDirtyOffset, long firstUncleanableOffset, long cleanBytes, long dirtyBytes,
                          boolean compactionLagExceeded) {
        double dirtyRatio() {
            long total = cleanBytes + dirtyBytes;
            return total == 0 ? 0 : (double) dirtyBytes / total;
        }

        static CleanableRange of(PartitionLog log, long now) throws IOException {
            LogConfig config = log.config();
            ConcurrentSkipListMap<Long, LogSegment> segments = log.segments();
            long checkpoint = log.firstDirtyOffset();
            long firstDirty = checkpoint < log.logStartOffset() || checkpoint > log.logEndOffset() ? log.logStartOffset() : checkpoint;
            long uncleanable = Math.min(log.lastStableOffset(), log.activeSegment().baseOffset());
            Long dirtySegment = segments.floorKey(firstDirty);
            Map<Long, LogSegment> dirtyRolled = segments.subMap(dirtySegment == null ? firstDirty : dirtySegment, true,
                    log.activeSegment().baseOffset(), false);
            long earliestDirtyTimestamp = Long.MAX_VALUE;
            for (LogSegment segment : dirtyRolled.values()) {
                if (config.minCompactionLagMs() > 0 && segment.largestTimestamp() > now - config.minCompactionLagMs()) {
                    uncleanable = Math.min(uncleanable, segment.baseOffset());
                    break;
                }
                long first = segment.firstBatchTimestamp();
                if (first >= 0) {
                    earliestDirtyTimestamp = Math.min(earliestDirtyTimestamp, first);
                }
            }
            Long uncleanableSegment = segments.floorKey(uncleanable);
            long firstUncleanable = uncleanableSegment == null ? segments.firstKey() : uncleanableSegment;
            long cleanBytes = sizeOf(segments, Long.MIN_VALUE, firstDirty);
            long dirtyBytes = firstDirty < firstUncleanable ? sizeOf(segments, firstDirty, firstUncleanable) : 0;
            boolean lagExceeded = config.maxCompactionLagMs() < Long.MAX_VALUE && earliestDirtyTimestamp != Long.MAX_VALUE
                    && now - config.maxCompactionLagMs() > earliestDirtyTimestamp;
            return new CleanableRange(firstDirty, firstUncleanable, cleanBytes, dirtyBytes, lagExceeded);
        }

        /** Bytes of the segments holding offsets in [from, to). */
        private static long sizeOf(ConcurrentSkipListMap<Long, LogSegment> segments, long from, long to) {
            Long first = segments.floorKey(from);
            long total = 0;
            for (LogSegment segment : segments.subMap(first == null ? Long.MIN_VALUE : first, true, to, false).values()) {
                total += segment.size();
            }
            return total;
        }
    }
}
