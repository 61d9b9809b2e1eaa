package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Kafka's control record layouts (records of a batch with the control bit set), and the end-transaction
 * marker batch the transaction coordinator has partition leaders write. Stateless.
 *
 * <pre>
 * key:                       version int16 (0), type int16 ({@link ControlRecordType})
 * end transaction value:     version int16 (0), coordinatorEpoch int32
 * </pre>
 *
 * Readers accept higher versions and read them as version 0, as Kafka does (later versions may only add
 * fields at the end); negative versions are corruption.
 */
public final class ControlRecord {
    public static final short CURRENT_VERSION = 0;
    public static final int KEY_SIZE = 4;
    public static final int END_TXN_MARKER_VALUE_SIZE = 6;

    private ControlRecord() {
    }

    public static byte[] key(ControlRecordType type) {
        if (type == ControlRecordType.UNKNOWN) {
            throw new IllegalArgumentException("cannot write an UNKNOWN control record");
        }
        short id = type.id();
        return new byte[] {0, (byte) CURRENT_VERSION, (byte) (id >> 8), (byte) id};
    }

    /**
     * The type of the control record with this key (borrowed, not consumed).
     *
     * @throws InvalidRecordException when the key is missing, short or has a negative version
     */
    public static ControlRecordType type(ByteBuf key) {
        if (key == null || key.readableBytes() < KEY_SIZE) {
            throw new InvalidRecordException("control record key must hold " + KEY_SIZE + " bytes");
        }
        checkVersion(key.getShort(key.readerIndex()), "control record key");
        return ControlRecordType.fromId(key.getShort(key.readerIndex() + 2));
    }

    public static byte[] endTxnMarkerValue(int coordinatorEpoch) {
        return new byte[] {0, (byte) CURRENT_VERSION,
            (byte) (coordinatorEpoch >> 24), (byte) (coordinatorEpoch >> 16), (byte) (coordinatorEpoch >> 8), (byte) coordinatorEpoch};
    }

    /**
     * The coordinator epoch of an end-transaction marker value (borrowed, not consumed).
     *
     * @throws InvalidRecordException when the value is missing, short or has a negative version
     */
    public static int coordinatorEpoch(ByteBuf value) {
        if (value == null || value.readableBytes() < END_TXN_MARKER_VALUE_SIZE) {
            throw new InvalidRecordException("end transaction marker value must hold " + END_TXN_MARKER_VALUE_SIZE + " bytes");
        }
        checkVersion(value.getShort(value.readerIndex()), "end transaction marker");
        return value.getInt(value.readerIndex() + 2);
    }

    /**
     * Builds the batch that ends a transaction on one partition, laid out as Kafka's
     * {@code MemoryRecords.withEndTransactionMarker}: transactional, control, CreateTime, uncompressed, no
     * base sequence, one record. The caller owns the returned buffer.
     */
    public static ByteBuf endTxnMarkerBatch(ByteBufAllocator alloc, long baseOffset, long timestamp, int partitionLeaderEpoch,
                                            long producerId, short producerEpoch, ControlRecordType type, int coordinatorEpoch) {
        if (!type.isTransactionMarker()) {
            throw new IllegalArgumentException(type + " is not a transaction marker");
        }
        return new RecordBatchBuilder()
                .baseOffset(baseOffset)
                .partitionLeaderEpoch(partitionLeaderEpoch)
                .producer(producerId, producerEpoch, RecordBatchView.NO_SEQUENCE)
                .transactional(true)
                .control(true)
                .append(timestamp, key(type), endTxnMarkerValue(coordinatorEpoch))
                .build(alloc);
    }

    private static void checkVersion(short version, String what) {
        if (version < 0) {
            throw new InvalidRecordException("invalid " + what + " version " + version);
        }
    }
}
