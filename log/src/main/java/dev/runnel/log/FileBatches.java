package dev.runnel.log;

import dev.runnel.wire.record.RecordBatchView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.function.Predicate;

/**
 * Reads record batch headers from a segment file with positional reads (the channel's position is never used, so
 * a shared channel serves any number of readers). Only the fixed 61-byte header is read; record data stays on
 * disk, except through {@link #readBatch} and {@link #forEach}, which copy whole batches into heap buffers they
 * release. Not thread-safe: each caller uses its own instance (it reuses one header buffer).
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

    /** Reads {@code length} bytes at {@code position} into a new heap buffer the caller must release. */
    static ByteBuf readBatch(SharedChannel channel, long position, int length) throws IOException {
        ByteBuf buf = Unpooled.buffer(length);
        try {
            while (buf.writerIndex() < length) {
                int n = buf.writeBytes(channel.channel(), position + buf.writerIndex(), length - buf.writerIndex());
                if (n < 0) {
                    throw new IOException("segment shrank while reading at " + position);
                }
            }
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        }
    }


    /** {largest batch max timestamp (-1 if none), last offset of its batch (or {@code baseOffset})} below {@code end}. */
    long[] maxTimestampAndOffset(long end, long baseOffset) throws IOException {
        long[] max = {-1, baseOffset};
        for (long at = 0; readAt(at, end); at += size) {
            if (maxTimestamp > max[0]) {
                max[0] = maxTimestamp;
                max[1] = lastOffset;
            }
        }
        return max;
    }

    /**
     * Reads, from {@code from} to {@code end}, each batch whose last offset is at least {@code minLastOffset} and
     * whose max timestamp is at least {@code minTimestamp} (the others are skipped on their header) into a heap
     * buffer, and hands {@code visitor} a view of it, valid during the call; stops when the visitor returns false.
     */
    static void forEach(SharedChannel channel, long from, long end, long minLastOffset, long minTimestamp,
                        Predicate<RecordBatchView> visitor) throws IOException {
        FileBatches batches = new FileBatches(channel.channel());
        RecordBatchView view = new RecordBatchView();
        for (long at = from; batches.readAt(at, end); at += batches.size) {
            if (batches.lastOffset >= minLastOffset && batches.maxTimestamp >= minTimestamp) {
                ByteBuf bytes = readBatch(channel, batches.position, batches.size);
                try {
                    if (!visitor.test(view.wrap(bytes, 0))) {
                        return;
                    }
                } finally {
                    bytes.release();
                }
            }
        }
    }
}
