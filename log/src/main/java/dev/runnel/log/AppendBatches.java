package dev.runnel.log;

import dev.runnel.wire.record.InvalidRecordException;
import dev.runnel.wire.record.RecordBatchView;
import io.netty.buffer.ByteBuf;

/**
 * The validation an append does before touching the log: the buffer must be whole v2 batches, each with a valid
 * header and CRC and at most {@code max.message.bytes}, and the request at most {@code segment.bytes}. Collects
 * what rolling needs (offset count, max timestamp). Borrows the buffer; reads only batch headers plus the CRC pass.
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
}
