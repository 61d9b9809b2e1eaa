package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.List;

/**
 * One record of a v2 batch, decoded by {@link RecordIterator}.
 *
 * <pre>
 * length          varint  bytes after this field
 * attributes      int8    unused, 0
 * timestampDelta  varlong from the batch baseTimestamp
 * offsetDelta     varint  from the batch baseOffset
 * keyLength       varint  -1 for a null key
 * key             bytes
 * valueLength     varint  -1 for a null value
 * value           bytes
 * headerCount     varint
 * headers         see {@link Header}
 * </pre>
 *
 * Key and value are slices borrowed from the batch (uncompressed) or from the iterator's decompressed
 * buffer: they are valid only until the iterator is closed and the batch released. Use
 * {@link #keyBytes()}/{@link #valueBytes()} or {@code ByteBuf.copy()} to keep them longer. Immutable.
 */
public final class Record {
    private final long offset;
    private final long timestamp;
    private final ByteBuf key;
    private final ByteBuf value;
    private final List<Header> headers;
    private final int sizeInBytes;

    Record(long offset, long timestamp, ByteBuf key, ByteBuf value, List<Header> headers, int sizeInBytes) {
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headers = headers;
        this.sizeInBytes = sizeInBytes;
    }

    /** baseOffset + offsetDelta. */
    public long offset() {
        return offset;
    }

    /** baseTimestamp + timestampDelta, or the batch maxTimestamp when the batch uses LogAppendTime. */
    public long timestamp() {
        return timestamp;
    }

    public boolean hasKey() {
        return key != null;
    }

    /** The key, borrowed (see class comment), or null. */
    public ByteBuf key() {
        return key;
    }

    /** The value, borrowed (see class comment), or null for a tombstone. */
    public ByteBuf value() {
        return value;
    }

    public byte[] keyBytes() {
        return key == null ? null : ByteBufUtil.getBytes(key);
    }

    public byte[] valueBytes() {
        return value == null ? null : ByteBufUtil.getBytes(value);
    }

    public List<Header> headers() {
        return headers;
    }

    /** Encoded size including the length varint. */
    public int sizeInBytes() {
        return sizeInBytes;
    }

    @Override
    public String toString() {
        return "Record(offset=" + offset + ", timestamp=" + timestamp + ", key=" + (key == null ? "null" : key.readableBytes() + " bytes")
                + ", value=" + (value == null ? "null" : value.readableBytes() + " bytes") + ", headers=" + headers.size() + ")";
    }
}
