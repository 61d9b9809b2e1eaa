package dev.runnel.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Replacing a group of segments by the cleaner's output, crash-safe at every step, with Kafka's file suffixes:
 *
 * <ol>
 *   <li>the cleaner writes {@code B.log.cleaned}, {@code B.index.cleaned}, {@code B.timeindex.cleaned} (fsynced);</li>
 *   <li>they are renamed to {@code .swap}, the indexes first and {@code B.log.swap} last: that rename is the commit
 *   point (the directory is fsynced after it);</li>
 *   <li>the replaced segments' files are renamed {@code .deleted} (removed after {@code file.delete.delay.ms});</li>
 *   <li>the {@code .swap} files are renamed to their live names and the new segment takes the old ones' place.</li>
 * </ol>
 *
 * On load ({@link #completeInterruptedSwaps}), before anything else: {@code .cleaned} files are deleted (step 1 or 2
 * interrupted: the old segments are intact); each {@code B.log.swap} completes the swap: live segments whose base
 * offset lies in [B, the swap's next offset) are deleted and the swap file takes the name {@code B.log}; its indexes
 * are rebuilt from it (index {@code .swap} files are dropped with the other leftovers). Kafka's loader treats the same
 * files the same way. Stateless.
 */
final class SegmentSwap {
    /** Steps at which tests simulate a crash. */
    enum Step { CLEANED_WRITTEN, SWAP_COMMITTED, OLD_SEGMENTS_DELETED }

    /** Called at each step of a swap; tests throw from it to simulate a crash there. */
    interface Hook {
        Hook NONE = step -> { };

        void reached(Step step) throws IOException;
    }

    private SegmentSwap() {
    }

    static Path cleaned(Path live) {
        return live.resolveSibling(live.getFileName() + LogFiles.CLEANED_SUFFIX);
    }

    static Path swap(Path live) {
        return live.resolveSibling(live.getFileName() + LogFiles.SWAP_SUFFIX);
    }

    /** Step 2: the cleaned files of the segment at {@code base} become swap files, the log file last. */
    static void commit(Path dir, long base) throws IOException {
        for (Path live : new Path[] {LogFiles.offsetIndexFile(dir, base), LogFiles.timeIndexFile(dir, base), LogFiles.logFile(dir, base)}) {
            Files.move(cleaned(live), swap(live), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDirectory(dir);
    }

    /** Step 4: the swap files of the segment at {@code base} take their live names. */
    static void goLive(Path dir, long base) throws IOException {
        for (Path live : new Path[] {LogFiles.offsetIndexFile(dir, base), LogFiles.timeIndexFile(dir, base), LogFiles.logFile(dir, base)}) {
            Files.move(swap(live), live, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes the cleaner's files for the segment at {@code base} (a clean that failed before its commit). */
    static void discardCleaned(Path dir, long base) throws IOException {
        for (Path live : new Path[] {LogFiles.offsetIndexFile(dir, base), LogFiles.timeIndexFile(dir, base), LogFiles.logFile(dir, base)}) {
            Files.deleteIfExists(cleaned(live));
        }
    }

    /**
     * Completes every committed swap in {@code dir} (see the class comment). Returns the base offsets of the
     * segments swapped in, whose indexes the caller must rebuild.
     */
    static List<Long> completeInterruptedSwaps(Path dir) throws IOException {
        List<Long> swapped = new ArrayList<>();
        String logSwap = LogFiles.LOG_SUFFIX + LogFiles.SWAP_SUFFIX;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                long base = LogFiles.baseOffsetOf(file.getFileName().toString(), logSwap);
                if (base >= 0) {
                    swapped.add(base);
                }
            }
        }
        swapped.sort(null);
        for (long base : swapped) {
            Path swapLog = swap(LogFiles.logFile(dir, base));
            long next = nextOffset(swapLog);
            for (long replaced : liveBaseOffsets(dir)) {
                if (replaced >= base && replaced < Math.max(next, base + 1)) {
                    Files.deleteIfExists(LogFiles.logFile(dir, replaced));
                    Files.deleteIfExists(LogFiles.offsetIndexFile(dir, replaced));
                    Files.deleteIfExists(LogFiles.timeIndexFile(dir, replaced));
                }
            }
            Files.move(swapLog, LogFiles.logFile(dir, base), StandardCopyOption.ATOMIC_MOVE);
        }
        if (!swapped.isEmpty()) {
            fsyncDirectory(dir);
        }
        return swapped;
    }

    private static long nextOffset(Path logFile) throws IOException {
        try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.READ)) {
            return new FileBatches(channel).nextOffsetAfter(0, channel.size());
        }
    }

    private static List<Long> liveBaseOffsets(Path dir) throws IOException {
        List<Long> bases = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                long base = LogFiles.baseOffsetOf(file.getFileName().toString(), LogFiles.LOG_SUFFIX);
                if (base >= 0) {
                    bases.add(base);
                }
            }
        }
        return bases;
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
