package dev.runnel.server.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/** Reads Kafka's record fields from a buffer, for the {@code __consumer_offsets} record codecs. Throws on malformed input. */
final class RecordReader {
    private RecordReader() {
    }

    static String string(ByteBuffer b, boolean compact) {
        int length = compact ? uvarint(b) - 1 : b.getShort();
        if (length < 0) {
            return null;
        }
        if (length > b.remaining()) {
            throw new IllegalArgumentException("string length " + length + " exceeds the record");
        }
        byte[] utf8 = new byte[length];
        b.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    static byte[] bytes(ByteBuffer b, boolean compact) {
        int length = compact ? uvarint(b) - 1 : b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw new IllegalArgumentException("invalid bytes length " + length);
        }
        byte[] out = new byte[length];
        b.get(out);
        return out;
    }

    /** Skips the tagged fields of a struct, checking their sizes. */
    static void skipTaggedFields(ByteBuffer b) {
        taggedFields(b, (tag, data) -> { });
    }

    /** A compact array length; rejects null arrays and lengths beyond the record. */
    static int length(ByteBuffer b) {
        int n = uvarint(b) - 1;
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("invalid array length " + n);
        }
        return n;
    }

    /** Calls {@code field} with each tagged field's tag and a slice holding its bytes, then skips them. */
    static void taggedFields(ByteBuffer b, BiConsumer<Integer, ByteBuffer> field) {
        int fields = uvarint(b);
        for (int i = 0; i < fields; i++) {
            int tag = uvarint(b);
            int size = uvarint(b);
            if (size < 0 || size > b.remaining()) {
                throw new IllegalArgumentException("invalid tagged field size " + size);
            }
            ByteBuffer slice = b.slice(b.position(), size);
            field.accept(tag, slice);
            b.position(b.position() + size);
        }
    }

    static int uvarint(ByteBuffer b) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte next = b.get();
            value |= (next & 0x7f) << shift;
            if ((next & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than 5 bytes");
    }
}
