package dev.runnel.log;

import dev.runnel.log.producer.AbortedTxnIndex;
import dev.runnel.log.producer.ProducerSnapshotFile;
import dev.runnel.wire.record.RecordBatchView;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Opens a partition directory. After a clean shutdown nothing is read but the last index interval of the active
 * segment (start-up time independent of data size). After an unclean one, every segment from the one holding the
 * recovery point on is scanned: each batch is validated (length, magic, CRC, offset order), the log is cut at the
 * first bad batch, later segments are dropped, and the indexes are rebuilt. Indexes found missing or corrupt later
 * are rebuilt lazily by {@link LogSegment}. A segment swap the log cleaner committed but did not finish is completed
 * first ({@link SegmentSwap}). Runs on the thread opening the log, before anyone else sees it.
 */
final class PartitionLogLoader {
    record Loaded(ConcurrentSkipListMap<Long, LogSegment> segments, long logEndOffset, long logStartOffset,
                  long recoveryPoint, LeaderEpochCache epochs, int truncatedBytes) {
    }

    private PartitionLogLoader() {
    }

    static Loaded load(Path dir, LogConfig config, LogResources resources, long recoveryPoint, long logStartOffset,
                       boolean cleanShutdown, ProducerStateHook hook) throws IOException {
        List<Long> swapped = List.of();
        Listing listing = scanDirectory(dir);
        if (listing.swapFound()) {
            swapped = SegmentSwap.completeInterruptedSwaps(dir);
            listing = scanDirectory(dir);
        }
        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        for (long base : listing.bases()) {
            segments.put(base, LogSegment.open(dir, base, config, resources));
        }
        for (long base : swapped) {
            segments.get(base).rebuildIndexes(base == segments.lastKey());
        }
        if (segments.isEmpty()) {
            long base = Math.max(0, logStartOffset);
            segments.put(base, LogSegment.create(dir, base, config, resources));
        }
        LeaderEpochCache epochs = null;
        int truncated = 0;
        if (cleanShutdown) {
            segments.values().forEach(LogSegment::markFlushed); // the clean close forced every file
        } else {
            epochs = LeaderEpochCache.load(dir);
            truncated = recover(dir, segments, recoveryPoint, epochs);
        }
        LogSegment active = segments.lastEntry().getValue();
        active.activate();
        long logEndOffset = active.readNextOffset();
        long start = Math.min(Math.max(logStartOffset, segments.firstKey()), logEndOffset);
        if (epochs == null) {
            epochs = LeaderEpochCache.lazy(dir, start, logEndOffset); // read when first needed, not at start-up
        } else {
            epochs.truncateFromEnd(logEndOffset);
            epochs.truncateFromStart(start);
        }
        if (logEndOffset == start && !listing.producerStateFiles()) {
            hook.onCreate(start); // an empty log without snapshot or transaction index: nothing to load or replay
        } else {
            replayProducerState(segments, hook, start, logEndOffset);
        }
        return new Loaded(segments, logEndOffset, start, Math.min(recoveryPoint, logEndOffset), epochs, truncated);
    }

    /**
     * A new, empty log in {@code dir}, a directory just created: its first segment's files are created and nothing
     * is read (no listing, no checkpoint, no producer snapshot can exist yet).
     */
    static Loaded create(Path dir, LogConfig config, LogResources resources, ProducerStateHook hook) throws IOException {
        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        LogSegment segment = LogSegment.create(dir, 0, config, resources);
        segment.activate();
        segments.put(0L, segment);
        hook.onCreate(0);
        return new Loaded(segments, 0, 0, 0, LeaderEpochCache.empty(dir), 0);
    }

    /**
     * What {@link #scanDirectory} found: the segment base offsets in order, whether a {@code .log.swap} file needs
     * completing (it is kept), and whether producer-state files (snapshots, aborted transactions) exist.
     */
    private record Listing(List<Long> bases, boolean swapFound, boolean producerStateFiles) {
    }

