package dev.runnel.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.List;

/**
 * Splits a Kafka connection's byte stream into request frames: an int32 size, then that many bytes.
 *
 * <p>Emits each frame body (without its size) as a retained slice of the cumulation, never a copy; whoever
 * receives a frame takes ownership of it and releases it once. The size is checked against
 * {@code socket.request.max.bytes} before any byte of the body is buffered for it: a negative or larger size is
 * a malformed stream (Kafka's {@code InvalidReceiveException}), so the decoder drops all further input and
 * closes the connection, logging once. A size of 0 is a valid, empty frame; rejecting it is the request
 * header decoder's job. Once a valid size is known, room for the whole frame is reserved at once.
 *
 * <p>Runs on the channel's event loop, like every {@link ByteToMessageDecoder}.
 */
public final class KafkaFrameDecoder extends ByteToMessageDecoder {
    private static final Logger LOG = LogManager.getLogger(KafkaFrameDecoder.class);
    static final int SIZE_BYTES = 4;

    private final int maxFrameBytes;
    private boolean malformed;

    /** @param maxFrameBytes the largest body accepted, {@code socket.request.max.bytes} */
    public KafkaFrameDecoder(int maxFrameBytes) {
        if (maxFrameBytes < 0) {
            throw new IllegalArgumentException("maxFrameBytes must not be negative: " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (malformed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < SIZE_BYTES) {
            return;
        }
        int size = in.getInt(in.readerIndex());
        if (size < 0 || size > maxFrameBytes) {
            malformed = true;
            in.skipBytes(in.readableBytes());
            LOG.warn("Closing connection from {}: invalid request size {} (socket.request.max.bytes is {})",
                    ctx.channel().remoteAddress(), size, maxFrameBytes);
            ctx.close();
            return;
        }
        int missing = SIZE_BYTES + size - in.readableBytes();
        if (missing > 0) {
            reserve(in, missing);
            return;
        }
        in.skipBytes(SIZE_BYTES);
        out.add(in.readRetainedSlice(size));
    }

    /**
     * Grows the cumulation once to hold the rest of a large frame, as Kafka allocates a whole receive once the
     * size is known, instead of letting the cumulator double and copy it every few reads. Only while no frame
     * slice shares the buffer (another thread could be reading one during the reallocation); otherwise the
     * cumulator copies into a fresh buffer on the next read, which the next call then grows.
     */
    private static void reserve(ByteBuf cumulation, int missing) {
        if (cumulation.writableBytes() < missing && cumulation.refCnt() == 1 && !cumulation.isReadOnly()
                && cumulation.maxWritableBytes() >= missing) {
            cumulation.ensureWritable(missing);
        }
    }
}
