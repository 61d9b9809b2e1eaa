package dev.runnel.log;

import dev.runnel.wire.record.Record;
import dev.runnel.wire.record.RecordBatchView;
import dev.runnel.wire.record.RecordIterator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Finds the first record of one batch at or after a timestamp, for ListOffsets by timestamp: like Kafka, it walks
 * the batch's records (decompressing a compressed batch) so the answer is the exact record, not the batch.
 * Under LogAppendTime every record carries the batch's max timestamp. Borrows the batch's buffer. Stateless.
 */
final class RecordTimestamps {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    /** Bounds the decompression of one batch; far above any batch max.message.bytes lets in. */
    private static final int MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024;

    private RecordTimestamps() {
    }

    /** The first record with timestamp at least {@code target} and offset at least {@code minOffset}, or null. */
    static TimestampAndOffset find(RecordBatchView batch, long target, long minOffset) {
        if (batch.maxTimestamp() < target || batch.lastOffset() < minOffset) {
            return null;
        }
        try (RecordIterator records = batch.records(ALLOC, MAX_UNCOMPRESSED_BYTES)) {
            while (records.hasNext()) {
                Record record = records.next();
                if (record.timestamp() >= target && record.offset() >= minOffset) {
                    return new TimestampAndOffset(record.timestamp(), record.offset());
                }
            }
        }
        return null;
    }
}
