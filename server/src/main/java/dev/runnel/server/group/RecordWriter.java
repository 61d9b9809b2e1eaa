package dev.runnel.server.group;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Big-endian writer of Kafka's record fields into a growing array, for {@link ConsumerGroupRecordCodec}. */
final class RecordWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    RecordWriter int8(int v) {
        out.write(v);
        return this;
    }

    RecordWriter int16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    RecordWriter int32(int v) {
        return int16(v >>> 16).int16(v);
    }

    RecordWriter int64(long v) {
        return int32((int) (v >>> 32)).int32((int) v);
    }

    RecordWriter uuid(UUID id) {
        return int64(id.getMostSignificantBits()).int64(id.getLeastSignificantBits());
    }

    RecordWriter uvarint(int v) {
        while ((v & ~0x7f) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
        return this;
    }

    /** A nullable string: int16 length (-1 null) or, when {@code compact}, unsigned varint length + 1 (0 null). */
    RecordWriter string(String s, boolean compact) {
        if (s == null) {
            return compact ? uvarint(0) : int16(-1);
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (compact) {
            uvarint(utf8.length + 1);
        } else {
            int16(utf8.length);
        }
        out.writeBytes(utf8);
        return this;
    }

    RecordWriter bytes(byte[] raw) {
        out.writeBytes(raw);
        return this;
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
