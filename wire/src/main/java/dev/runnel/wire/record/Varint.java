package dev.runnel.wire.record;

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

    static void writeVarint(ByteBuf out, int value) {
        int v = (value << 1) ^ (value >> 31);
        while ((v & ~0x7f) != 0) {
            out.writeByte((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    static void writeVarlong(ByteBuf out, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7fL) != 0) {
            out.writeByte(((int) v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    static int sizeOfVarint(int value) {
        int v = (value << 1) ^ (value >> 31);
        int bytes = 1;
        while ((v & ~0x7f) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    static int sizeOfVarlong(long value) {
        long v = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((v & ~0x7fL) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }
}
