package dev.runnel.log.producer;

import dev.runnel.wire.record.InvalidRecordException;
import dev.runnel.wire.record.RecordBatchView;
import io.netty.buffer.ByteBuf;

/**
 * The end-transaction marker in the first record of a control batch. Markers are written uncompressed,
 * one record per batch. The record is a v2 record whose key and value are:
 *
 * <pre>
 * key:   version int16, type int16        (0 = ABORT, 1 = COMMIT; other types are not transaction markers)
 * value: version int16, coordinatorEpoch int32   (EndTxnMarker v0; newer value versions parse as v0)
 * </pre>
 *
 * @param commit           true for COMMIT, false for ABORT
 * @param coordinatorEpoch epoch of the transaction coordinator that wrote the marker
 * @param timestamp        the record's timestamp (the batch max timestamp under LogAppendTime)
 */
record TxnMarker(boolean commit, int coordinatorEpoch, long timestamp) {
    private static final short ABORT = 0;
    private static final short COMMIT = 1;

    /**
     * Reads the marker of a control batch; borrows the batch's buffer.
     *
     * @return the marker, or null for an empty control batch (its transaction was cleaned from the log)
     * @throws InvalidRecordException if the batch is compressed or its first record is not a valid marker
     */
    static TxnMarker parse(RecordBatchView batch) {
        if (batch.recordCount() == 0) {
            return null;
        }
        if (batch.compressionId() != 0) {
            throw new InvalidRecordException("compressed control batch at offset " + batch.baseOffset());
        }
        Cursor in = new Cursor(batch.buffer(), batch.start() + RecordBatchView.RECORDS_OFFSET,
            batch.start() + batch.sizeInBytes());
        in.varint(); // record length: the fields below are read with their own bounds checks
        in.skip(1); // attributes
        long timestampDelta = in.varlong();
        in.varint(); // offset delta
        int keyLength = in.varint();
        if (keyLength < 4) {
            throw new InvalidRecordException("control record key of " + keyLength + " bytes");
        }
        int keyStart = in.take(keyLength);
        short keyVersion = in.buf.getShort(keyStart);
        short type = in.buf.getShort(keyStart + 2);
        if (keyVersion < 0 || (type != ABORT && type != COMMIT)) {
            throw new InvalidRecordException("not a transaction marker: key version " + keyVersion + ", type " + type);
        }
        int valueLength = in.varint();
        if (valueLength < 6) {
            throw new InvalidRecordException("transaction marker value of " + valueLength + " bytes");
        }
        int valueStart = in.take(valueLength);
        if (in.buf.getShort(valueStart) < 0) {
            throw new InvalidRecordException("negative transaction marker value version");
        }
        int coordinatorEpoch = in.buf.getInt(valueStart + 2);
        long timestamp = batch.isLogAppendTime() ? batch.maxTimestamp() : batch.baseTimestamp() + timestampDelta;
        return new TxnMarker(type == COMMIT, coordinatorEpoch, timestamp);
    }

    /** Reads Kafka's zig-zag varints between two absolute indexes, never past {@code end}. */
    private static final class Cursor {
        final ByteBuf buf;
        int index;
        final int end;

        Cursor(ByteBuf buf, int index, int end) {
            this.buf = buf;
            this.index = index;
            this.end = end;
        }

        int varint() {
            long value = varlong();
            if (value != (int) value) {
                throw new InvalidRecordException("varint out of int range in control record");
            }
            return (int) value;
        }

        long varlong() {
            long raw = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buf.getByte(take(1));
                raw |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw new InvalidRecordException("varint longer than 10 bytes in control record");
        }

        void skip(int length) {
            take(length);
        }

        /** Advances over {@code length} bytes and returns where they start. */
        int take(int length) {
            if (length < 0 || length > end - index) {
                throw new InvalidRecordException("control record overruns its batch");
            }
            int at = index;
            index += length;
            return at;
        }
    }
}
