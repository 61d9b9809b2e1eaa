package dev.runnel.log.producer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The producer snapshot files of one partition directory, by offset: listing, and the deletions the log
 * needs on truncation (above an offset), on retention (below the log start offset) and to bound their
 * number. Stateless: the directory is the state. Called on the partition's writer thread.
 */
public final class ProducerSnapshots {
    private ProducerSnapshots() {
    }

    /** Snapshot files in {@code dir} by offset; files with other names are ignored. */
    public static NavigableMap<Long, Path> list(Path dir) throws IOException {
        NavigableMap<Long, Path> snapshots = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return snapshots;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                long offset = ProducerSnapshotFile.offsetOf(file);
                if (offset >= 0 && Files.isRegularFile(file)) {
                    snapshots.put(offset, file);
                }
            }
        }
        return snapshots;
    }

    /** Offset of the newest snapshot, if any. */
    public static OptionalLong latestOffset(Path dir) throws IOException {
        NavigableMap<Long, Path> snapshots = list(dir);
        return snapshots.isEmpty() ? OptionalLong.empty() : OptionalLong.of(snapshots.lastKey());
    }

    /** Deletes snapshots taken after {@code offset}: they describe records a truncation removed. */
    public static void deleteAbove(Path dir, long offset) throws IOException {
        delete(list(dir).tailMap(offset, false).values());
    }

    /** Deletes snapshots taken before {@code offset}, e.g. the log start offset after retention. */
    public static void deleteBefore(Path dir, long offset) throws IOException {
        delete(list(dir).headMap(offset, false).values());
    }

    /** Keeps the {@code count} newest snapshots and deletes the rest. */
    public static void retainNewest(Path dir, int count) throws IOException {
        if (count < 0) {
            throw new IllegalArgumentException("count " + count);
        }
        List<Path> oldestFirst = new ArrayList<>(list(dir).values());
        delete(oldestFirst.subList(0, Math.max(0, oldestFirst.size() - count)));
    }

    static void delete(Iterable<Path> files) throws IOException {
        for (Path file : files) {
            Files.deleteIfExists(file);
        }
    }
}
