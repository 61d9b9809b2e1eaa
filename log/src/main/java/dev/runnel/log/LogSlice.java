package dev.runnel.log;

import java.nio.channels.FileChannel;

/**
 * A byte range of one segment file to send as a fetch response's records, without copying: hand {@link #channel()},
 * {@link #position()} and {@link #size()} to a {@code FileRegion}. The slice holds a lease on the open file; the
 * file stays open (even if the segment is deleted or its handle evicted) until {@link #release()} is called once,
 * when the send finishes or fails. An empty slice holds nothing and releasing it is a no-op.
 *
 * <p>The slice starts at a batch boundary. As in Kafka, it may end inside a batch when {@code maxBytes} cut it;
 * clients drop a partial trailing batch.
 */
public final class LogSlice {
    private static final LogSlice EMPTY = new LogSlice(null, 0, 0, -1);

    private final SharedChannel lease;
    private final long position;
    private final int size;
    private final long firstBatchBaseOffset;
    private boolean released;

    LogSlice(SharedChannel lease, long position, int size, long firstBatchBaseOffset) {
        this.lease = lease;
        this.position = position;
        this.size = size;
        this.firstBatchBaseOffset = firstBatchBaseOffset;
    }

    public static LogSlice empty() {
        return EMPTY;
    }

    /** The open segment file; valid until {@link #release()}. Null for an empty slice. */
    public FileChannel channel() {
        return lease == null ? null : lease.channel();
    }

    public long position() {
        return position;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Base offset of the first batch in the slice (at or below the fetch offset), or -1 when empty. */
    public long firstBatchBaseOffset() {
        return firstBatchBaseOffset;
    }

    /** Ends the lease. Call exactly once per non-empty slice. */
    public synchronized void release() {
        if (lease == null) {
            return;
        }
        if (released) {
            throw new IllegalStateException("LogSlice released twice");
        }
        released = true;
        lease.release();
    }
}
