package dev.runnel.wire.record;

import dev.runnel.wire.protocol.Types;
import io.netty.buffer.ByteBuf;

/**
 * Zig-zag LEB128 varints as records use them (Protocol Buffers' sint32/sint64): at most 5 bytes for an
 * int and 10 for a long. Reads consume from the buffer's reader index and throw
 * {@link InvalidRecordException} when the bytes run out or the encoding is too long, never reading past
 * the readable bytes.
 */
final class Varint {
    private Varint() {
    }

    static int readVarint(ByteBuf in) {
        int raw = 0;
        int shift = 0;
        while (true) {
            if (!in.isReadable()) {
                throw new InvalidRecordException("truncated varint");
            }
            byte b = in.readByte();
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
            shift += 7;
            if (shift > 28) {
                throw new InvalidRecordException("varint longer than 5 bytes");
            }
        }
    }

    static long readVarlong(ByteBuf in) {
        long raw = 0;
        int shift = 0;
        while (true) {
            if (!in.isReadable()) {
                throw new InvalidRecordException("truncated varlong");
            }
            byte b = in.readByte();
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
            shift += 7;
            if (shift > 63) {
                throw new InvalidRecordException("varlong longer than 10 bytes");
            }
        }
    }

    // writes and sizes cannot fail, so they share the protocol's implementation
    static void writeVarint(ByteBuf out, int value) {
        Types.writeVarint(out, value);
    }

    static void writeVarlong(ByteBuf out, long value) {
        Types.writeVarlong(out, value);
    }

    static int sizeOfVarint(int value) {
        return Types.sizeOfVarint(value);
    }

    static int sizeOfVarlong(long value) {
        return Types.sizeOfVarlong(value);
    }
}
