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
 * header decoder's job.
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
        if (in.readableBytes() - SIZE_BYTES < size) {
            return;
        }
        in.skipBytes(SIZE_BYTES);
        out.add(in.readRetainedSlice(size));
    }
}
