package dev.runnel.log.producer;

import dev.runnel.wire.record.RecordBatchView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

import java.util.ArrayList;
import java.util.List;

/** Record batches built by kafka-clients, copied into Netty buffers this helper owns and releases on close. */
final class TestBatches implements AutoCloseable {
    private final List<ByteBuf> buffers = new ArrayList<>();

    static MemoryRecords kafkaData(boolean transactional, long producerId, short epoch, int baseSequence, int count,
                                   long baseOffset, long timestamp) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(timestamp - count + 1 + i, ("k" + i).getBytes(), ("v" + i).getBytes());
        }
        return transactional
            ? MemoryRecords.withTransactionalRecords(baseOffset, Compression.NONE, producerId, epoch, baseSequence, 0, records)
            : MemoryRecords.withIdempotentRecords(baseOffset, Compression.NONE, producerId, epoch, baseSequence, 0, records);
    }

    static MemoryRecords kafkaMarker(boolean commit, long producerId, short epoch, int coordinatorEpoch, long offset,
                                     long timestamp) {
        EndTransactionMarker marker = new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
            coordinatorEpoch);
        return MemoryRecords.withEndTransactionMarker(offset, timestamp, 0, producerId, epoch, marker);
    }

    RecordBatchView view(MemoryRecords records) {
        ByteBuf buf = Unpooled.copiedBuffer(records.buffer().duplicate());
        buffers.add(buf);
        RecordBatchView view = new RecordBatchView(buf, 0);
        view.validate(buf.readableBytes());
        return view;
    }

    RecordBatchView idempotent(long producerId, short epoch, int baseSequence, int count, long baseOffset, long timestamp) {
        return view(kafkaData(false, producerId, epoch, baseSequence, count, baseOffset, timestamp));
    }

    RecordBatchView transactional(long producerId, short epoch, int baseSequence, int count, long baseOffset, long timestamp) {
        return view(kafkaData(true, producerId, epoch, baseSequence, count, baseOffset, timestamp));
    }

    RecordBatchView marker(boolean commit, long producerId, short epoch, int coordinatorEpoch, long offset, long timestamp) {
        return view(kafkaMarker(commit, producerId, epoch, coordinatorEpoch, offset, timestamp));
    }

    RecordBatchView plain(int count, long baseOffset) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(1_000L + i, ("v" + i).getBytes());
        }
        return view(MemoryRecords.withRecords(baseOffset, Compression.NONE, records));
    }

    @Override
    public void close() {
        buffers.forEach(ByteBuf::release);
        buffers.clear();
    }
}