    /** Deletes leftovers (deleted, cleaned, index swap and temp files, indexes without a log) and lists the rest. */
    private static Listing scanDirectory(Path dir) throws IOException {
        List<Long> bases = new ArrayList<>();
        List<Path> indexes = new ArrayList<>();
        boolean swapFound = false;
        boolean producerStateFiles = false;
        DirectoryStream<Path> entries;
        try {
            entries = Files.newDirectoryStream(dir);
        } catch (NoSuchFileException e) {
            Files.createDirectories(dir);
            return new Listing(bases, false, false);
        }
        try (DirectoryStream<Path> files = entries) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(LogFiles.LOG_SUFFIX + LogFiles.SWAP_SUFFIX)) {
                    swapFound = true; // a committed cleaner swap to complete before anything else
                } else if (name.endsWith(LogFiles.DELETED_SUFFIX) || name.endsWith(LogFiles.CLEANED_SUFFIX)
                        || name.endsWith(LogFiles.SWAP_SUFFIX) || name.endsWith(LogFiles.TEMP_SUFFIX)) {
                    Files.deleteIfExists(file);
                } else if (LogFiles.baseOffsetOf(name, LogFiles.LOG_SUFFIX) >= 0) {
                    bases.add(LogFiles.baseOffsetOf(name, LogFiles.LOG_SUFFIX));
                } else if (name.endsWith(LogFiles.INDEX_SUFFIX) || name.endsWith(LogFiles.TIME_INDEX_SUFFIX)) {
                    indexes.add(file);
                } else if (name.endsWith(ProducerSnapshotFile.SUFFIX) || name.equals(AbortedTxnIndex.FILE_NAME)) {
                    producerStateFiles = true;
                }
            }
        }
        for (Path index : indexes) {
            String name = index.getFileName().toString();
            long base = Math.max(LogFiles.baseOffsetOf(name, LogFiles.INDEX_SUFFIX), LogFiles.baseOffsetOf(name, LogFiles.TIME_INDEX_SUFFIX));
            if (!bases.contains(base)) {
                Files.deleteIfExists(index);
            }
        }
        bases.sort(null);
        return new Listing(bases, swapFound, producerStateFiles);
    }

    /** Kafka's recoverLog: validates from the segment holding the recovery point to the end. */
    private static int recover(Path dir, ConcurrentSkipListMap<Long, LogSegment> segments, long recoveryPoint,
                               LeaderEpochCache epochs) throws IOException {
        Long from = segments.floorKey(Math.max(recoveryPoint, 0));
        if (from == null) {
            from = segments.firstKey();
        }
        int truncated = 0;
        boolean[] epochsChanged = new boolean[1];
        List<LogSegment> toCheck = new ArrayList<>(segments.tailMap(from, true).values());
        for (int i = 0; i < toCheck.size(); i++) {
            LogSegment segment = toCheck.get(i);
            boolean last = i == toCheck.size() - 1;
            long nextBase = last ? Long.MAX_VALUE : toCheck.get(i + 1).baseOffset();
            int cut = segment.recover(nextBase, last,
                    batch -> epochsChanged[0] |= epochs.assignInMemory(batch.partitionLeaderEpoch(), batch.baseOffset()));
            truncated += cut;
            if (cut > 0 && !last) {
                // Kafka drops everything after a corrupt batch: later data cannot be trusted to follow on.
                for (LogSegment later : toCheck.subList(i + 1, toCheck.size())) {
                    segments.remove(later.baseOffset());
                    later.deleteNow();
                }
                break;
            }
        }
        if (epochsChanged[0]) {
            epochs.persist(); // once, and only when the replay found an epoch the file did not have
        }
        return truncated;
    }

    private static void replayProducerState(Map<Long, LogSegment> segments, ProducerStateHook hook, long logStartOffset,
                                            long logEndOffset) throws IOException {
        long from = hook.onOpen(logStartOffset, logEndOffset);
        if (from >= logEndOffset) {
            return;
        }
        for (LogSegment segment : segments.values()) {
            if (segment.baseOffset() < logEndOffset) {
                segment.forEachBatchFrom(Math.max(from, logStartOffset), (RecordBatchView batch) -> hook.onReplay(batch));
            }
        }
    }
}
