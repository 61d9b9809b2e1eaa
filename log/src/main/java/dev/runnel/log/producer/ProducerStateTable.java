package dev.runnel.log.producer;

import dev.runnel.log.producer.ProducerCheck.Outcome;
import dev.runnel.wire.record.InvalidRecordException;
import dev.runnel.wire.record.RecordBatchView;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The idempotent and transactional producer state of one partition, with Kafka 4.x's rules
 * ({@code ProducerStateManager}, {@code ProducerAppendInfo}, {@code UnifiedLog}).
 *
 * <p>Append protocol: {@link #check} a client batch (it changes nothing); append it only if the result is
 * {@link Outcome#OK}; then {@link #update} with the offsets it was written at. {@code check} judges a
 * batch against the state after the previous {@code update}, so a request carrying several batches of
 * one producer must be checked and updated one batch at a time (clients send one batch per partition).
 * Replicated or recovered batches skip the checks: {@link #replay}.
 *
 * <p>Transactions: the first transactional batch of a producer opens a transaction at its first offset; a
 * COMMIT or ABORT marker closes it and {@link #update} returns the {@link CompletedTxn} for the
 * transaction index. A completed transaction stays unstable until the high watermark passes its marker
 * ({@link #onHighWatermarkUpdated}); {@link #firstUnstableOffset} bounds the last stable offset.
 *
 * <p>Snapshots and recovery: {@link #writeSnapshot} records the state as of an offset; after a restart,
 * {@link #loadLatestSnapshot} restores the newest readable snapshot and returns the offset from which the
 * log must {@link #replay} its batches up to the log end. {@link #truncateTo} does the same after a
 * truncation: it drops the in-memory state and snapshots above the truncation point and reloads.
 *
 * <p>Owned by the partition's single writer thread: no locks, not thread-safe. Borrows batch buffers only
 * for the duration of a call.
 */
public final class ProducerStateTable {
    /** Kafka's default {@code producer.id.expiration.ms}: one day. */
    public static final long DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000L;

    private static final System.Logger LOG = System.getLogger(ProducerStateTable.class.getName());

    private final long producerIdExpirationMs;
    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    /** Open transactions: first offset to producer id. */
    private final TreeMap<Long, Long> ongoingTxns = new TreeMap<>();
    /** Completed transactions whose marker may still be above the high watermark, by first offset. */
    private final TreeMap<Long, CompletedTxn> unreplicatedTxns = new TreeMap<>();

    public ProducerStateTable(long producerIdExpirationMs) {
        if (producerIdExpirationMs <= 0) {
            throw new IllegalArgumentException("producer.id.expiration.ms must be positive: " + producerIdExpirationMs);
        }
        this.producerIdExpirationMs = producerIdExpirationMs;
    }

    public ProducerStateTable() {
        this(DEFAULT_PRODUCER_ID_EXPIRATION_MS);
    }

    /** {@link #check(RecordBatchView, short)} with the legacy (TV0/TV1) marker epoch rule. */
    public ProducerCheck check(RecordBatchView batch) {
        return check(batch, (short) 0);
    }

    /**
     * Judges a batch from a client (or a marker from the transaction coordinator) before it is appended.
     * Changes nothing. A batch without a producer id is always {@link ProducerCheck#OK}.
     *
     * <p>In Kafka's order: a retry of one of the last five batches of the producer's current epoch is a
     * {@code DUPLICATE}; an epoch below the current one is {@code INVALID_PRODUCER_EPOCH}; a new epoch must
     * start at sequence 0 and a known epoch must continue its last sequence (wrapping after
     * {@code Integer.MAX_VALUE}), else {@code OUT_OF_ORDER_SEQUENCE_NUMBER}. A producer id without state
     * (new, expired, or lost, KIP-360) is accepted at any sequence: Kafka 4.x no longer answers
     * {@code UNKNOWN_PRODUCER_ID} from the log. A non-transactional batch while the producer has a
     * transaction open is {@code INVALID_TXN_STATE}.
     *
     * @param batch              a validated batch; its buffer is borrowed
     * @param transactionVersion for markers only: from 2 on (KIP-890) the coordinator bumps the epoch before
     *                           writing a marker, so a marker must carry a higher epoch than the current one,
     *                           except a retry of a marker that already ended the transaction
     * @throws InvalidRecordException if a control batch holds no valid transaction marker
     */
    public ProducerCheck check(RecordBatchView batch, short transactionVersion) {
        if (!batch.hasProducerId()) {
            return ProducerCheck.OK;
        }
        long producerId = batch.producerId();
        short epoch = batch.producerEpoch();
        ProducerEntry entry = producers.get(producerId);
        if (batch.isControl()) {
            return checkMarker(batch, entry, transactionVersion); // markers carry no sequence: no duplicate check
        }
        if (batch.baseSequence() == RecordBatchView.NO_SEQUENCE) {
            // a coordinator's transactional records (TxnOffsetCommit in __consumer_offsets): Kafka checks only the
            // epoch of AppendOrigin.COORDINATOR appends; clients always send a sequence with a producer id
            short current = entry == null ? ProducerEntry.NO_PRODUCER_EPOCH : entry.producerEpoch();
            return epoch < current ? ProducerCheck.reject(Outcome.INVALID_PRODUCER_EPOCH, "Epoch of producer "
                + producerId + " is " + epoch + ", which is smaller than the last seen epoch " + current) : ProducerCheck.OK;
        }
        if (entry != null) {
            BatchMetadata duplicate = entry.findDuplicate(epoch, batch.baseSequence(), batch.lastSequence());
            if (duplicate != null) {
                return ProducerCheck.duplicate(duplicate);
            }
        }
        short currentEpoch = entry == null ? ProducerEntry.NO_PRODUCER_EPOCH : entry.producerEpoch();
        if (epoch < currentEpoch) {
            return ProducerCheck.reject(Outcome.INVALID_PRODUCER_EPOCH, "Epoch of producer " + producerId + " is "
                + epoch + ", which is smaller than the last seen epoch " + currentEpoch);
        }
        int firstSeq = batch.baseSequence();
        if (epoch != currentEpoch) {
            if (firstSeq != 0 && currentEpoch != ProducerEntry.NO_PRODUCER_EPOCH) {
                return ProducerCheck.reject(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, "Invalid sequence number for new epoch "
                    + epoch + " of producer " + producerId + ": " + firstSeq + " (current epoch " + currentEpoch + ")");
            }
        } else if (currentEpoch != ProducerEntry.NO_PRODUCER_EPOCH) {
            int lastSeq = entry.lastSequence();
            if (!BatchMetadata.inSequence(lastSeq, firstSeq)) {
                return ProducerCheck.reject(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, "Out of order sequence number for producer "
                    + producerId + ": " + firstSeq + " (incoming seq. number), " + lastSeq + " (current end sequence number)");
            }
        }
        if (entry != null && entry.hasOngoingTransaction() && !batch.isTransactional()) {
            return ProducerCheck.reject(Outcome.INVALID_TXN_STATE, "Expected transactional write from producer "
                + producerId + ", which has a transaction open since offset " + entry.currentTxnFirstOffset());
        }
        return ProducerCheck.OK;
    }

    private static ProducerCheck checkMarker(RecordBatchView batch, ProducerEntry entry, short transactionVersion) {
        TxnMarker marker = TxnMarker.parse(batch);
        if (marker == null || entry == null) {
            return ProducerCheck.OK;
        }
        short epoch = batch.producerEpoch();
        short current = entry.producerEpoch();
        boolean stale = transactionVersion >= 2 ? epoch <= current : epoch < current;
        // KAFKA-19999: a TV2 marker retried after it already ended the transaction is written again.
        boolean retriedMarker = transactionVersion >= 2 && epoch == current && !entry.hasOngoingTransaction();
        if (stale && !retriedMarker) {
            return ProducerCheck.reject(Outcome.INVALID_PRODUCER_EPOCH, "Marker epoch " + epoch + " of producer "
                + entry.producerId() + " is stale against the last seen epoch " + current + " (TV" + transactionVersion + ")");
        }
        if (entry.coordinatorEpoch() > marker.coordinatorEpoch()) {
            return ProducerCheck.reject(Outcome.TRANSACTION_COORDINATOR_FENCED, "Invalid coordinator epoch for producer "
                + entry.producerId() + ": " + marker.coordinatorEpoch() + " (zombie), " + entry.coordinatorEpoch() + " (current)");
        }
        return ProducerCheck.OK;
    }

    /**
     * Records a batch appended at {@code [firstOffset, lastOffset]}, which {@link #check} accepted (or
     * which came from replication or recovery). A marker completes the producer's open transaction.
     *
     * @param batch the appended batch; its buffer is borrowed
     * @return the transaction a COMMIT or ABORT marker completed, or null (data batch, batch without producer
     *     id, or a marker for a producer with no open transaction)
     * @throws InvalidRecordException if a control batch holds no valid transaction marker; nothing changes
     */
    public CompletedTxn update(RecordBatchView batch, long firstOffset, long lastOffset) {
        if (!batch.hasProducerId()) {
            return null;
        }
        long producerId = batch.producerId();
        TxnMarker marker = batch.isControl() ? TxnMarker.parse(batch) : null; // may throw: before any change
        // Like Kafka, even an empty control batch leaves an (empty) entry for its producer.
        ProducerEntry entry = producers.computeIfAbsent(producerId, ProducerEntry::new);
        if (batch.isControl()) {
            return marker == null ? null : endTxn(entry, batch.producerEpoch(), marker, firstOffset);
        }
        entry.addBatch(batch.producerEpoch(), batch.lastSequence(), lastOffset, (int) (lastOffset - firstOffset),
            batch.maxTimestamp());
        if (batch.isTransactional() && !entry.hasOngoingTransaction()) {
            entry.beginTxn(firstOffset);
            ongoingTxns.put(firstOffset, producerId);
        }
        return null;
    }

    /** {@link #update} for a batch read back from the log or replicated: its own offsets, no checks. */
    public CompletedTxn replay(RecordBatchView batch) {
        return update(batch, batch.baseOffset(), batch.lastOffset());
    }

    private CompletedTxn endTxn(ProducerEntry entry, short epoch, TxnMarker marker, long markerOffset) {
        long txnFirstOffset = entry.currentTxnFirstOffset();
        entry.endTxn(epoch, marker.coordinatorEpoch(), marker.timestamp());
        if (txnFirstOffset == ProducerEntry.NO_OFFSET) {
            return null; // an empty transaction leaves nothing in the transaction index or the LSO
        }
        ongoingTxns.remove(txnFirstOffset);
        long lastStableOffset = ongoingTxns.isEmpty() ? markerOffset + 1 : ongoingTxns.firstKey();
        CompletedTxn completed = new CompletedTxn(entry.producerId(), txnFirstOffset, markerOffset, !marker.commit(),
            lastStableOffset);
        unreplicatedTxns.put(txnFirstOffset, completed);
        return completed;
    }

    /**
     * The first offset that is not yet stable: the start of the oldest transaction that is open, or that
     * is completed but whose marker the high watermark has not passed. Empty if everything is stable.
     */
    public OptionalLong firstUnstableOffset() {
        Long open = ongoingTxns.isEmpty() ? null : ongoingTxns.firstKey();
        Long unreplicated = unreplicatedTxns.isEmpty() ? null : unreplicatedTxns.firstKey();
        if (open == null && unreplicated == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.min(open == null ? Long.MAX_VALUE : open, unreplicated == null ? Long.MAX_VALUE : unreplicated));
    }

    /** The first offset of the oldest open transaction, ignoring replication. */
    public OptionalLong firstUndecidedOffset() {
        return ongoingTxns.isEmpty() ? OptionalLong.empty() : OptionalLong.of(ongoingTxns.firstKey());
    }

    /** Completed transactions whose marker lies below {@code highWatermark} become stable. */
    public void onHighWatermarkUpdated(long highWatermark) {
        removeUnreplicatedTxnsBelow(highWatermark);
    }

    /** Completed transactions whose marker lies below the new log start offset are forgotten. */
    public void onLogStartOffsetIncremented(long logStartOffset) {
        removeUnreplicatedTxnsBelow(logStartOffset);
    }

    private void removeUnreplicatedTxnsBelow(long offset) {
        unreplicatedTxns.values().removeIf(txn -> txn.lastOffset() < offset);
    }

    /** True if the producer, at this epoch, has a transaction open here (KIP-890 verification). */
    public boolean hasOngoingTransaction(long producerId, short producerEpoch) {
        ProducerEntry entry = producers.get(producerId);
        return entry != null && entry.hasOngoingTransaction() && entry.producerEpoch() == producerEpoch;
    }

    /**
     * Forgets producers idle for {@code producer.id.expiration.ms} (by the timestamp of their last write),
     * except those with a transaction open.
     */
    public void removeExpiredProducers(long nowMs) {
        producers.values().removeIf(entry -> isExpired(entry, nowMs));
    }

    private boolean isExpired(ProducerEntry entry, long nowMs) {
        return !entry.hasOngoingTransaction() && nowMs - entry.lastTimestamp() >= producerIdExpirationMs;
    }

    /** The producer's state, or null if it has none here. Do not keep it past the call. */
    public ProducerEntry producer(long producerId) {
        return producers.get(producerId);
    }

    /** All producers with state here (a read-only view, for DescribeProducers). */
    public Collection<ProducerEntry> producers() {
        return Collections.unmodifiableCollection(producers.values());
    }

    public int producerCount() {
        return producers.size();
    }

    /**
     * Writes the state as {@code <offset>.snapshot} in {@code dir}. The state must reflect every batch
     * below {@code offset} and none above it (normally {@code offset} is the log end offset).
     *
     * @return the snapshot file
     */
    public Path writeSnapshot(Path dir, long offset) throws IOException {
        Path file = ProducerSnapshotFile.path(dir, offset);
        ProducerSnapshotFile.write(file, producers.values());
        return file;
    }

    /**
     * Replaces the state with the newest readable snapshot in {@code dir}, deleting corrupt ones on the way,
     * and drops producers expired at {@code nowMs}. Snapshots below {@code logStartOffset} describe
     * records that are gone and are ignored.
     *
     * @return the offset to replay the log from: the snapshot's offset, or {@code logStartOffset} if there
     *     is no usable snapshot (the state is then empty)
     */
    public long loadLatestSnapshot(Path dir, long logStartOffset, long nowMs) throws IOException {
        clear();
        NavigableMap<Long, Path> snapshots = ProducerSnapshots.list(dir).tailMap(logStartOffset, true);
        for (Map.Entry<Long, Path> snapshot : snapshots.descendingMap().entrySet()) {
            List<ProducerEntry> entries;
            try {
                entries = ProducerSnapshotFile.read(snapshot.getValue());
            } catch (CorruptSnapshotException e) {
                LOG.log(System.Logger.Level.WARNING, "Deleting corrupt producer snapshot: " + e.getMessage());
                ProducerSnapshots.delete(List.of(snapshot.getValue()));
                continue;
            }
            for (ProducerEntry entry : entries) {
                if (!isExpired(entry, nowMs)) {
                    load(entry);
                }
            }
            return snapshot.getKey();
        }
        return logStartOffset;
    }

    private void load(ProducerEntry entry) {
        producers.put(entry.producerId(), entry);
        if (entry.hasOngoingTransaction()) {
            ongoingTxns.put(entry.currentTxnFirstOffset(), entry.producerId());
        }
    }

    /**
     * After the log was truncated to end at {@code offset}: deletes snapshots above it, drops the in-memory
     * state and reloads the newest snapshot at or below it. The caller then replays the log's batches from
     * the returned offset up to {@code offset}.
     *
     * <p>Simpler than Kafka, which skips the reload when nothing was truncated: afterwards only the batches
     * replayed and the last batch per producer in the snapshot are recognised as duplicates. Completed
     * transactions whose marker survived the truncation stay unstable until the high watermark passes them
     * (Kafka drops them, assuming truncation only happens below the high watermark).
     *
     * @return the offset to replay from (see {@link #loadLatestSnapshot})
     */
    public long truncateTo(Path dir, long offset, long logStartOffset, long nowMs) throws IOException {
        ProducerSnapshots.deleteAbove(dir, offset);
        List<CompletedTxn> survivors = unreplicatedTxns.values().stream().filter(txn -> txn.lastOffset() < offset).toList();
        long replayFrom = loadLatestSnapshot(dir, logStartOffset, nowMs);
        survivors.forEach(txn -> unreplicatedTxns.put(txn.firstOffset(), txn));
        return replayFrom;
    }

    /** Forgets everything in memory (snapshot files stay). */
    public void clear() {
        producers.clear();
        ongoingTxns.clear();
        unreplicatedTxns.clear();
    }
}
