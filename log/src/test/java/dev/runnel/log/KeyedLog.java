package dev.runnel.log;

import io.netty.buffer.ByteBuf;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test helpers for keyed workloads: batches built by kafka-clients, and the whole log read back by it. */
final class KeyedLog {
    /** One record as read back: offset, key and value as strings (value null for a tombstone). */
    record Entry(long offset, String key, String value) {
    }

    private KeyedLog() {
    }

    /** A batch of records {@code keys[i] -> values[i]} (null value = tombstone) at {@code timestamp}. */
    static ByteBuf batch(Compression compression, long timestamp, String[] keys, String[] values) {
        return batch(compression, timestamp, RecordBatch.NO_PRODUCER_ID, (short) -1, -1, false, keys, values);
    }

    static ByteBuf batch(Compression compression, long timestamp, long producerId, short epoch, int baseSequence,
                         boolean transactional, String[] keys, String[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(1024 + 64 * keys.length);
        MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, RecordBatch.CURRENT_MAGIC_VALUE, compression,
                TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, producerId, epoch, baseSequence, transactional,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (int i = 0; i < keys.length; i++) {
            builder.append(timestamp, bytes(keys[i]), bytes(values[i]));
        }
        return Batches.wrap(builder.build());
    }

    /** Kafka's end-transaction marker batch; its base offset is rewritten by the append. */
    static ByteBuf marker(long producerId, short epoch, boolean commit, long timestamp) {
        return Batches.wrap(MemoryRecords.withEndTransactionMarker(0L, timestamp, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                producerId, epoch, new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 0)));
    }

    static AppendResult append(PartitionLog log, ByteBuf batch) {
        try {
            return log.appendAsLeader(batch, 0);
        } finally {
            batch.release();
        }
    }

    /** Every batch from the log start offset to the log end, parsed and CRC-checked by kafka-clients. */
    static List<RecordBatch> batches(PartitionLog log) throws IOException {
        List<RecordBatch> all = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            List<RecordBatch> read = Batches.readAndRelease(log.read(offset, 1 << 20, true, Long.MAX_VALUE));
            if (read.isEmpty()) {
                break;
            }
            for (RecordBatch batch : read) {
                batch.ensureValid();
                all.add(batch);
                offset = batch.nextOffset();
            }
        }
        return all;
    }

    /** Every data record of the log, in offset order. */
    static List<Entry> records(PartitionLog log) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (RecordBatch batch : batches(log)) {
            if (batch.isControlBatch()) {
                continue;
            }
            for (Record record : batch) {
                entries.add(new Entry(record.offset(), string(record.key()), string(record.value())));
            }
        }
        return entries;
    }

    static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    static byte[] utf8(ByteBuffer b) {
        return b == null ? null : Utils.toArray(b);
    }
}
