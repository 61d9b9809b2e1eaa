package dev.runnel.wire.record;

import io.netty.buffer.ByteBufAllocator;

/**
 * What the broker needs to know about a batch's records beyond its header, gathered in one pass: the
 * number of records actually present (the pass fails unless it equals the declared count), whether all
 * have keys (compacted topics reject keyless records with {@code INVALID_RECORD}), and the timestamp range
 * (for {@code message.timestamp.before.max.ms}/{@code after.max.ms} checks on CreateTime batches).
 *
 * @param count             records present, equal to the header's recordCount
 * @param firstKeylessIndex index in the batch of the first record without a key, or -1
 * @param minTimestamp      smallest record timestamp, or -1 when there are no records
 * @param maxTimestamp      largest record timestamp, or -1 when there are no records
 */
public record RecordsSummary(int count, int firstKeylessIndex, long minTimestamp, long maxTimestamp) {
    public boolean allRecordsHaveKeys() {
        return firstKeylessIndex < 0;
    }

    /**
     * Decodes every record of {@code batch} (borrowed), decompressing with at most
     * {@code maxUncompressedBytes} from {@code alloc} (released before returning).
     *
     * @throws InvalidRecordException when a record is malformed or the count does not match
     */
    public static RecordsSummary of(RecordBatchView batch, ByteBufAllocator alloc, int maxUncompressedBytes) {
        int count = 0;
        int firstKeyless = -1;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        try (RecordIterator records = batch.records(alloc, maxUncompressedBytes)) {
            while (records.hasNext()) {
                Record record = records.next();
                if (!record.hasKey() && firstKeyless < 0) {
                    firstKeyless = count;
                }
                min = Math.min(min, record.timestamp());
                max = Math.max(max, record.timestamp());
                count++;
            }
        }
        return count == 0 ? new RecordsSummary(0, -1, -1, -1) : new RecordsSummary(count, firstKeyless, min, max);
    }
}
