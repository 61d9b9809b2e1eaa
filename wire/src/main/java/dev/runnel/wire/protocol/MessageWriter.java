package dev.runnel.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where a message is written. Fields go into {@link #out()}; a {@code records} field is either copied in
 * ({@link #into}) or kept as a section of its own ({@link #chunked}), so that record bytes are never copied on
 * the way to the socket. A chunked write keeps every field in one buffer and, at {@link #finish()}, hands out
 * slices of it between the records sections: one allocation per response however many partitions it has.
 * Generated code re-reads {@link #out()} after every call that may write records, so a writer may switch
 * buffers there.
 */
public final class MessageWriter {
    private final List<Object> sections;
    private final IntList boundaries;
    private ByteBuf out;

    private MessageWriter(ByteBuf out, boolean chunked) {
        this.out = out;
        this.sections = chunked ? new ArrayList<>() : null;
        this.boundaries = chunked ? new IntList() : null;
    }

    /** Writes everything, records included, into {@code out} (borrowed). */
    public static MessageWriter into(ByteBuf out) {
        return new MessageWriter(out, false);
    }

    /**
     * Writes fields into one buffer from {@code alloc} and keeps each records section apart, so that record bytes
     * are never copied. The caller must call {@link #finish()} and take ownership of the chunks, or
     * {@link #discard()} on failure.
     */
    public static MessageWriter chunked(ByteBufAllocator alloc, int initialCapacity) {
        return new MessageWriter(alloc.buffer(initialCapacity), true);
    }

    /** The buffer fields are written to. */
    public ByteBuf out() {
        return out;
    }

    /** Writes a records section after its length prefix. ByteBuf records are retained, never copied, when chunked. */
    public void writeRecords(Records records) {
        if (sections == null) {
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
        boundaries.add(out.writerIndex());
        sections.add(records instanceof ByteBufRecords buffered ? buffered.buffer().retainedSlice() : records);
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
     * Ends a chunked write. Returns the chunks in order — slices of the field buffer, and records sections
     * ({@link ByteBuf}s or other {@link Records}) between them — and transfers their ownership to the caller.
     */
    public List<Object> finish() {
        List<Object> chunks = new ArrayList<>(sections.size() * 2 + 1);
        int from = out.readerIndex();
        for (int i = 0; i < sections.size(); i++) {
            int to = boundaries.get(i);
            if (to > from) {
                chunks.add(out.retainedSlice(from, to - from));
            }
            chunks.add(sections.get(i));
            from = to;
        }
        if (out.writerIndex() > from || chunks.isEmpty()) {
            chunks.add(out.retainedSlice(from, out.writerIndex() - from));
        }
        out.release();
        out = null;
        sections.clear();
        return chunks;
    }

    /** Releases everything a chunked writer holds, after a failed write. */
    public void discard() {
        if (sections == null) {
            return;
        }
        for (Object section : sections) {
            if (section instanceof ByteBuf buf) {
                buf.release();
            }
        }
        sections.clear();
        if (out != null) {
            out.release();
            out = null;
        }
    }

    /** Growable int array: the field-buffer offsets where records sections go. */
    private static final class IntList {
        private int[] values = new int[8];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int get(int index) {
            return values[index];
        }
    }
}
