package dev.runnel.log.producer;

import dev.runnel.log.AppendResult;
import dev.runnel.log.ProducerStateHook;
import dev.runnel.wire.record.RecordBatchView;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Connects a partition log to its {@link ProducerStateTable}: checks each produced batch before the append,
 * records it after, replays the log tail on open, and writes a snapshot when a segment rolls and when the log
 * closes, as Kafka does, so that start-up replays only the newest segment. Keeps the partition's
 * {@link AbortedTxnIndex} in step with the markers it sees. Runs on the partition's writer thread, like the
 * table, except {@link #abortedTransactions}, which any thread may call.
 */
public final class ProducerStateLogHook implements ProducerStateHook {
    /** Kafka keeps a few snapshots so that truncation can go back to an older one. */
    private static final int SNAPSHOTS_KEPT = 3;

    private final ProducerStateTable table;
    private final Path dir;
    private final Clock clock;
    private final AbortedTxnIndex aborted;
    private long logStartOffset;

    public ProducerStateLogHook(Path dir, long producerIdExpirationMs, Clock clock) {
        this.table = new ProducerStateTable(producerIdExpirationMs);
        this.dir = dir;
        this.clock = clock;
        this.aborted = new AbortedTxnIndex(dir);
    }

    public ProducerStateTable table() {
        return table;
    }

    @Override
    public AppendResult checkBatch(RecordBatchView batch) {
        if (!batch.hasProducerId()) {
            return null;
        }
        ProducerCheck check = table.check(batch);
        if (check.isOk()) {
            return null;
        }
        if (check.isDuplicate()) {
            return new AppendResult(check.firstOffset(), check.lastOffset(), -1L, logStartOffset, true);
        }
        throw new ProducerStateException(check);
    }

    @Override
    public void onAppend(RecordBatchView batch) {
        if (batch.hasProducerId()) {
            index(table.update(batch, batch.baseOffset(), batch.lastOffset()));
        }
    }

    private void index(CompletedTxn completed) {
        if (completed != null && completed.aborted()) {
            try {
                aborted.add(completed);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the aborted transaction index in " + dir, e);
            }
        }
    }

    /**
     * The first offset of the oldest open transaction. A single replica's high watermark is its log end, so a
     * completed transaction's marker is always below it: only open transactions hold the last stable offset back.
     */
    @Override
    public long firstUnstableOffset() {
        return table.firstUndecidedOffset().orElse(-1L);
    }

    @Override
    public List<AbortedTxnIndex.AbortedTxn> abortedTransactions(long from, long upTo) {
        return aborted.overlapping(from, upTo);
    }

    @Override
    public void onReplay(RecordBatchView batch) {
        if (batch.hasProducerId()) {
            index(table.replay(batch));
        }
    }

    @Override
    public long onOpen(long logStartOffset, long logEndOffset) {
        this.logStartOffset = logStartOffset;
        try {
            long from = table.loadLatestSnapshot(dir, logStartOffset, clock.millis());
            from = Math.min(Math.max(from, logStartOffset), logEndOffset);
            aborted.load(logStartOffset, from);
            return from;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load producer snapshots in " + dir, e);
        }
    }

    @Override
    public void onCreate(long logStartOffset) {
        this.logStartOffset = logStartOffset; // a new directory: no snapshot and no aborted-transaction file to read
    }

    @Override
    public void onRoll(long baseOffset) {
        snapshot(baseOffset);
    }

    @Override
    public void onLogStartOffset(long logStartOffset) {
        this.logStartOffset = logStartOffset;
        table.onLogStartOffsetIncremented(logStartOffset);
        aborted.onLogStartOffset(logStartOffset);
    }

    @Override
    public void onTruncate(long logEndOffset) {
        // Truncation happens only under replication, which does not exist yet; the table reloads from a
        // snapshot at or below the new end, and the log's tail above that snapshot is not replayed here.
        try {
            table.truncateTo(dir, logEndOffset, logStartOffset, clock.millis());
            aborted.truncateTo(logEndOffset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot truncate producer state in " + dir, e);
        }
    }

    @Override
    public void onClose(long logEndOffset) {
        // As Kafka: no new snapshot unless the log grew past the newest one (an idle partition writes nothing).
        try {
            if (logEndOffset > ProducerSnapshots.latestOffset(dir).orElse(0L)) {
                snapshot(logEndOffset);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list producer snapshots in " + dir, e);
        }
        try {
            aborted.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the aborted transaction index in " + dir, e);
        }
    }

    private void snapshot(long offset) {
        try {
            aborted.flush(); // every entry below the snapshot's offset must be on disk before the snapshot is
            table.removeExpiredProducers(clock.millis());
            table.writeSnapshot(dir, offset);
            ProducerSnapshots.retainNewest(dir, SNAPSHOTS_KEPT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write producer snapshot in " + dir, e);
        }
    }
}
