package dev.runnel.server.group;

import dev.runnel.log.LogSlice;
import dev.runnel.log.PartitionLog;
import dev.runnel.log.TopicPartition;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.server.partition.Partitions;
import dev.runnel.wire.record.ControlRecord;
import dev.runnel.wire.record.ControlRecordType;
import dev.runnel.wire.record.Record;
import dev.runnel.wire.record.RecordBatchBuilder;
import dev.runnel.wire.record.RecordBatchIterator;
import dev.runnel.wire.record.RecordBatchView;
import dev.runnel.wire.record.RecordIterator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The group coordinator's records in the partitions of {@code __consumer_offsets}: each append is one batch
 * written through the partition's lane like any produce, so it is durable under the same policy; a replay
 * reads the partition from its start to its high watermark and decodes every record.
 */
public final class ConsumerOffsetsLog implements CoordinatorLog {
    private static final Logger LOG = LogManager.getLogger(ConsumerOffsetsLog.class);
    private static final int READ_CHUNK_BYTES = 1024 * 1024;
    /** Group metadata values can be large (member assignments); never decompress more than this per batch. */
    private static final int MAX_UNCOMPRESSED_BATCH_BYTES = 64 * 1024 * 1024;

    private final Partitions partitions;
    private final MetadataStore store;
    private final LongSupplier clock;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    public ConsumerOffsetsLog(Partitions partitions, MetadataStore store, LongSupplier clock) {
        this.partitions = partitions;
        this.store = store;
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
        TopicPartition tp = new TopicPartition(TopicNames.CONSUMER_OFFSETS, partition);
        long now = clock.getAsLong();
        for (CoordinatorRecord r : records) {
            builder.append(now, CoordinatorRecordCodec.encodeKey(r), CoordinatorRecordCodec.encodeValue(r));
        }
        ByteBuf batch = builder.build(alloc);
        if (noSequence) {
            // a coordinator's transactional batch carries no sequence (Kafka checks only its epoch); the builder
            // insists on one for client batches, so the field is patched and the checksum recomputed
            int start = batch.readerIndex();
            batch.setInt(start + RecordBatchView.BASE_SEQUENCE_OFFSET, RecordBatchView.NO_SEQUENCE);
            batch.setInt(start + RecordBatchView.CRC_OFFSET, (int) new RecordBatchView(batch, start).computeChecksum());
        }
        return partitions.appendAsLeader(tp, batch, leaderEpoch(partition))
                .whenComplete((result, error) -> batch.release())
                .thenApply(result -> null);
    }

    private int leaderEpoch(int partition) {
        TopicMetadata topic = store.topic(TopicNames.CONSUMER_OFFSETS).orElse(null);
        return topic == null || partition >= topic.partitionCount() ? 0 : topic.partitions().get(partition).leaderEpoch();
    }

    @Override
    public CompletableFuture<Void> replay(int partition, Consumer<CoordinatorRecord> sink) {
        return replay(partition, sink, null);
    }

    @Override
    public CompletableFuture<Void> replay(int partition, Consumer<CoordinatorRecord> sink, TransactionSink transactions) {
        PartitionLog log = partitions.log(new TopicPartition(TopicNames.CONSUMER_OFFSETS, partition));
        if (log == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    TopicNames.CONSUMER_OFFSETS + "-" + partition + " is not hosted here"));
        }
        try {
            long offset = log.logStartOffset();
            long end = log.highWatermark();
            while (offset < end) {
                LogSlice slice = log.read(offset, READ_CHUNK_BYTES, true, end);
                if (slice.isEmpty()) {
                    slice.release();
                    break;
                }
                offset = replaySlice(slice, offset, sink, transactions);
            }
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Decodes every record at or after {@code from} in the slice; returns the offset after its last batch. */
    private long replaySlice(LogSlice slice, long from, Consumer<CoordinatorRecord> sink, TransactionSink transactions) {
        ByteBuf bytes = alloc.heapBuffer(slice.size());
        try {
            bytes.writeBytes(slice.channel(), slice.position(), slice.size());
        } catch (IOException e) {
            bytes.release();
            throw new UncheckedIOException(e);
        } finally {
            slice.release();
        }
        long next = from;
        try {
            RecordBatchIterator batches = new RecordBatchIterator(bytes);
            while (batches.hasNext()) {
                RecordBatchView batch = batches.next();
                next = batch.nextOffset();
                if (batch.isControl()) {
                    if (transactions != null && batch.baseOffset() >= from) {
                        replayMarker(batch, transactions);
                    }
                    continue;
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
                try (RecordIterator it = batch.records(alloc, MAX_UNCOMPRESSED_BATCH_BYTES)) {
                    while (it.hasNext()) {
                        Record record = it.next();
                        if (record.offset() < from || !record.hasKey()) {
                            continue;
                        }
                        decode(record, target);
                    }
                }
            }
        } finally {
            bytes.release();
        }
        return next;
    }

    private void replayMarker(RecordBatchView batch, TransactionSink transactions) {
        try (RecordIterator it = batch.records(alloc, MAX_UNCOMPRESSED_BATCH_BYTES)) {
            if (it.hasNext()) {
                ControlRecordType type = ControlRecord.type(it.next().key());
                if (type.isTransactionMarker()) {
                    transactions.marker(batch.producerId(), type == ControlRecordType.COMMIT);
                }
            }
        }
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
