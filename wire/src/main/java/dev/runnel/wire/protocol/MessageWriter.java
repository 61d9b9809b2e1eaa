package dev.runnel.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where a message is written. Scalars go into {@link #out()}; a {@code records} field either is copied in
 * ({@link #into}) or ends the current chunk and becomes a chunk of its own ({@link #chunked}), so that
 * record bytes are never copied on the way to the socket. Generated code re-reads {@link #out()} after
 * every call that may write records, because the current buffer changes then.
 */
public final class MessageWriter {
    private final ByteBufAllocator alloc;
    private final List<Object> chunks;
    private ByteBuf out;

    private MessageWriter(ByteBuf out, ByteBufAllocator alloc, List<Object> chunks) {
        this.out = out;
        this.alloc = alloc;
        this.chunks = chunks;
    }

    /** Writes everything, records included, into {@code out} (borrowed). */
    public static MessageWriter into(ByteBuf out) {
        return new MessageWriter(out, null, null);
    }

    /**
     * Writes into buffers from {@code alloc}, with each records section as a separate chunk. The caller
     * must call {@link #finish()} and take ownership of the chunks, or {@link #discard()} on failure.
     */
    public static MessageWriter chunked(ByteBufAllocator alloc, int initialCapacity) {
        return new MessageWriter(alloc.buffer(initialCapacity), alloc, new ArrayList<>());
    }

    /** The buffer scalars are written to now. */
    public ByteBuf out() {
        return out;
    }

    /** Writes a records section after its length prefix. ByteBuf records are retained, never copied, when chunked. */
    public void writeRecords(Records records) {
        if (chunks == null) {
            if (!(records instanceof ByteBufRecords buffered)) {
                throw new IllegalStateException("cannot inline " + records + "; use a chunked writer");
            }
            ByteBuf data = buffered.buffer();
            out.writeBytes(data, data.readerIndex(), data.readableBytes());
            return;
        }
        if (records.sizeInBytes() == 0) {
            return;
        }
        chunks.add(out);
        chunks.add(records instanceof ByteBufRecords buffered ? buffered.buffer().retainedSlice() : records);
        out = alloc.buffer(256);
    }

    /** Writes one known tagged field: its tag, its size, then what {@code body} writes. */
    public void writeTaggedField(int tag, Consumer<MessageWriter> body) {
        ByteBuf field = Unpooled.buffer(32);
        try {
            body.accept(into(field));
            Types.writeUnsignedVarint(out, tag);
            Types.writeUnsignedVarint(out, field.readableBytes());
            out.writeBytes(field);
        } finally {
            field.release();
        }
    }

    /**
     * Ends a chunked write. Returns the chunks in order — {@link ByteBuf}s and non-buffer {@link Records} —
     * and transfers their ownership to the caller.
     */
    public List<Object> finish() {
        chunks.add(out);
        out = null;
        return chunks;
    }

    /** Releases everything a chunked writer holds, after a failed write. */
    public void discard() {
        if (chunks == null) {
            return;
        }
        for (Object chunk : chunks) {
            if (chunk instanceof ByteBuf buf) {
                buf.release();
            }
        }
        chunks.clear();
        if (out != null) {
            out.release();
            out = null;
        }
    }
}
