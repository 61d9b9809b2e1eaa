package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Decodes the records of one v2 batch (layout in {@link Record}), decompressing the records section
 * first when the batch is compressed. Used by one thread; close it when done.
 *
 * <p>Buffers: an uncompressed batch is borrowed and records are slices of it; a compressed batch is
 * decompressed into a buffer this iterator owns and releases on {@link #close()}, so records must not be
 * used after closing. Every varint length is checked against the bytes left in its record before use; the
 * batch must hold exactly {@code recordCount} records, or {@link InvalidRecordException} is thrown (at the
 * record where it shows, as Kafka does).
 */
public final class RecordIterator implements Iterator<Record>, AutoCloseable {
    private final ByteBuf records;
    private final boolean owned;
    private final long baseOffset;
    private final long baseTimestamp;
    private final boolean logAppendTime;
    private final long maxTimestamp;
    private final int count;
    private int read;
    private boolean closed;

    private RecordIterator(RecordBatchView batch, ByteBuf records, boolean owned) {
        this.records = records;
        this.owned = owned;
        this.baseOffset = batch.baseOffset();
        this.baseTimestamp = batch.baseTimestamp();
        this.logAppendTime = batch.isLogAppendTime();
        this.maxTimestamp = batch.maxTimestamp();
        this.count = batch.recordCount();
    }

    /**
     * Opens the records of {@code batch} (borrowed; its header must be in bounds, as after
     * {@link RecordBatchView#validate}).
     *
     * @param alloc where a compressed batch's records are decompressed to
     * @param maxUncompressedBytes the most bytes a compressed records section may decompress to
     */
    static RecordIterator open(RecordBatchView batch, ByteBufAllocator alloc, int maxUncompressedBytes) {
        int count = batch.recordCount();
        if (count < 0) {
            throw new InvalidRecordException("invalid record count " + count);
        }
        int size = batch.sizeInBytes();
        if (size < RecordBatchView.HEADER_SIZE || size > batch.buffer().writerIndex() - batch.start()) {
            throw new InvalidRecordException("record batch of " + size + " bytes does not fit its buffer");
        }
        ByteBuf section = batch.buffer().slice(batch.start() + RecordBatchView.RECORDS_OFFSET, size - RecordBatchView.RECORDS_OFFSET);
        CompressionType type = batch.compressionType();
        if (type == CompressionType.NONE || count == 0) {
            // Kafka does not decompress a batch that declares no records.
            return new RecordIterator(batch, count == 0 ? section.slice(0, 0) : section, false);
        }
        return new RecordIterator(batch, RecordCompression.decompress(type, section, maxUncompressedBytes, alloc), true);
    }

    @Override
    public boolean hasNext() {
        return read < count;
    }

    @Override
    public Record next() {
        if (closed) {
            throw new IllegalStateException("record iterator is closed");
        }
        if (read >= count) {
            throw new NoSuchElementException();
        }
        if (!records.isReadable()) {
            throw new InvalidRecordException("batch declares " + count + " records but holds " + read);
        }
        Record record = readRecord();
        read++;
        if (read == count && records.isReadable()) {
            throw new InvalidRecordException(records.readableBytes() + " bytes remain after the " + count + " declared records");
        }
        return record;
    }

    private Record readRecord() {
        int start = records.readerIndex();
        int bodyLength = Varint.readVarint(records);
        if (bodyLength < 1 || bodyLength > records.readableBytes()) {
            throw new InvalidRecordException("record length " + bodyLength + " does not fit the " + records.readableBytes() + " bytes left");
        }
        int end = records.readerIndex() + bodyLength;
        records.skipBytes(1); // attributes: unused in v2
        long timestampDelta = Varint.readVarlong(records);
        int offsetDelta = Varint.readVarint(records);
        ByteBuf key = readBytes(end, "key");
        ByteBuf value = readBytes(end, "value");
        List<Header> headers = readHeaders(end);
        if (records.readerIndex() != end) {
            throw new InvalidRecordException("record declares " + bodyLength + " bytes but its fields take "
                    + (records.readerIndex() - end + bodyLength));
        }
        long timestamp = logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta;
        return new Record(baseOffset + offsetDelta, timestamp, key, value, headers, end - start);
    }

    /** A length-prefixed field as a slice, or null for a negative length (Kafka reads any as null). */
    private ByteBuf readBytes(int recordEnd, String what) {
        int length = Varint.readVarint(records);
        if (length < 0) {
            return null;
        }
        checkFits(length, recordEnd, what);
        ByteBuf slice = records.slice(records.readerIndex(), length);
        records.skipBytes(length);
        return slice;
    }

    private List<Header> readHeaders(int recordEnd) {
        int headerCount = Varint.readVarint(records);
        if (headerCount == 0) {
            return List.of();
        }
        // Each header takes at least two bytes, so this also bounds the list allocation.
        if (headerCount < 0 || headerCount > (recordEnd - records.readerIndex()) / 2) {
            throw new InvalidRecordException("invalid record header count " + headerCount);
        }
        List<Header> headers = new ArrayList<>(headerCount);
        for (int i = 0; i < headerCount; i++) {
            int keyLength = Varint.readVarint(records);
            if (keyLength < 0) {
                throw new InvalidRecordException("negative header key length " + keyLength);
            }
            checkFits(keyLength, recordEnd, "header key");
            String key = records.toString(records.readerIndex(), keyLength, StandardCharsets.UTF_8);
            records.skipBytes(keyLength);
            int valueLength = Varint.readVarint(records);
            byte[] value = null;
            if (valueLength >= 0) {
                checkFits(valueLength, recordEnd, "header value");
                value = new byte[valueLength];
                records.readBytes(value);
            }
            headers.add(new Header(key, value));
        }
        return headers;
    }

    private void checkFits(int length, int recordEnd, String what) {
        if (length > recordEnd - records.readerIndex()) {
            throw new InvalidRecordException("record " + what + " of " + length + " bytes exceeds its record");
        }
    }

    /** Releases the decompressed records, if any. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (owned) {
                records.release();
            }
        }
    }
}
