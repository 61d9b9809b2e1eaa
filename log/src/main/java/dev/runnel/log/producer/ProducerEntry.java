package dev.runnel.log.producer;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The state of one producer id on one partition: its epoch, the metadata of its last
 * {@value #BATCHES_TO_RETAIN} batches of that epoch (oldest first), the epoch of the transaction
 * coordinator that wrote its last marker, the first offset of its open transaction, and the timestamp of
 * its last write (which drives {@code producer.id.expiration.ms}).
 *
 * <p>Read-only to everyone but {@link ProducerStateTable}, which mutates it on the partition's writer
 * thread; readers on other threads must not hold on to an instance.
 */
public final class ProducerEntry {
    /**
     * A producer has at most five requests in flight per connection
     * ({@code max.in.flight.requests.per.connection} with idempotence), so any retry matches one of these.
     */
    public static final int BATCHES_TO_RETAIN = 5;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final int NO_COORDINATOR_EPOCH = -1;
    public static final long NO_TIMESTAMP = -1L;
    public static final long NO_OFFSET = -1L;

    private final long producerId;
    private final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(BATCHES_TO_RETAIN);
    private short producerEpoch = NO_PRODUCER_EPOCH;
    private int coordinatorEpoch = NO_COORDINATOR_EPOCH;
    private long lastTimestamp = NO_TIMESTAMP;
    private long currentTxnFirstOffset = NO_OFFSET;

    ProducerEntry(long producerId) {
        this.producerId = producerId;
    }

    /** An entry as a snapshot stores it: only the last batch survives a snapshot, as in Kafka. */
    ProducerEntry(long producerId, short producerEpoch, int coordinatorEpoch, long lastTimestamp,
                  long currentTxnFirstOffset, BatchMetadata lastBatch) {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.coordinatorEpoch = coordinatorEpoch;
        this.lastTimestamp = lastTimestamp;
        this.currentTxnFirstOffset = currentTxnFirstOffset;
        if (lastBatch != null) {
            batches.add(lastBatch);
        }
    }

    public long producerId() {
        return producerId;
    }

    public short producerEpoch() {
        return producerEpoch;
    }

    public int coordinatorEpoch() {
        return coordinatorEpoch;
    }

    /** Max timestamp of the last data batch, or the timestamp of the last marker. */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    /** First offset of the producer's open transaction on this partition, or -1 if none is open. */
    public long currentTxnFirstOffset() {
        return currentTxnFirstOffset;
    }

    public boolean hasOngoingTransaction() {
        return currentTxnFirstOffset != NO_OFFSET;
    }

    /** Sequence of the last record written in the current epoch, or -1 if none is cached. */
    public int lastSequence() {
        return batches.isEmpty() ? NO_SEQUENCE : batches.getLast().lastSeq();
    }

    /** Offset of the last data record written in the current epoch, or -1 if none is cached. */
    public long lastDataOffset() {
        return batches.isEmpty() ? NO_OFFSET : batches.getLast().lastOffset();
    }

    public int lastOffsetDelta() {
        return batches.isEmpty() ? 0 : batches.getLast().offsetDelta();
    }

    /** The cached batches, oldest first (a copy). */
    public List<BatchMetadata> batches() {
        return List.copyOf(batches);
    }

    boolean isEmpty() {
        return batches.isEmpty();
    }

    /** The cached batch of this epoch with exactly this sequence range, or null. */
    BatchMetadata findDuplicate(short epoch, int firstSeq, int lastSeq) {
        if (epoch != producerEpoch) {
            return null;
        }
        for (BatchMetadata batch : batches) {
            if (batch.firstSeq() == firstSeq && batch.lastSeq() == lastSeq) {
                return batch;
            }
        }
        return null;
    }

    void addBatch(short epoch, int lastSeq, long lastOffset, int offsetDelta, long timestamp) {
        updateEpoch(epoch);
        if (batches.size() == BATCHES_TO_RETAIN) {
            batches.removeFirst();
        }
        batches.addLast(new BatchMetadata(lastSeq, lastOffset, offsetDelta, timestamp));
        lastTimestamp = timestamp;
    }

    void beginTxn(long firstOffset) {
        currentTxnFirstOffset = firstOffset;
    }

    /** A COMMIT or ABORT marker: the transaction is over and the marker's epochs become current. */
    void endTxn(short epoch, int markerCoordinatorEpoch, long timestamp) {
        updateEpoch(epoch);
        coordinatorEpoch = markerCoordinatorEpoch;
        currentTxnFirstOffset = NO_OFFSET;
        lastTimestamp = timestamp;
    }

    /** The cached batches belong to one epoch: a new epoch (a bump, KIP-360) starts with none. */
    private void updateEpoch(short epoch) {
        if (epoch != producerEpoch) {
            batches.clear();
            producerEpoch = epoch;
        }
    }

    @Override
    public String toString() {
        return "ProducerEntry(producerId=" + producerId + ", epoch=" + producerEpoch
            + ", coordinatorEpoch=" + coordinatorEpoch + ", lastTimestamp=" + lastTimestamp
            + ", currentTxnFirstOffset=" + currentTxnFirstOffset + ", batches=" + batches + ')';
    }
}
