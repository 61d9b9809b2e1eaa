package dev.runnel.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Names of the files in a partition directory, as Kafka names them: every segment file is its base offset as a
 * 20-digit zero-padded decimal plus a suffix, so names sort by offset.
 *
 * <pre>
 * 00000000000000000000.log        record batches
 * 00000000000000000000.index      offset index ({@link OffsetIndex})
 * 00000000000000000000.timeindex  time index ({@link TimeIndex})
 * 00000000000000001234.log.deleted  a segment removed from the log, deleted after file.delete.delay.ms
 * 00000000000000001234.log.cleaned  the log cleaner's output being written ({@link SegmentSwap})
 * 00000000000000001234.log.swap     cleaned output committed, about to replace the segments it cleaned
 * leader-epoch-checkpoint         {@link LeaderEpochCache}
 * partition.metadata              {@link PartitionMetadataFile}
 * </pre>
 */
public final class LogFiles {
    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";
    public static final String DELETED_SUFFIX = ".deleted";
    /** Kafka's suffixes for files a crashed compaction or a swap left behind; removed on load. */
    public static final String CLEANED_SUFFIX = ".cleaned";
    public static final String SWAP_SUFFIX = ".swap";
    public static final String TEMP_SUFFIX = ".tmp";

    private LogFiles() {
    }

    public static String baseName(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    public static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(baseName(baseOffset) + LOG_SUFFIX);
    }

    public static Path offsetIndexFile(Path dir, long baseOffset) {
        return dir.resolve(baseName(baseOffset) + INDEX_SUFFIX);
    }

    public static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(baseName(baseOffset) + TIME_INDEX_SUFFIX);
    }

    /** The base offset in a file name like {@code 00000000000000000042.log}, or -1 if it is not one. */
    public static long baseOffsetOf(String fileName, String suffix) {
        if (!fileName.endsWith(suffix)) {
            return -1;
        }
        String digits = fileName.substring(0, fileName.length() - suffix.length());
        if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Writes {@code text} to {@code file} atomically: a temporary file, fsynced, renamed over the target. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
        try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            var bytes = java.nio.ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
