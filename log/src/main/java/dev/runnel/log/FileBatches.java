package dev.runnel.log;

import dev.runnel.wire.record.RecordBatchView;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads record batch headers from a segment file with positional reads (the channel's position is never used, so
 * a shared channel serves any number of readers). Only the fixed 61-byte header is read; record data stays on
 * disk. Not thread-safe: each caller uses its own instance (it reuses one header buffer).
 */
final class FileBatches {
    /** Header fields of one batch at {@link #position}. */
    long position;
    int size;
    long baseOffset;
    long lastOffset;
    long maxTimestamp;
    short attributes;
    long producerId;
    short producerEpoch;

    private final FileChannel channel;
    private final ByteBuffer header = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);

    FileBatches(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Reads the header of the batch at {@code at}, which must end at or before {@code end}. Returns false when no
     * complete header and batch fit (the end of the published data, or a torn tail).
     */
    boolean readAt(long at, long end) throws IOException {
        if (end - at < RecordBatchView.HEADER_SIZE) {
            return false;
        }
        header.clear();
        while (header.hasRemaining()) {
            int n = channel.read(header, at + header.position());
            if (n < 0) {
                return false;
            }
        }
        int length = header.getInt(RecordBatchView.LENGTH_OFFSET);
        long batchSize = (long) length + RecordBatchView.LOG_OVERHEAD;
        if (length < RecordBatchView.HEADER_SIZE - RecordBatchView.LOG_OVERHEAD || at + batchSize > end) {
            return false;
        }
        position = at;
        size = (int) batchSize;
        baseOffset = header.getLong(RecordBatchView.BASE_OFFSET_OFFSET);
        lastOffset = baseOffset + header.getInt(RecordBatchView.LAST_OFFSET_DELTA_OFFSET);
        maxTimestamp = header.getLong(RecordBatchView.MAX_TIMESTAMP_OFFSET);
        attributes = header.getShort(RecordBatchView.ATTRIBUTES_OFFSET);
        producerId = header.getLong(RecordBatchView.PRODUCER_ID_OFFSET);
        producerEpoch = header.getShort(RecordBatchView.PRODUCER_EPOCH_OFFSET);
        return true;
    }

    /**
     * Moves to the first batch at or after {@code from} whose last offset is at least {@code offset}. Returns
     * false when no batch before {@code end} qualifies.
     */
    boolean seekToOffset(long offset, long from, long end) throws IOException {
        long at = from;
        while (readAt(at, end)) {
            if (lastOffset >= offset) {
                return true;
            }
            at += size;
        }
        return false;
    }

    /** The offset after the last complete batch between {@code from} and {@code end}, or -1 if there is none. */
    long nextOffsetAfter(long from, long end) throws IOException {
        long at = from;
        long next = -1;
        while (readAt(at, end)) {
            next = lastOffset + 1;
            at += size;
        }
        return next;
    }
}
