package dev.runnel.log;

import dev.runnel.wire.record.ControlRecord;
import dev.runnel.wire.record.ControlRecordType;
import dev.runnel.wire.record.RecordBatchView;
import dev.runnel.wire.record.RecordIterator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the log cleaner needs to know about producers, read from the batch headers of the whole log (only control
 * batches are read in full, for their marker type). Kafka keeps this in {@code .txnindex} files and the producer
 * state table; we derive it from the log, which holds the same facts:
 * <ul>
 *   <li>aborted transactions: producer id, first offset, offset of the ABORT marker;</li>
 *   <li>per producer, the last batch the cleaner must keep so that sequence numbers and epochs survive (Kafka's
 *   {@code lastRecordsOfActiveProducers}): the last data batch, or the last marker when a later marker bumped the
 *   epoch. Unlike Kafka we do not know which producers have expired, so their last batches are kept too (as
 *   empty batches once their records are compacted away).</li>
 * </ul>
 * Runs on the partition's writer thread.
 */
final class TransactionScan {
    /** An aborted transaction: data batches of {@code producerId} from {@code firstOffset} to the marker at {@code lastOffset}. */
    record AbortedTxn(long producerId, long firstOffset, long lastOffset) {
    }

    /** The producer's last data offset (-1 when its last word was a marker with a new epoch) and epoch. */
    record LastRecord(long lastDataOffset, short producerEpoch) {
    }

    final List<AbortedTxn> aborted = new ArrayList<>();
    final Map<Long, LastRecord> lastRecords = new HashMap<>();
    private final Map<Long, Long> openTxnFirstOffsets = new HashMap<>();

    private TransactionScan() {
    }

    static TransactionScan of(Collection<LogSegment> segments, LogResources resources) throws IOException {
        TransactionScan scan = new TransactionScan();
        for (LogSegment segment : segments) {
            scan.scan(segment, resources);
        }
        return scan;
    }

    private void scan(LogSegment segment, LogResources resources) throws IOException {
        int end = segment.size();
        SharedChannel channel = resources.files().acquire(segment.logFile());
        try {
            FileBatches batches = new FileBatches(channel.channel());
            for (long at = 0; batches.readAt(at, end); at += batches.size) {
                if (batches.producerId == RecordBatchView.NO_PRODUCER_ID) {
                    continue;
                }
                if ((batches.attributes & RecordBatchView.CONTROL_MASK) != 0) {
                    ByteBuf bytes = FileBatches.readBatch(channel, batches.position, batches.size);
                    try {
                        onMarker(batches, controlType(new RecordBatchView(bytes, 0)));
                    } finally {
                        bytes.release();
                    }
                } else {
                    onData(batches);
                }
            }
        } finally {
            channel.release();
        }
    }

    private void onData(FileBatches batch) {
        if ((batch.attributes & RecordBatchView.TRANSACTIONAL_MASK) != 0) {
            openTxnFirstOffsets.putIfAbsent(batch.producerId, batch.baseOffset);
        }
        lastRecords.put(batch.producerId, new LastRecord(batch.lastOffset, batch.producerEpoch));
    }

    private void onMarker(FileBatches batch, ControlRecordType type) {
        if (type == null || !type.isTransactionMarker()) {
            return;
        }
        Long first = openTxnFirstOffsets.remove(batch.producerId);
        if (type == ControlRecordType.ABORT) {
            aborted.add(new AbortedTxn(batch.producerId, first == null ? batch.lastOffset : first, batch.lastOffset));
        }
        LastRecord last = lastRecords.get(batch.producerId);
        if (last == null || last.producerEpoch() != batch.producerEpoch) {
            // Kafka's producer state forgets the batches of an older epoch: only the marker carries the epoch now
            lastRecords.put(batch.producerId, new LastRecord(-1, batch.producerEpoch));
        }
    }

    /** The type of a control batch's first record, or null for a control batch emptied by an earlier clean. */
    static ControlRecordType controlType(RecordBatchView batch) {
        if (batch.recordCount() == 0) {
            return null;
        }
        try (RecordIterator records = batch.records(ByteBufAllocator.DEFAULT, AppendBatches.MAX_DECOMPRESSED_BYTES)) {
            return records.hasNext() ? ControlRecord.type(records.next().key()) : null;
        }
    }

    /** Aborted transactions overlapping [{@code from}, {@code to}), as Kafka's collectAbortedTransactions returns. */
    List<AbortedTxn> abortedOverlapping(long from, long to) {
        List<AbortedTxn> found = new ArrayList<>();
        for (AbortedTxn txn : aborted) {
            if (txn.lastOffset() >= from && txn.firstOffset() < to) {
                found.add(txn);
            }
        }
        return found;
    }
}
