package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a v2 record batch the broker writes itself: records of internal topics such as
 * {@code __consumer_offsets}, transaction markers ({@link ControlRecord}), batches rewritten by the log
 * cleaner. Field layout in {@link RecordBatchView} and {@link Record}. Used by one thread.
 *
 * <p>Follows Kafka's {@code MemoryRecordsBuilder}: baseTimestamp is the first record's timestamp,
 * maxTimestamp the largest record timestamp (or the log append time with LogAppendTime), lastOffsetDelta
 * the last record's offset minus baseOffset. With the same inputs the output is byte for byte what Kafka
 * writes, for every codec at its default level (tested against kafka-clients). The builder holds no
 * buffers (appended arrays are kept until {@link #build}, which returns a new buffer the caller owns).
 */
public final class RecordBatchBuilder {
    private CompressionType compression = CompressionType.NONE;
    private int compressionLevel = CompressionType.NONE.defaultLevel();
    private long baseOffset;
    private int partitionLeaderEpoch = RecordBatchView.NO_PARTITION_LEADER_EPOCH;
    private long producerId = RecordBatchView.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatchView.NO_PRODUCER_EPOCH;
    private int baseSequence = RecordBatchView.NO_SEQUENCE;
    private boolean transactional;
    private boolean control;
    private long logAppendTime = RecordBatchView.NO_TIMESTAMP;
    private boolean useLogAppendTime;
    private final List<PendingRecord> records = new ArrayList<>();

    /** Compresses with the codec's default level. */
    public RecordBatchBuilder compression(CompressionType type) {
        return compression(type, type.defaultLevel());
    }

    public RecordBatchBuilder compression(CompressionType type, int level) {
        if (!type.isValidLevel(level)) {
            throw new IllegalArgumentException(type.kafkaName() + " does not support level " + level);
        }
        this.compression = type;
        this.compressionLevel = level;
        return this;
    }

    /** The offset of the first record; set before appending. Defaults to 0. */
    public RecordBatchBuilder baseOffset(long baseOffset) {
        if (!records.isEmpty()) {
            throw new IllegalStateException("set the base offset before appending records");
        }
        this.baseOffset = baseOffset;
        return this;
    }

    public RecordBatchBuilder partitionLeaderEpoch(int partitionLeaderEpoch) {
        this.partitionLeaderEpoch = partitionLeaderEpoch;
        return this;
    }

    /** Idempotent or transactional producer state; defaults to none (-1, -1, -1). */
    public RecordBatchBuilder producer(long producerId, short producerEpoch, int baseSequence) {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    public RecordBatchBuilder transactional(boolean transactional) {
        this.transactional = transactional;
        return this;
    }

    /** Marks a control batch: every record must then be a control record ({@link ControlRecord#key}). */
    public RecordBatchBuilder control(boolean control) {
        this.control = control;
        return this;
    }

    /** Switches to LogAppendTime: the batch maxTimestamp, and so every record's timestamp, is this time. */
    public RecordBatchBuilder logAppendTime(long logAppendTime) {
        this.useLogAppendTime = true;
        this.logAppendTime = logAppendTime;
        return this;
    }

    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value) {
        return append(timestamp, key, value, List.of());
    }

    /** Appends at the next offset: baseOffset for the first record, else one past the last. */
    public RecordBatchBuilder append(long timestamp, byte[] key, byte[] value, List<Header> headers) {
        long offset = records.isEmpty() ? baseOffset : records.get(records.size() - 1).offset + 1;
        return appendWithOffset(offset, timestamp, key, value, headers);
    }

    /** Copies the readable bytes of {@code key} and {@code value} (borrowed, not consumed; either may be null) at the next offset. */
    public RecordBatchBuilder append(long timestamp, ByteBuf key, ByteBuf value, List<Header> headers) {
        return append(timestamp, key == null ? null : ByteBufUtil.getBytes(key), value == null ? null : ByteBufUtil.getBytes(value), headers);
    }

    /** Appends a control record of the given type; the batch must be a control batch. */
    public RecordBatchBuilder appendControl(long timestamp, ControlRecordType type, byte[] value) {
        return append(timestamp, ControlRecord.key(type), value);
    }

    /**
     * Appends with an explicit offset, which must exceed the previous one (gaps are allowed, as in batches
     * the log cleaner rewrites) and lie within {@code Integer.MAX_VALUE} of baseOffset. The arrays are
     * kept, not copied: do not change them afterwards.
     */
    public RecordBatchBuilder appendWithOffset(long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {
        if (timestamp < 0 && timestamp != RecordBatchView.NO_TIMESTAMP) {
            throw new IllegalArgumentException("invalid negative timestamp " + timestamp);
        }
        long previous = records.isEmpty() ? baseOffset - 1 : records.get(records.size() - 1).offset;
        if (offset <= previous || offset - baseOffset > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " must follow " + previous + " within an int of base offset " + baseOffset);
        }
        records.add(new PendingRecord(offset, timestamp, key, value, headers == null ? List.of() : List.copyOf(headers)));
        return this;
    }

    public int recordCount() {
        return records.size();
    }

    /**
     * Writes the batch into a new buffer from {@code alloc}; the caller owns it. The builder stays usable.
     *
     * @throws IllegalStateException with no records or inconsistent producer, transaction or control settings
     */
    public ByteBuf build(ByteBufAllocator alloc) {
        checkBuildable();
        long baseTimestamp = records.get(0).timestamp;
        int recordsSize = 0;
        for (PendingRecord record : records) {
            recordsSize += record.sizeInBytes(baseOffset, baseTimestamp);
        }
        ByteBuf out;
        if (compression == CompressionType.NONE) {
            out = alloc.buffer(RecordBatchView.HEADER_SIZE + recordsSize);
            try {
                out.writeZero(RecordBatchView.HEADER_SIZE);
                writeRecords(out, baseTimestamp);
            } catch (Throwable t) {
                out.release();
                throw t;
            }
        } else {
            ByteBuf raw = alloc.heapBuffer(recordsSize);
            try {
                writeRecords(raw, baseTimestamp);
                out = alloc.buffer(RecordBatchView.HEADER_SIZE + recordsSize / 2 + 64);
                try {
                    out.writeZero(RecordBatchView.HEADER_SIZE);
                    RecordCompression.compress(compression, compressionLevel, raw, out);
                } catch (Throwable t) {
                    out.release();
                    throw t;
                }
            } finally {
                raw.release();
            }
        }
        writeHeader(out, baseTimestamp);
        return out;
    }

    private void checkBuildable() {
        if (records.isEmpty()) {
            throw new IllegalStateException("a record batch needs at least one record");
        }
        if (transactional && producerId == RecordBatchView.NO_PRODUCER_ID) {
            throw new IllegalStateException("a transactional batch needs a producer id");
        }
        if (producerId != RecordBatchView.NO_PRODUCER_ID) {
            if (producerEpoch == RecordBatchView.NO_PRODUCER_EPOCH) {
                throw new IllegalStateException("a producer id needs a producer epoch");
            }
            if (baseSequence < 0 && !control) {
                throw new IllegalStateException("a producer id needs a base sequence");
            }
        }
        if (control) {
            for (PendingRecord record : records) {
                if (record.key == null || record.key.length < ControlRecord.KEY_SIZE) {
                    throw new IllegalStateException("control batches hold only control records");
                }
            }
        }
    }

    private void writeRecords(ByteBuf out, long baseTimestamp) {
        for (PendingRecord record : records) {
            record.writeTo(out, baseOffset, baseTimestamp);
        }
    }

    private void writeHeader(ByteBuf out, long baseTimestamp) {
        long maxTimestamp = RecordBatchView.NO_TIMESTAMP;
        for (PendingRecord record : records) {
            maxTimestamp = Math.max(maxTimestamp, record.timestamp);
        }
        int attributes = compression.id()
                | (useLogAppendTime ? RecordBatchView.TIMESTAMP_TYPE_MASK : 0)
                | (transactional ? RecordBatchView.TRANSACTIONAL_MASK : 0)
                | (control ? RecordBatchView.CONTROL_MASK : 0);
        int start = out.readerIndex();
        out.setLong(start + RecordBatchView.BASE_OFFSET_OFFSET, baseOffset);
        out.setInt(start + RecordBatchView.LENGTH_OFFSET, out.readableBytes() - RecordBatchView.LOG_OVERHEAD);
        out.setInt(start + RecordBatchView.PARTITION_LEADER_EPOCH_OFFSET, partitionLeaderEpoch);
        out.setByte(start + RecordBatchView.MAGIC_OFFSET, RecordBatchView.MAGIC);
        out.setShort(start + RecordBatchView.ATTRIBUTES_OFFSET, attributes);
        out.setInt(start + RecordBatchView.LAST_OFFSET_DELTA_OFFSET, (int) (records.get(records.size() - 1).offset - baseOffset));
        out.setLong(start + RecordBatchView.BASE_TIMESTAMP_OFFSET, baseTimestamp);
        out.setLong(start + RecordBatchView.MAX_TIMESTAMP_OFFSET, useLogAppendTime ? logAppendTime : maxTimestamp);
        out.setLong(start + RecordBatchView.PRODUCER_ID_OFFSET, producerId);
        out.setShort(start + RecordBatchView.PRODUCER_EPOCH_OFFSET, producerEpoch);
        out.setInt(start + RecordBatchView.BASE_SEQUENCE_OFFSET, baseSequence);
        out.setInt(start + RecordBatchView.RECORD_COUNT_OFFSET, records.size());
        out.setInt(start + RecordBatchView.CRC_OFFSET, (int) new RecordBatchView(out, start).computeChecksum());
    }

    /** A record waiting for {@link #build}; header keys are encoded once, on append. */
    private static final class PendingRecord {
        final long offset;
        final long timestamp;
        final byte[] key;
        final byte[] value;
        final List<Header> headers;
        final byte[][] headerKeys;

        PendingRecord(long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {
            this.offset = offset;
            this.timestamp = timestamp;
            this.key = key;
            this.value = value;
            this.headers = headers;
            this.headerKeys = new byte[headers.size()][];
            for (int i = 0; i < headerKeys.length; i++) {
                headerKeys[i] = headers.get(i).key().getBytes(StandardCharsets.UTF_8);
            }
        }

        int bodySize(long baseOffset, long baseTimestamp) {
            int size = 1 + Varint.sizeOfVarlong(timestamp - baseTimestamp) + Varint.sizeOfVarint((int) (offset - baseOffset))
                    + sizeOfBytes(key) + sizeOfBytes(value) + Varint.sizeOfVarint(headers.size());
            for (int i = 0; i < headerKeys.length; i++) {
                size += sizeOfBytes(headerKeys[i]) + sizeOfBytes(headers.get(i).value());
            }
            return size;
        }

        int sizeInBytes(long baseOffset, long baseTimestamp) {
            int body = bodySize(baseOffset, baseTimestamp);
            return Varint.sizeOfVarint(body) + body;
        }

        void writeTo(ByteBuf out, long baseOffset, long baseTimestamp) {
            Varint.writeVarint(out, bodySize(baseOffset, baseTimestamp));
            out.writeByte(0); // attributes: unused
            Varint.writeVarlong(out, timestamp - baseTimestamp);
            Varint.writeVarint(out, (int) (offset - baseOffset));
            writeBytes(out, key);
            writeBytes(out, value);
            Varint.writeVarint(out, headers.size());
            for (int i = 0; i < headerKeys.length; i++) {
                writeBytes(out, headerKeys[i]);
                writeBytes(out, headers.get(i).value());
            }
        }

        private static int sizeOfBytes(byte[] bytes) {
            return bytes == null ? 1 : Varint.sizeOfVarint(bytes.length) + bytes.length;
        }

        private static void writeBytes(ByteBuf out, byte[] bytes) {
            if (bytes == null) {
                Varint.writeVarint(out, -1);
            } else {
                Varint.writeVarint(out, bytes.length);
                out.writeBytes(bytes);
            }
        }
    }
}
