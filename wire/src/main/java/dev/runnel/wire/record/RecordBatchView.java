package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A flyweight over one record batch (magic 2) at a given index of a buffer. It reads and patches header
 * fields in place and never copies the batch. It borrows the buffer: the caller keeps ownership.
 *
 * <pre>
 * offset  size  field
 *  0       8    baseOffset
 *  8       4    batchLength            (bytes after this field: total size = batchLength + 12)
 * 12       4    partitionLeaderEpoch
 * 16       1    magic                  (2)
 * 17       4    crc                    (CRC32C of everything from attributes to the end)
 * 21       2    attributes             (bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control,
 *                                       6 delete horizon set)
 * 23       4    lastOffsetDelta
 * 27       8    baseTimestamp
 * 35       8    maxTimestamp
 * 43       8    producerId
 * 51       2    producerEpoch
 * 53       4    baseSequence
 * 57       4    recordCount
 * 61       ...  records (compressed as a whole when the codec is not none; layout in {@link Record})
 * </pre>
 *
 * When the delete-horizon bit is set (by the log cleaner, KIP-534), baseTimestamp holds the delete horizon.
 * To walk several batches use {@link RecordBatchIterator}; to decode records use {@link #records}.
 */
public final class RecordBatchView {
    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    public static final int MAGIC_OFFSET = 16;
    public static final int CRC_OFFSET = 17;
    public static final int ATTRIBUTES_OFFSET = 21;
    public static final int LAST_OFFSET_DELTA_OFFSET = 23;
    public static final int BASE_TIMESTAMP_OFFSET = 27;
    public static final int MAX_TIMESTAMP_OFFSET = 35;
    public static final int PRODUCER_ID_OFFSET = 43;
    public static final int PRODUCER_EPOCH_OFFSET = 51;
    public static final int BASE_SEQUENCE_OFFSET = 53;
    public static final int RECORD_COUNT_OFFSET = 57;
    public static final int RECORDS_OFFSET = 61;
    /** Size of the header; also the smallest possible batch. */
    public static final int HEADER_SIZE = RECORDS_OFFSET;
    /** Bytes before the length field's count starts: baseOffset and batchLength themselves. */
    public static final int LOG_OVERHEAD = 12;
    public static final byte MAGIC = 2;

    public static final int COMPRESSION_MASK = 0x07;
    public static final int TIMESTAMP_TYPE_MASK = 0x08;
    public static final int TRANSACTIONAL_MASK = 0x10;
    public static final int CONTROL_MASK = 0x20;
    public static final int DELETE_HORIZON_MASK = 0x40;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final int NO_PARTITION_LEADER_EPOCH = -1;
    public static final long NO_TIMESTAMP = -1L;

    private ByteBuf buf;
    private int start;

    public RecordBatchView() {
    }

    public RecordBatchView(ByteBuf buf, int start) {
        wrap(buf, start);
    }

    /** Points this view at the batch starting at {@code start} of {@code buf} (borrowed). */
    public RecordBatchView wrap(ByteBuf buf, int start) {
        this.buf = buf;
        this.start = start;
        return this;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int start() {
        return start;
    }

    public long baseOffset() {
        return buf.getLong(start + BASE_OFFSET_OFFSET);
    }

    public int batchLength() {
        return buf.getInt(start + LENGTH_OFFSET);
    }

    /** Size of the whole batch in bytes, header included. */
    public int sizeInBytes() {
        return batchLength() + LOG_OVERHEAD;
    }

    public int partitionLeaderEpoch() {
        return buf.getInt(start + PARTITION_LEADER_EPOCH_OFFSET);
    }

    public byte magic() {
        return buf.getByte(start + MAGIC_OFFSET);
    }

    public long checksum() {
        return buf.getUnsignedInt(start + CRC_OFFSET);
    }

    public short attributes() {
        return buf.getShort(start + ATTRIBUTES_OFFSET);
    }

    public int compressionId() {
        return attributes() & COMPRESSION_MASK;
    }

    /** @throws InvalidRecordException for codec ids 5-7 */
    public CompressionType compressionType() {
        return CompressionType.forId(compressionId());
    }

    public boolean isCompressed() {
        return compressionId() != CompressionType.NONE.id();
    }

    public TimestampType timestampType() {
        return isLogAppendTime() ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
    }

    public boolean hasDeleteHorizon() {
        return (attributes() & DELETE_HORIZON_MASK) != 0;
    }

    /** The delete horizon set by the log cleaner, or -1 when the batch has none. */
    public long deleteHorizonMs() {
        return hasDeleteHorizon() ? baseTimestamp() : NO_TIMESTAMP;
    }

    public boolean isLogAppendTime() {
        return (attributes() & TIMESTAMP_TYPE_MASK) != 0;
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_MASK) != 0;
    }

    public boolean isControl() {
        return (attributes() & CONTROL_MASK) != 0;
    }

    public int lastOffsetDelta() {
        return buf.getInt(start + LAST_OFFSET_DELTA_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    /** The offset after this batch: where the next batch starts. */
    public long nextOffset() {
        return lastOffset() + 1;
    }

    public long baseTimestamp() {
        return buf.getLong(start + BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buf.getLong(start + MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return buf.getLong(start + PRODUCER_ID_OFFSET);
    }

    public short producerEpoch() {
        return buf.getShort(start + PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return buf.getInt(start + BASE_SEQUENCE_OFFSET);
    }

    /** The sequence of the last record, wrapping at {@code Integer.MAX_VALUE} as Kafka does. */
    public int lastSequence() {
        int base = baseSequence();
        if (base == NO_SEQUENCE) {
            return NO_SEQUENCE;
        }
        long last = (long) base + lastOffsetDelta();
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    public boolean hasProducerId() {
        return producerId() != NO_PRODUCER_ID;
    }

    public int recordCount() {
        return buf.getInt(start + RECORD_COUNT_OFFSET);
    }

    /** Rewrites baseOffset in place; it lies outside the CRC, so the checksum stays valid. */
    public void setBaseOffset(long baseOffset) {
        buf.setLong(start + BASE_OFFSET_OFFSET, baseOffset);
    }

    /** Rewrites partitionLeaderEpoch in place; outside the CRC like baseOffset. */
    public void setPartitionLeaderEpoch(int epoch) {
        buf.setInt(start + PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    /**
     * Switches the batch to LogAppendTime with the given max timestamp and recomputes the CRC, as the
     * broker must when a topic has {@code message.timestamp.type=LogAppendTime}.
     */
    public void setLogAppendTime(long timestamp) {
        buf.setShort(start + ATTRIBUTES_OFFSET, attributes() | TIMESTAMP_TYPE_MASK);
        buf.setLong(start + MAX_TIMESTAMP_OFFSET, timestamp);
        buf.setInt(start + CRC_OFFSET, (int) computeChecksum());
    }

    /** CRC32C over attributes through the end of the batch, as stored in the crc field. */
    public long computeChecksum() {
        CRC32C crc = new CRC32C();
        int from = start + ATTRIBUTES_OFFSET;
        int length = sizeInBytes() - ATTRIBUTES_OFFSET;
        if (buf.nioBufferCount() == 1) {
            crc.update(buf.nioBuffer(from, length));
        } else {
            for (ByteBuffer part : buf.nioBuffers(from, length)) {
                crc.update(part);
            }
        }
        return crc.getValue();
    }

    public boolean isValidChecksum() {
        return computeChecksum() == checksum();
    }

    /**
     * Checks everything that can be checked without decompressing: the batch fits the {@code available}
     * bytes, magic, the length covers a header, the record count agrees with lastOffsetDelta where Kafka
     * requires it, the codec id is known, and the CRC.
     *
     * @throws InvalidRecordException naming the first problem found
     */
    public void validate(int available) {
        if (available < HEADER_SIZE) {
            throw new InvalidRecordException("record batch shorter than its header: " + available + " bytes");
        }
        byte magic = magic();
        if (magic != MAGIC) {
            throw new InvalidRecordException("unsupported record batch magic " + magic);
        }
        int length = batchLength();
        if (length < HEADER_SIZE - LOG_OVERHEAD || length > available - LOG_OVERHEAD) {
            throw new InvalidRecordException("record batch length " + length + " does not fit " + available + " bytes");
        }
        int count = recordCount();
        if (count < 0 || (count > 0 && lastOffsetDelta() < count - 1)) {
            throw new InvalidRecordException("record count " + count + " inconsistent with last offset delta " + lastOffsetDelta());
        }
        if (compressionId() > CompressionType.ZSTD.id()) {
            throw new InvalidRecordException("unknown compression codec id " + compressionId());
        }
        if (!isValidChecksum()) {
            throw new InvalidRecordException("record batch CRC mismatch: stored " + checksum() + ", computed " + computeChecksum());
        }
    }

    /**
     * Opens the records of this batch; the caller closes the iterator. Validate the batch first.
     *
     * @param alloc where a compressed batch's records are decompressed to (owned by the iterator)
     * @param maxUncompressedBytes the most bytes a compressed records section may decompress to
     * @throws InvalidRecordException for an unknown codec or corrupt or oversized compressed data
     */
    public RecordIterator records(ByteBufAllocator alloc, int maxUncompressedBytes) {
        return RecordIterator.open(this, alloc, maxUncompressedBytes);
    }

    /**
     * Whether every record has a key, as a compacted topic requires. Decodes all records, so it also
     * checks that they are well formed and as many as declared.
     *
     * @throws InvalidRecordException when they are not
     */
    public boolean allRecordsHaveKeys(ByteBufAllocator alloc, int maxUncompressedBytes) {
        return RecordsSummary.of(this, alloc, maxUncompressedBytes).allRecordsHaveKeys();
    }

    @Override
    public String toString() {
        return "RecordBatch(offsets=[" + baseOffset() + ", " + lastOffset() + "], size=" + sizeInBytes()
                + ", count=" + recordCount() + ", attributes=" + attributes() + ", producerId=" + producerId()
                + ", epoch=" + producerEpoch() + ", baseSequence=" + baseSequence() + ")";
    }
}
