package dev.runnel.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Record batches held in a {@link ByteBuf}. Borrows its buffer: when decoded from a request it is a slice
 * of the request frame and lives exactly as long as the frame; the frame's owner releases it.
 */
public final class ByteBufRecords implements Records {
    private final ByteBuf buf;

    public ByteBufRecords(ByteBuf buf) {
        this.buf = buf;
    }

    /** The batches, borrowed: readerIndex to writerIndex. */
    public ByteBuf buffer() {
        return buf;
    }

    @Override
    public int sizeInBytes() {
        return buf.readableBytes();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteBufRecords other && ByteBufUtil.equals(buf, other.buf);
    }

    @Override
    public int hashCode() {
        return ByteBufUtil.hashCode(buf);
    }

    @Override
    public String toString() {
        return "ByteBufRecords(" + buf.readableBytes() + " bytes)";
    }
}
