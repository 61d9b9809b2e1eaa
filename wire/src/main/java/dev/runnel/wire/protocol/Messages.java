package dev.runnel.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Entry points for reading and writing whole messages, with the checks that belong at the top level. */
public final class Messages {
    private Messages() {
    }

    /**
     * Reads {@code message} from {@code buf} (borrowed), which must hold exactly one message body.
     *
     * @throws ProtocolException for truncated input, malformed fields or trailing bytes
     */
    public static <T extends Message> T read(T message, ByteBuf buf, short version) {
        try {
            message.read(buf, version);
        } catch (IndexOutOfBoundsException e) {
            throw new ProtocolException("truncated " + message.getClass().getSimpleName() + " v" + version, e);
        }
        if (buf.isReadable()) {
            throw new ProtocolException(buf.readableBytes() + " trailing bytes after "
                    + message.getClass().getSimpleName() + " v" + version);
        }
        return message;
    }

    /** Encodes {@code message} into a new heap buffer, records copied in; the caller owns the result. */
    public static ByteBuf toByteBuf(Message message, short version) {
        ByteBuf out = Unpooled.buffer(128);
        try {
            message.write(MessageWriter.into(out), version);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }
}
