package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Walks the consecutive record batches of a records section (a Produce request's records, a segment
 * slice, a Fetch response's records) by their length fields alone, as Kafka's
 * {@code ByteBufferLogInputStream} does. Used by one thread. Borrows the buffer and never allocates.
 *
 * <p>Each batch is {@code baseOffset int64, batchLength int32} followed by {@code batchLength} bytes. The
 * walk stops cleanly before a trailing partial batch (fewer than 12 bytes, or fewer than the declared
 * length; fetch responses may end that way); {@link #position()} and {@link #hasPartialTail()} tell
 * where. A length too small to hold a v2 header is corruption and throws {@link InvalidRecordException}.
 * Returned views are only framed: call {@link RecordBatchView#validate} for magic and CRC.
 */
public final class RecordBatchIterator implements Iterator<RecordBatchView> {
    private final ByteBuf buf;
    private final int end;
    private int position;

    /** Iterates the readable bytes of {@code buf} without moving its indexes. */
    public RecordBatchIterator(ByteBuf buf) {
        this(buf, buf.readerIndex(), buf.writerIndex());
    }

    /** Iterates the bytes of {@code buf} from index {@code from} to {@code to} (exclusive). */
    public RecordBatchIterator(ByteBuf buf, int from, int to) {
        if (from < 0 || from > to || to > buf.capacity()) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of a buffer of " + buf.capacity());
        }
        this.buf = buf;
        this.position = from;
        this.end = to;
    }

    /**
     * True when a whole batch starts at {@link #position()}.
     *
     * @throws InvalidRecordException when the next batch's length field cannot be right
     */
    @Override
    public boolean hasNext() {
        int available = end - position;
        if (available < RecordBatchView.LOG_OVERHEAD) {
            return false;
        }
        int length = buf.getInt(position + RecordBatchView.LENGTH_OFFSET);
        if (length < RecordBatchView.HEADER_SIZE - RecordBatchView.LOG_OVERHEAD) {
            throw new InvalidRecordException("record batch at " + position + " declares length " + length
                    + ", less than a batch header");
        }
        return length <= available - RecordBatchView.LOG_OVERHEAD;
    }

    /** The next whole batch, as a new view over the borrowed buffer. */
    @Override
    public RecordBatchView next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        RecordBatchView view = new RecordBatchView(buf, position);
        position += view.sizeInBytes();
        return view;
    }

    /** Index just after the last batch returned: the end of the whole batches seen so far. */
    public int position() {
        return position;
    }

    /** Bytes after {@link #position()} up to the end of the range. */
    public int remaining() {
        return end - position;
    }

    /** True once iteration has stopped before the end of the range, at an incomplete batch. */
    public boolean hasPartialTail() {
        return position < end && !hasNext();
    }
}
