package dev.runnel.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * One complete response frame as a list of chunks, written to the socket one chunk at a time with no copying:
 * buffers holding the response header and body fields, and record sections that are either slices of buffers or
 * {@link FileRegion}s of log segments. The first chunk begins with the frame's int32 size, back-patched by
 * {@link Builder#build()} from the sizes of all chunks.
 *
 * <p>Owns its chunks. Ownership passes to the channel when the {@link ResponseSequencer} writes it; a response
 * that is never handed to a {@link ResponseSlot} must be {@link #release() released} by its creator. Not
 * thread-safe; it is built on one thread and then handed over.
 */
public final class Response {
    private final List<Object> chunks;
    private final long size;
    private final long bufferedBytes;

    private Response(List<Object> chunks, long size, long bufferedBytes) {
        this.chunks = chunks;
        this.size = size;
        this.bufferedBytes = bufferedBytes;
    }

    /** Starts a response whose first buffer is allocated from {@code alloc}, with room for the size prefix. */
    public static Builder builder(ByteBufAllocator alloc) {
        return new Builder(alloc);
    }

    /** The frame size: bytes after the size prefix. */
    public long size() {
        return size;
    }

    /** Bytes of memory held by buffer chunks, prefix included; file regions hold no memory. */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /** Number of chunks, the size prefix's buffer included. */
    public int chunkCount() {
        return chunks.size();
    }

    /** Releases every chunk; for a response that will not be written. */
    public void release() {
        chunks.forEach(ReferenceCountUtil::safeRelease);
        chunks.clear();
    }

    /** Writes every chunk without flushing; ownership of the chunks passes to the channel. Event loop only. */
    void write(ChannelHandlerContext ctx) {
        for (Object chunk : chunks) {
            ctx.write(chunk, ctx.voidPromise());
        }
        chunks.clear();
    }

    /**
     * Assembles a response. Write header and body fields into {@link #buffer()}; add record sections with
     * {@link #addBuffer} or {@link #addRegion}, after which {@link #buffer()} starts a new chunk. Owns every
     * chunk until {@link #build()}; call {@link #release()} instead to abandon it.
     */
    public static final class Builder {
        private final ByteBufAllocator alloc;
        private final List<Object> chunks = new ArrayList<>();
        private final ByteBuf first;
        private ByteBuf current;

        private Builder(ByteBufAllocator alloc) {
            this.alloc = alloc;
            this.first = alloc.buffer();
            first.writeInt(0); // the size, back-patched by build()
            this.current = first;
            chunks.add(first);
        }

        /** The buffer to write the next bytes into; borrowed, owned by this builder. */
        public ByteBuf buffer() {
            if (current == null) {
                current = alloc.buffer();
                chunks.add(current);
            }
            return current;
        }

        /** Appends a buffer chunk, such as a retained slice of stored records; takes ownership of it. */
        public Builder addBuffer(ByteBuf chunk) {
            chunks.add(chunk);
            current = null;
            return this;
        }

        /** Appends a file region, such as a {@link LeasedFileRegion}; takes ownership of it. */
        public Builder addRegion(FileRegion region) {
            chunks.add(region);
            current = null;
            return this;
        }

        /**
         * Back-patches the size prefix and returns the response, which takes ownership of every chunk.
         *
         * @throws IllegalStateException (after releasing every chunk) when the frame exceeds Kafka's int32 size
         */
        public Response build() {
            long size = -KafkaFrameDecoder.SIZE_BYTES;
            long buffered = 0;
            List<Object> nonEmpty = new ArrayList<>(chunks.size());
            for (Object chunk : chunks) {
                long bytes = chunk instanceof ByteBuf buf ? buf.readableBytes() : ((FileRegion) chunk).count();
                if (chunk instanceof ByteBuf) {
                    buffered += bytes;
                }
                size += bytes;
                if (bytes == 0 && chunk != first) {
                    ReferenceCountUtil.release(chunk);
                } else {
                    nonEmpty.add(chunk);
                }
            }
            chunks.clear();
            if (size > Integer.MAX_VALUE) {
                nonEmpty.forEach(ReferenceCountUtil::safeRelease);
                throw new IllegalStateException("Response of " + size + " bytes exceeds the int32 frame size");
            }
            first.setInt(first.readerIndex(), (int) size);
            return new Response(nonEmpty, size, buffered);
        }

        /** Releases every chunk added so far. */
        public void release() {
            chunks.forEach(ReferenceCountUtil::safeRelease);
            chunks.clear();
            current = null;
        }
    }
}
