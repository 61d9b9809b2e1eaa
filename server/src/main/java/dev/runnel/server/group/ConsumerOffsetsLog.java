package dev.runnel.server.group;

import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.server.partition.InternalTopicLog;
import dev.runnel.server.partition.Partitions;
import dev.runnel.wire.record.ControlRecord;
import dev.runnel.wire.record.ControlRecordType;
import dev.runnel.wire.record.Record;
import dev.runnel.wire.record.RecordBatchBuilder;
import dev.runnel.wire.record.RecordBatchView;
import io.netty.buffer.ByteBuf;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The group coordinator's records in the partitions of {@code __consumer_offsets} ({@link InternalTopicLog}): each
 * append is one batch; a replay decodes every record, and hands transactional offset commits and markers to the
 * transaction sink when there is one.
 */
public final class ConsumerOffsetsLog implements CoordinatorLog {
    private static final Logger LOG = LogManager.getLogger(ConsumerOffsetsLog.class);

    private final InternalTopicLog log;
    private final LongSupplier clock;

    public ConsumerOffsetsLog(Partitions partitions, MetadataStore store, LongSupplier clock) {
        this.log = new InternalTopicLog(partitions, store, TopicNames.CONSUMER_OFFSETS);
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records) {
        return append(partition, new RecordBatchBuilder().baseOffset(0), records, false);
    }

    @Override
    public CompletableFuture<Void> appendTransactional(int partition, long producerId, short producerEpoch,
                                                       List<CoordinatorRecord> records) {
        return append(partition, new RecordBatchBuilder().baseOffset(0)
                .producer(producerId, producerEpoch, 0).transactional(true), records, true);
    }

    private CompletableFuture<Void> append(int partition, RecordBatchBuilder builder, List<CoordinatorRecord> records,
                                           boolean noSequence) {
        long now = clock.getAsLong();
        for (CoordinatorRecord r : records) {
            builder.append(now, CoordinatorRecordCodec.encodeKey(r), CoordinatorRecordCodec.encodeValue(r));
        }
        ByteBuf batch = builder.build(log.alloc());
        if (noSequence) {
            // a coordinator's transactional batch carries no sequence (Kafka checks only its epoch); the builder
            // insists on one for client batches, so the field is patched and the checksum recomputed
            int start = batch.readerIndex();
            batch.setInt(start + RecordBatchView.BASE_SEQUENCE_OFFSET, RecordBatchView.NO_SEQUENCE);
            batch.setInt(start + RecordBatchView.CRC_OFFSET, (int) new RecordBatchView(batch, start).computeChecksum());
        }
        return log.append(partition, batch);
    }

    @Override
    public CompletableFuture<Void> replay(int partition, Consumer<CoordinatorRecord> sink) {
        return replay(partition, sink, null);
    }

    @Override
    public CompletableFuture<Void> replay(int partition, Consumer<CoordinatorRecord> sink, TransactionSink transactions) {
        return log.replay(partition, (batch, from) -> {
            if (batch.isControl()) {
                if (transactions != null && batch.baseOffset() >= from) {
                    replayMarker(batch, transactions);
                }
                return;
            }
            Consumer<CoordinatorRecord> target = sink;
            if (batch.isTransactional() && transactions != null) {
                long producerId = batch.producerId();
                target = r -> {
                    if (r instanceof CoordinatorRecord.OffsetCommit commit) {
                        transactions.offsetCommit(producerId, commit);
                    } else {
                        sink.accept(r);
                    }
                };
            }
            Consumer<CoordinatorRecord> decoded = target;
            log.forEachRecord(batch, from, record -> {
                if (record.hasKey()) {
                    decode(record, decoded);
                }
            });
        });
    }

    private void replayMarker(RecordBatchView batch, TransactionSink transactions) {
        log.forEachRecord(batch, batch.baseOffset(), record -> {
            ControlRecordType type = ControlRecord.type(record.key());
            if (type.isTransactionMarker()) {
                transactions.marker(batch.producerId(), type == ControlRecordType.COMMIT);
            }
        });
    }

    private static void decode(Record record, Consumer<CoordinatorRecord> sink) {
        ByteBuffer key = ByteBuffer.wrap(record.keyBytes());
        byte[] value = record.valueBytes();
        try {
            CoordinatorRecord decoded = CoordinatorRecordCodec.decode(key, value == null ? null : ByteBuffer.wrap(value));
            if (decoded != null) {
                sink.accept(decoded);
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("Skipping an unreadable record at offset {} of {}: {}", record.offset(), TopicNames.CONSUMER_OFFSETS, e.getMessage());
        }
    }
}
