package dev.runnel.log;

import dev.runnel.wire.record.InvalidRecordException;
import dev.runnel.wire.record.RecordBatchView;
import dev.runnel.wire.record.Record;
import dev.runnel.wire.record.RecordIterator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * The validation an append does before touching the log: the buffer must be whole v2 batches, each with a valid
 * header and CRC and at most {@code max.message.bytes}, and the request at most {@code segment.bytes}. Collects
 * what rolling needs (offset count, max timestamp). Borrows the buffer; reads only batch headers plus the CRC pass,
 * except {@link #requireKeys} (compacted topics), which decodes every record.
 *
 * @param offsetCount    offsets the batches span (sum of lastOffsetDelta + 1)
 * @param maxTimestamp   the largest batch max timestamp
 * @param lastOffset     the last offset as currently written in the batches (meaningful for follower appends)
 * @param offsetsIncrease batches' offsets strictly increase (required of follower appends)
 */
record AppendBatches(long offsetCount, long maxTimestamp, long lastOffset, boolean offsetsIncrease) {

    static AppendBatches validate(ByteBuf records, LogConfig config) {
        int total = records.readableBytes();
        if (total == 0) {
            throw new InvalidRecordException("produce request without record batches");
        }
        if (total > config.segmentBytes()) {
            throw new RecordTooLargeException("request of " + total + " bytes exceeds segment.bytes "
                    + config.segmentBytes(), true);
        }
        RecordBatchView view = new RecordBatchView();
        long offsets = 0;
        long maxTimestamp = -1;
        long lastOffset = -1;
        boolean increasing = true;
        for (int at = records.readerIndex(); at < records.writerIndex(); at += view.sizeInBytes()) {
            int available = records.writerIndex() - at;
            if (available < RecordBatchView.LOG_OVERHEAD) {
                throw new InvalidRecordException("trailing " + available + " bytes after the last record batch");
            }
            view.wrap(records, at);
            if (view.sizeInBytes() > config.maxMessageBytes() && view.sizeInBytes() <= available) {
                throw new RecordTooLargeException("record batch of " + view.sizeInBytes()
                        + " bytes exceeds max.message.bytes " + config.maxMessageBytes(), false);
            }
            view.validate(available);
            if (view.lastOffsetDelta() < 0) {
                throw new InvalidRecordException("negative last offset delta " + view.lastOffsetDelta());
            }
            if (view.baseOffset() <= lastOffset) {
                increasing = false;
            }
            offsets += view.lastOffsetDelta() + 1L;
            maxTimestamp = Math.max(maxTimestamp, view.maxTimestamp());
            lastOffset = view.lastOffset();
        }
        return new AppendBatches(offsets, maxTimestamp, lastOffset, increasing);
    }

    /** The most a compressed batch may decompress to while checking keys (a bound against compression bombs). */
    static final int MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

    /**
     * Kafka's per-record check for compacted topics: every record of every data batch in {@code records} (borrowed,
     * validated) must have a key. Decompresses compressed batches into {@code alloc} buffers it releases.
     *
     * @throws InvalidRecordKeyException listing the keyless records of the first batch that has any
     * @throws InvalidRecordException    for malformed records or oversized compressed data
     */
    static void requireKeys(ByteBuf records, TopicPartition topicPartition, ByteBufAllocator alloc) {
        RecordBatchView view = new RecordBatchView();
        for (int at = records.readerIndex(); at < records.writerIndex(); at += view.sizeInBytes()) {
            view.wrap(records, at);
            if (view.isControl()) {
                continue; // control records always carry their own key
            }
            List<Integer> keyless = new ArrayList<>();
            try (RecordIterator it = view.records(alloc, MAX_DECOMPRESSED_BYTES)) {
                for (int index = 0; it.hasNext(); index++) {
                    Record record = it.next();
                    if (!record.hasKey()) {
                        keyless.add(index);
                    }
                }
            }
            if (!keyless.isEmpty()) {
                throw new InvalidRecordKeyException(topicPartition, keyless);
            }
        }
    }
}
