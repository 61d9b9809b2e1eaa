package dev.runnel.log;

import dev.runnel.wire.record.CompressionType;
import dev.runnel.wire.record.Header;
import dev.runnel.wire.record.Record;
import dev.runnel.wire.record.RecordBatchView;
import dev.runnel.wire.record.RecordCompression;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the batches the log cleaner keeps, as Kafka's {@code MemoryRecords.filterTo} does, so that the bytes are
 * the ones Kafka would write: the original base offset, last offset delta (so the last sequence number survives),
 * partition leader epoch, producer id, epoch, base sequence, timestamp type, transactional and control flags and
 * codec (at its default level); records keep their offsets, timestamps, keys, values and headers. With a delete
 * horizon (KIP-534) the attributes get bit 6 and the base timestamp holds the horizon, record timestamp deltas being
 * relative to it. Layouts in {@link RecordBatchView} and {@link Record}. Stateless; returned buffers belong to the
 * caller.
 */
final class CleanedBatchWriter {
    private CleanedBatchWriter() {
    }

    /**
     * Rebuilds {@code original} (borrowed) with only {@code retained} (borrowed; from its records, in order, not
     * empty), with the delete horizon {@code deleteHorizonMs} or -1 for none.
     */
    static ByteBuf rewrite(RecordBatchView original, List<Record> retained, long deleteHorizonMs, ByteBufAllocator alloc) {
        long baseOffset = original.baseOffset();
        long baseTimestamp = deleteHorizonMs >= 0 ? deleteHorizonMs : retained.get(0).timestamp();
        long maxTimestamp = RecordBatchView.NO_TIMESTAMP;
        for (Record record : retained) {
            maxTimestamp = Math.max(maxTimestamp, record.timestamp());
        }
        if (original.isLogAppendTime()) {
            maxTimestamp = original.maxTimestamp();
        }
        CompressionType codec = original.compressionType();
        ByteBuf out = alloc.buffer(RecordBatchView.HEADER_SIZE + 64 * retained.size());
        try {
            out.writeZero(RecordBatchView.HEADER_SIZE);
            if (codec == CompressionType.NONE) {
                writeRecords(out, retained, baseOffset, baseTimestamp);
            } else {
                ByteBuf raw = alloc.heapBuffer();
                try {
                    writeRecords(raw, retained, baseOffset, baseTimestamp);
                    RecordCompression.compress(codec, codec.defaultLevel(), raw, out);
                } finally {
                    raw.release();
                }
            }
            int attributes = codec.id()
                    | (original.attributes() & (RecordBatchView.TIMESTAMP_TYPE_MASK | RecordBatchView.TRANSACTIONAL_MASK
                    | RecordBatchView.CONTROL_MASK))
                    | (deleteHorizonMs >= 0 ? RecordBatchView.DELETE_HORIZON_MASK : 0);
            writeHeader(out, original, attributes, baseTimestamp, maxTimestamp, retained.size());
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * Kafka's {@code writeEmptyHeader}: the header of {@code original} (borrowed) with no records, kept so that a
     * producer's last sequence and epoch survive compaction. Uncompressed, no base timestamp, no delete horizon.
     */
    static ByteBuf emptyHeader(RecordBatchView original, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(RecordBatchView.HEADER_SIZE);
        out.writeZero(RecordBatchView.HEADER_SIZE);
        int attributes = original.attributes() & (RecordBatchView.TIMESTAMP_TYPE_MASK | RecordBatchView.TRANSACTIONAL_MASK
                | RecordBatchView.CONTROL_MASK);
        writeHeader(out, original, attributes, RecordBatchView.NO_TIMESTAMP, original.maxTimestamp(), 0);
        return out;
    }

    private static void writeHeader(ByteBuf out, RecordBatchView original, int attributes, long baseTimestamp,
                                    long maxTimestamp, int recordCount) {
        out.setLong(RecordBatchView.BASE_OFFSET_OFFSET, original.baseOffset());
        out.setInt(RecordBatchView.LENGTH_OFFSET, out.readableBytes() - RecordBatchView.LOG_OVERHEAD);
        out.setInt(RecordBatchView.PARTITION_LEADER_EPOCH_OFFSET, original.partitionLeaderEpoch());
        out.setByte(RecordBatchView.MAGIC_OFFSET, RecordBatchView.MAGIC);
        out.setShort(RecordBatchView.ATTRIBUTES_OFFSET, attributes);
        out.setInt(RecordBatchView.LAST_OFFSET_DELTA_OFFSET, original.lastOffsetDelta());
        out.setLong(RecordBatchView.BASE_TIMESTAMP_OFFSET, baseTimestamp);
        out.setLong(RecordBatchView.MAX_TIMESTAMP_OFFSET, maxTimestamp);
        out.setLong(RecordBatchView.PRODUCER_ID_OFFSET, original.producerId());
        out.setShort(RecordBatchView.PRODUCER_EPOCH_OFFSET, original.producerEpoch());
        out.setInt(RecordBatchView.BASE_SEQUENCE_OFFSET, original.baseSequence());
        out.setInt(RecordBatchView.RECORD_COUNT_OFFSET, recordCount);
        out.setInt(RecordBatchView.CRC_OFFSET, (int) new RecordBatchView(out, 0).computeChecksum());
    }

    private static void writeRecords(ByteBuf out, List<Record> records, long baseOffset, long baseTimestamp) {
        for (Record record : records) {
            long timestampDelta = record.timestamp() - baseTimestamp;
            int offsetDelta = (int) (record.offset() - baseOffset);
            byte[][] headerKeys = new byte[record.headers().size()][];
            int body = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta)
                    + sizeOfBytes(record.key()) + sizeOfBytes(record.value()) + sizeOfVarint(headerKeys.length);
            for (int i = 0; i < headerKeys.length; i++) {
                Header header = record.headers().get(i);
                headerKeys[i] = header.key().getBytes(StandardCharsets.UTF_8);
                body += sizeOfVarint(headerKeys[i].length) + headerKeys[i].length
                        + (header.value() == null ? 1 : sizeOfVarint(header.value().length) + header.value().length);
            }
            writeVarlong(out, body);
            out.writeByte(0); // record attributes: unused
            writeVarlong(out, timestampDelta);
            writeVarlong(out, offsetDelta);
            writeBytes(out, record.key());
            writeBytes(out, record.value());
            writeVarlong(out, headerKeys.length);
            for (int i = 0; i < headerKeys.length; i++) {
                byte[] value = record.headers().get(i).value();
                writeVarlong(out, headerKeys[i].length);
                out.writeBytes(headerKeys[i]);
                if (value == null) {
                    writeVarlong(out, -1);
                } else {
                    writeVarlong(out, value.length);
                    out.writeBytes(value);
                }
            }
        }
    }

    private static int sizeOfBytes(ByteBuf bytes) {
        return bytes == null ? 1 : sizeOfVarint(bytes.readableBytes()) + bytes.readableBytes();
    }

    private static void writeBytes(ByteBuf out, ByteBuf bytes) {
        if (bytes == null) {
            writeVarlong(out, -1);
        } else {
            writeVarlong(out, bytes.readableBytes());
            out.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
        }
    }

    /** Zig-zag varint; for values in int range it is the same bytes as Kafka's varint. */
    private static void writeVarlong(ByteBuf out, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static int sizeOfVarint(int value) {
        return sizeOfVarlong(value);
    }

    private static int sizeOfVarlong(long value) {
        long v = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((v & ~0x7FL) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }
}
