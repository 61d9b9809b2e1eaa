package dev.runnel.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's segment deletion rules for one log, oldest segment first, stopping at the first segment that must stay:
 * <ul>
 *   <li>{@code retention.ms}: the segment's largest timestamp is older than now minus retention (delete policy);</li>
 *   <li>{@code retention.bytes}: the log stays over the limit even without this segment (delete policy);</li>
 *   <li>log start offset: the next segment starts at or below it (any policy).</li>
 * </ul>
 * A segment goes only if all its offsets are below the high watermark; an empty active segment never goes, a
 * non-empty one is rolled first. Deleted segments are renamed {@code .deleted} at once and removed after
 * {@code file.delete.delay.ms}, so in-flight reads finish. Owning thread: the partition's writer.
 */
final class SegmentRetention {
    private record PendingDelete(Path file, long dueMs) {
    }

    private interface Rule {
        boolean deletable(LogSegment segment, boolean hasNext) throws IOException;
    }

    private final PartitionLog log;
    private final ArrayDeque<PendingDelete> pending = new ArrayDeque<>();

    SegmentRetention(PartitionLog log) {
        this.log = log;
    }

    int run(long now) throws IOException {
        purgeDue(now);
        LogConfig config = log.config();
        int deleted = deleteBelowLogStartOffset();
        if (config.delete()) {
            if (config.retentionMs() >= 0) {
                deleted += deleteWhile((segment, hasNext) -> now - segment.largestTimestamp() > config.retentionMs(), now);
            }
            if (config.retentionBytes() >= 0) {
                long[] excess = {log.size() - config.retentionBytes()};
                deleted += deleteWhile((segment, hasNext) -> {
                    if (excess[0] - segment.size() >= 0) {
                        excess[0] -= segment.size();
                        return true;
                    }
                    return false;
                }, now);
            }
        }
        return deleted;
    }

    int deleteBelowLogStartOffset() throws IOException {
        long start = log.logStartOffset();
        return deleteWhile((segment, hasNext) -> hasNext && log.segments().higherKey(segment.baseOffset()) <= start,
                log.resources().clock().millis());
    }

    private int deleteWhile(Rule rule, long now) throws IOException {
        List<LogSegment> doomed = new ArrayList<>();
        long highWatermark = log.highWatermark();
        for (LogSegment segment : log.segments().values()) {
            Long nextBase = log.segments().higherKey(segment.baseOffset());
            long upperBound = nextBase != null ? nextBase : log.logEndOffset();
            if (upperBound > highWatermark || (nextBase == null && segment.size() == 0)
                    || !rule.deletable(segment, nextBase != null)) {
                break;
            }
            doomed.add(segment);
        }
        if (doomed.isEmpty()) {
            return 0;
        }
        if (doomed.get(doomed.size() - 1) == log.activeSegment()) {
            log.rollForRetention();
        }
        long newStart = log.segments().higherKey(doomed.get(doomed.size() - 1).baseOffset());
        log.advanceLogStartOffset(newStart); // before the files go, so readers get OFFSET_OUT_OF_RANGE, not errors
        for (LogSegment segment : doomed) {
            log.segments().remove(segment.baseOffset());
            segment.markDeleted();
            scheduleDeletion(segment.baseOffset(), now);
        }
        return doomed.size();
    }

    /** The {@code .deleted} files of the segment at {@code baseOffset} go after {@code file.delete.delay.ms}. */
    void scheduleDeletion(long baseOffset, long now) {
        long due = now + log.config().fileDeleteDelayMs();
        for (String suffix : new String[] {LogFiles.LOG_SUFFIX, LogFiles.INDEX_SUFFIX, LogFiles.TIME_INDEX_SUFFIX}) {
            Path file = log.directory().resolve(LogFiles.baseName(baseOffset) + suffix + LogFiles.DELETED_SUFFIX);
            pending.add(new PendingDelete(file, due));
        }
    }

    private void purgeDue(long now) throws IOException {
        while (!pending.isEmpty() && pending.peek().dueMs() <= now) {
            Files.deleteIfExists(pending.poll().file());
        }
    }

    /** On close: removes every pending file now (a restart would delete them anyway). */
    void purgeAll() throws IOException {
        purgeDue(Long.MAX_VALUE);
    }
}
