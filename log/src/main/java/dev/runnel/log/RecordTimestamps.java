package dev.runnel.log;

import dev.runnel.wire.record.RecordBatchView;
import io.netty.buffer.ByteBuf;

/**
 * Finds the first record of one batch at or after a timestamp, for ListOffsets by timestamp. Reads only the
 * varint record headers (length, attributes, timestampDelta, offsetDelta) of an uncompressed batch.
 *
 * <p>A compressed batch is answered at batch granularity (its first offset at or after the start offset, with the
 * batch's max timestamp) until the wire module offers record iteration; the consumer then reads a few records
 * before the exact one. Borrows the buffer. Stateless.
 */
final class RecordTimestamps {
    private RecordTimestamps() {
    }

    /** The first record with timestamp at least {@code target} and offset at least {@code minOffset}, or null. */
    static TimestampAndOffset find(RecordBatchView batch, long target, long minOffset) {
        if (batch.maxTimestamp() < target || batch.lastOffset() < minOffset) {
            return null;
        }
        if (batch.isLogAppendTime() || batch.compressionId() != 0) {
            return new TimestampAndOffset(batch.maxTimestamp(), Math.max(batch.baseOffset(), minOffset));
        }
        ByteBuf buf = batch.buffer();
        int at = batch.start() + RecordBatchView.RECORDS_OFFSET;
        int end = batch.start() + batch.sizeInBytes();
        long baseTimestamp = batch.baseTimestamp();
        int[] cursor = new int[1];
        for (int i = 0; i < batch.recordCount() && at < end; i++) {
            cursor[0] = at;
            long length = readVarlong(buf, cursor);
            int bodyStart = cursor[0];
            cursor[0]++; // attributes
            long timestamp = baseTimestamp + readVarlong(buf, cursor);
            long offset = batch.baseOffset() + readVarlong(buf, cursor);
            if (timestamp >= target && offset >= minOffset) {
                return new TimestampAndOffset(timestamp, offset);
            }
            at = bodyStart + (int) length;
        }
        return null;
    }

    /** Reads a zig-zag varint/varlong at {@code cursor[0]} and advances it. */
    private static long readVarlong(ByteBuf buf, int[] cursor) {
        long raw = 0;
        int shift = 0;
        while (true) {
            byte b = buf.getByte(cursor[0]++);
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 63) {
                throw new dev.runnel.wire.record.InvalidRecordException("varint too long");
            }
        }
        return (raw >>> 1) ^ -(raw & 1);
    }
}
