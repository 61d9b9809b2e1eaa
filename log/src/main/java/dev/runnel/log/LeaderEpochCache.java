package dev.runnel.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which leader epoch wrote which offsets: a list of (epoch, start offset) in increasing order, persisted as
 * {@code leader-epoch-checkpoint} in Kafka's checkpoint format ({@link CheckpointFile}), one entry per line as
 * {@code <epoch> <startOffset>}:
 *
 * <pre>
 * 0
 * 2
 * 0 0
 * 3 1200
 * </pre>
 *
 * Used for OffsetForLeaderEpoch (a follower's divergence check) and kept in step with truncation and log start
 * offset changes. The file is read on first use, not when the partition opens ({@link #lazy}): most of thousands of
 * partitions opened at start-up are never asked. Owning thread: the partition's writer mutates; readers call
 * {@link #endOffsetFor} under the lock.
 */
public final class LeaderEpochCache {
    public static final String FILE_NAME = "leader-epoch-checkpoint";

    /** One entry: offsets from {@code startOffset} on were written by leader epoch {@code epoch}. */
    public record EpochEntry(int epoch, long startOffset) {
    }

    private final Path file;
    private final List<EpochEntry> entries = new ArrayList<>();
    /** Whether {@link #entries} holds the file's content; until then, the log's bounds at open, applied on load. */
    private boolean loaded;
    private final long openLogStartOffset;
    private final long openLogEndOffset;

    private LeaderEpochCache(Path partitionDir, boolean loaded, long logStartOffset, long logEndOffset) {
        this.file = partitionDir.resolve(FILE_NAME);
        this.loaded = loaded;
        this.openLogStartOffset = logStartOffset;
        this.openLogEndOffset = logEndOffset;
    }

    /** Reads the file now (recovery replays batches into it). */
    static LeaderEpochCache load(Path partitionDir) throws IOException {
        LeaderEpochCache cache = new LeaderEpochCache(partitionDir, false, 0, Long.MAX_VALUE);
        cache.ensureLoaded();
        return cache;
    }

    /**
     * A cache that reads its file on first use and then drops the epochs outside [{@code logStartOffset},
     * {@code logEndOffset}] of the log as opened (after a clean shutdown nothing is outside them).
     */
    static LeaderEpochCache lazy(Path partitionDir, long logStartOffset, long logEndOffset) {
        return new LeaderEpochCache(partitionDir, false, logStartOffset, logEndOffset);
    }

    /** The cache of a partition just created: no file to read. */
    static LeaderEpochCache empty(Path partitionDir) {
        return new LeaderEpochCache(partitionDir, true, 0, 0);
    }

    private void ensureLoaded() throws IOException {
        if (loaded) {
            return;
        }
        List<EpochEntry> read = new ArrayList<>();
        try {
            for (String[] fields : CheckpointFile.read(file, 2)) {
                read.add(new EpochEntry(Integer.parseInt(fields[0]), Long.parseLong(fields[1])));
            }
        } catch (NumberFormatException e) {
            throw new IOException("malformed leader epoch checkpoint " + file, e);
        }
        entries.addAll(read);
        loaded = true;
        truncateFromEnd(openLogEndOffset);
        truncateFromStart(openLogStartOffset);
    }

    /** {@link #ensureLoaded} for the readers, whose callers cannot take an {@link IOException}. */
    private void ensureLoadedForRead() {
        try {
            ensureLoaded();
        } catch (IOException e) {
            throw new LogStorageException("cannot read " + file, e);
        }
    }

    public synchronized List<EpochEntry> entries() {
        ensureLoadedForRead();
        return List.copyOf(entries);
    }

    /** The latest epoch, or -1 when none is known. */
    public synchronized int latestEpoch() {
        ensureLoadedForRead();
        return entries.isEmpty() ? -1 : entries.get(entries.size() - 1).epoch();
    }

    /** Records that {@code epoch} starts at {@code startOffset} if it is newer than the latest; persists on change. */
    synchronized void assign(int epoch, long startOffset) throws IOException {
        ensureLoaded();
        if (epoch >= 0 && epoch > latestEpoch()) {
            entries.add(new EpochEntry(epoch, startOffset));
            persist();
        }
    }

    /** Records without persisting (recovery replays many batches and persists once). */
    synchronized boolean assignInMemory(int epoch, long startOffset) {
        ensureLoadedForRead();
        if (epoch >= 0 && epoch > latestEpoch()) {
            entries.add(new EpochEntry(epoch, startOffset));
            return true;
        }
        return false;
    }

    /** Drops epochs that start at or after {@code endOffset} (the log was truncated there). */
    synchronized void truncateFromEnd(long endOffset) throws IOException {
        ensureLoaded();
        if (entries.removeIf(e -> e.startOffset() >= endOffset)) {
            persist();
        }
    }

    /** The log now starts at {@code startOffset}: earlier epochs go, the one covering it starts there. */
    synchronized void truncateFromStart(long startOffset) throws IOException {
        ensureLoaded();
        int covering = -1;
        for (int i = 0; i < entries.size() && entries.get(i).startOffset() <= startOffset; i++) {
            covering = i;
        }
        if (covering < 0 || (covering == 0 && entries.get(0).startOffset() == startOffset)) {
            return;
        }
        int epoch = entries.get(covering).epoch();
        entries.subList(0, covering + 1).clear();
        entries.add(0, new EpochEntry(epoch, startOffset));
        persist();
    }

    /**
     * OffsetForLeaderEpoch: the largest epoch at or below {@code epoch} and the offset where it ended (the start of
     * the next epoch, or {@code logEndOffset} for the latest). (-1, -1) when {@code epoch} is older than all known.
     */
    public synchronized long[] endOffsetFor(int epoch, long logEndOffset) {
        ensureLoadedForRead();
        for (int i = entries.size() - 1; i >= 0; i--) {
            EpochEntry e = entries.get(i);
            if (e.epoch() <= epoch) {
                long end = i == entries.size() - 1 ? logEndOffset : entries.get(i + 1).startOffset();
                return new long[] {e.epoch(), end};
            }
        }
        return new long[] {-1, -1};
    }

    synchronized void persist() throws IOException {
        ensureLoaded();
        List<String> lines = new ArrayList<>(entries.size());
        for (EpochEntry e : entries) {
            lines.add(e.epoch() + " " + e.startOffset());
        }
        CheckpointFile.write(file, lines);
    }
}
