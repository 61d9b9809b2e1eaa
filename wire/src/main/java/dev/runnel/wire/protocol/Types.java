package dev.runnel.wire.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Kafka's primitive types on a {@link ByteBuf}: varints, strings, bytes, arrays, UUIDs, tagged fields, in
 * their classic and compact (flexible-version) encodings. Every length read from the wire is checked against
 * the bytes actually left before anything is allocated, so a hostile length costs nothing.
 * All methods borrow the buffer.
 */
public final class Types {
    public static final byte[] EMPTY_BYTES = new byte[0];
    public static final UUID ZERO_UUID = new UUID(0L, 0L);

    private Types() {
    }

    public static int readUnsignedVarint(ByteBuf buf) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = buf.readByte();
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value; // like Kafka, excess bits of a fifth byte are dropped, not rejected
            }
        }
        throw new ProtocolException("malformed unsigned varint");
    }

    public static long readUnsignedVarlong(ByteBuf buf) {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            byte b = buf.readByte();
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new ProtocolException("malformed unsigned varlong");
    }

    /** Zig-zag encoded signed varint, as used inside records. */
    public static int readVarint(ByteBuf buf) {
        int raw = readUnsignedVarint(buf);
        return (raw >>> 1) ^ -(raw & 1);
    }

    public static long readVarlong(ByteBuf buf) {
        long raw = readUnsignedVarlong(buf);
        return (raw >>> 1) ^ -(raw & 1);
    }

    public static void writeUnsignedVarint(ByteBuf buf, int value) {
        while ((value & ~0x7f) != 0) {
            buf.writeByte((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        buf.writeByte(value);
    }

    public static void writeUnsignedVarlong(ByteBuf buf, long value) {
        while ((value & ~0x7fL) != 0) {
            buf.writeByte(((int) value & 0x7f) | 0x80);
            value >>>= 7;
        }
        buf.writeByte((int) value);
    }

    public static void writeVarint(ByteBuf buf, int value) {
        writeUnsignedVarint(buf, (value << 1) ^ (value >> 31));
    }

    public static void writeVarlong(ByteBuf buf, long value) {
        writeUnsignedVarlong(buf, (value << 1) ^ (value >> 63));
    }

    public static int sizeOfUnsignedVarint(int value) {
        int bytes = 1;
        while ((value & ~0x7f) != 0) {
            bytes++;
            value >>>= 7;
        }
        return bytes;
    }

    public static int sizeOfVarint(int value) {
        return sizeOfUnsignedVarint((value << 1) ^ (value >> 31));
    }

    public static int sizeOfVarlong(long value) {
        long v = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((v & ~0x7fL) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    public static boolean readBool(ByteBuf buf) {
        return buf.readByte() != 0;
    }

    public static UUID readUuid(ByteBuf buf) {
        return new UUID(buf.readLong(), buf.readLong());
    }

    public static void writeUuid(ByteBuf buf, UUID uuid) {
        buf.writeLong(uuid.getMostSignificantBits());
        buf.writeLong(uuid.getLeastSignificantBits());
    }

    /**
     * Reads a length prefix: int16 (strings) or int32 (bytes, arrays) when classic, unsigned varint of
     * length + 1 when compact. Returns -1 for null, and checks that null is allowed and that at least
     * {@code length * minElementBytes} bytes remain.
     */
    private static int readLength(ByteBuf buf, boolean compact, boolean shortPrefix, boolean nullable,
                                  int minElementBytes, String field) {
        int length = compact ? readUnsignedVarint(buf) - 1 : shortPrefix ? buf.readShort() : buf.readInt();
        if (length < 0) {
            if (length == -1 && nullable) {
                return -1;
            }
            throw new ProtocolException(length == -1
                    ? "non-nullable field " + field + " was null"
                    : "negative length " + length + " for field " + field);
        }
        if ((long) length * minElementBytes > buf.readableBytes()) {
            throw new ProtocolException("length " + length + " of field " + field + " exceeds the "
                    + buf.readableBytes() + " bytes left");
        }
        return length;
    }

    public static String readString(ByteBuf buf, boolean compact, boolean nullable, String field) {
        int length = readLength(buf, compact, true, nullable, 1, field);
        if (length < 0) {
            return null;
        }
        String value = buf.toString(buf.readerIndex(), length, StandardCharsets.UTF_8);
        buf.skipBytes(length);
        return value;
    }

    public static void writeString(ByteBuf buf, String value, boolean compact, boolean nullable, String field) {
        if (value == null) {
            writeNull(buf, compact, true, nullable, field);
            return;
        }
        int length = ByteBufUtil.utf8Bytes(value);
        if (compact) {
            writeUnsignedVarint(buf, length + 1);
        } else {
            if (length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("string field " + field + " is longer than 32767 bytes");
            }
            buf.writeShort(length);
        }
        ByteBufUtil.reserveAndWriteUtf8(buf, value, length);
    }

    public static byte[] readBytes(ByteBuf buf, boolean compact, boolean nullable, String field) {
        int length = readLength(buf, compact, false, nullable, 1, field);
        if (length < 0) {
            return null;
        }
        byte[] value = new byte[length];
        buf.readBytes(value);
        return value;
    }

    public static void writeBytes(ByteBuf buf, byte[] value, boolean compact, boolean nullable, String field) {
        if (value == null) {
            writeNull(buf, compact, false, nullable, field);
            return;
        }
        writeLength(buf, value.length, compact);
        buf.writeBytes(value);
    }

    /** Reads a records section as a slice of {@code buf}: no copy, borrowed from the frame. */
    public static Records readRecords(ByteBuf buf, boolean compact, boolean nullable, String field) {
        int length = readLength(buf, compact, false, nullable, 1, field);
        return length < 0 ? null : new ByteBufRecords(buf.readSlice(length));
    }

    /** Returns the element count of an array, or -1 for a null array. */
    public static int readArrayLength(ByteBuf buf, boolean compact, boolean nullable, String field) {
        // every element of every Kafka array takes at least one byte, which bounds the count
        return readLength(buf, compact, false, nullable, 1, field);
    }

    public static void writeArrayLength(ByteBuf buf, List<?> value, boolean compact, boolean nullable, String field) {
        if (value == null) {
            writeNull(buf, compact, false, nullable, field);
        } else {
            writeLength(buf, value.size(), compact);
        }
    }

    /** Length prefix of a bytes, records or array field. */
    public static void writeLength(ByteBuf buf, int length, boolean compact) {
        if (compact) {
            writeUnsignedVarint(buf, length + 1);
        } else {
            buf.writeInt(length);
        }
    }

    private static void writeNull(ByteBuf buf, boolean compact, boolean shortPrefix, boolean nullable, String field) {
        if (!nullable) {
            throw new IllegalArgumentException("non-nullable field " + field + " was set to null");
        }
        if (compact) {
            writeUnsignedVarint(buf, 0);
        } else if (shortPrefix) {
            buf.writeShort(-1);
        } else {
            buf.writeInt(-1);
        }
    }

    /** Reads the marker byte of a nullable struct: true when a struct follows. */
    public static boolean readStructPresent(ByteBuf buf, boolean nullable, String field) {
        byte marker = buf.readByte();
        if (marker < 0) {
            if (!nullable) {
                throw new ProtocolException("non-nullable field " + field + " was null");
            }
            return false;
        }
        return true;
    }

    /** Reads the count of tagged fields of a struct in a flexible version. */
    public static int readTaggedFieldCount(ByteBuf buf) {
        int count = readUnsignedVarint(buf);
        if (count < 0 || count > buf.readableBytes()) {
            throw new ProtocolException("tagged field count " + count + " exceeds the bytes left");
        }
        return count;
    }

    /** Reads the size of one tagged field and returns a slice of exactly that many bytes. */
    public static ByteBuf readTaggedFieldData(ByteBuf buf, int tag) {
        int size = readUnsignedVarint(buf);
        if (size < 0 || size > buf.readableBytes()) {
            throw new ProtocolException("tagged field " + tag + " size " + size + " exceeds the bytes left");
        }
        return buf.readSlice(size);
    }

    /** Checks that a known tagged field consumed exactly the bytes its size announced. */
    public static void requireConsumed(ByteBuf data, int tag) {
        if (data.isReadable()) {
            throw new ProtocolException("tagged field " + tag + " has " + data.readableBytes() + " trailing bytes");
        }
    }

    public static List<RawTaggedField> addUnknownTaggedField(List<RawTaggedField> fields, int tag, ByteBuf data) {
        List<RawTaggedField> result = fields.isEmpty() ? new ArrayList<>() : fields;
        result.add(new RawTaggedField(tag, ByteBufUtil.getBytes(data)));
        return result;
    }

    /** Writes unknown tagged fields whose tag lies in [{@code fromTag}, {@code toTag}). */
    public static void writeRawTaggedFields(ByteBuf buf, List<RawTaggedField> fields, int fromTag, int toTag) {
        for (RawTaggedField field : fields) {
            if (field.tag() >= fromTag && field.tag() < toTag) {
                writeUnsignedVarint(buf, field.tag());
                writeUnsignedVarint(buf, field.data().length);
                buf.writeBytes(field.data());
            }
        }
    }

    /** Unknown tagged fields sorted by tag, so that they merge with known ones in ascending order. */
    public static List<RawTaggedField> sortedByTag(List<RawTaggedField> fields) {
        if (fields.size() < 2) {
            return fields;
        }
        List<RawTaggedField> sorted = new ArrayList<>(fields);
        sorted.sort((a, b) -> Integer.compareUnsigned(a.tag(), b.tag()));
        return sorted;
    }
}
