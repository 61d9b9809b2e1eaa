package dev.runnel.server.txn;

import dev.runnel.log.LogSlice;
import dev.runnel.log.PartitionLog;
import dev.runnel.log.TopicPartition;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.server.partition.Partitions;
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
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * {@link TransactionStateLog} over the partitions of {@code __transaction_state}: each append is one
 * uncompressed batch (Kafka enforces no compression on this topic) written through the partition's lane;
 * a replay reads the partition from its log start to its high watermark.
 */
public final class TransactionStateTopicLog implements TransactionStateLog {
    private static final Logger LOG = LogManager.getLogger(TransactionStateTopicLog.class);
    private static final int READ_CHUNK_BYTES = 1024 * 1024;
    private static final int MAX_UNCOMPRESSED_BATCH_BYTES = 64 * 1024 * 1024;

    private final Partitions partitions;
    private final MetadataStore store;
    private final LongSupplier clock;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    public TransactionStateTopicLog(Partitions partitions, MetadataStore store, LongSupplier clock) {
        this.partitions = partitions;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Void> append(int partition, TransactionMetadata metadata) {
        return append(partition, metadata.transactionalId(), TransactionLogCodec.encodeValue(metadata));
    }

    @Override
    public CompletableFuture<Void> appendTombstone(int partition, String transactionalId) {
        return append(partition, transactionalId, null);
    }

    private CompletableFuture<Void> append(int partition, String transactionalId, byte[] value) {
        TopicPartition tp = new TopicPartition(TopicNames.TRANSACTION_STATE, partition);
        ByteBuf batch = new RecordBatchBuilder().baseOffset(0)
                .append(clock.getAsLong(), TransactionLogCodec.encodeKey(transactionalId), value)
                .build(alloc);
        return partitions.appendAsLeader(tp, batch, leaderEpoch(partition))
                .whenComplete((result, error) -> batch.release())
                .thenApply(result -> null);
    }

    private int leaderEpoch(int partition) {
        TopicMetadata topic = store.topic(TopicNames.TRANSACTION_STATE).orElse(null);
        return topic == null || partition >= topic.partitionCount() ? 0 : topic.partitions().get(partition).leaderEpoch();
    }

    @Override
    public CompletableFuture<Void> replay(int partition, BiConsumer<String, TransactionMetadata> sink) {
        PartitionLog log = partitions.log(new TopicPartition(TopicNames.TRANSACTION_STATE, partition));
        if (log == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    TopicNames.TRANSACTION_STATE + "-" + partition + " is not hosted here"));
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
                offset = replaySlice(slice, offset, sink);
            }
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private long replaySlice(LogSlice slice, long from, BiConsumer<String, TransactionMetadata> sink) {
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
                    continue;
                }
                try (RecordIterator it = batch.records(alloc, MAX_UNCOMPRESSED_BATCH_BYTES)) {
                    while (it.hasNext()) {
                        Record record = it.next();
                        if (record.offset() >= from && record.hasKey()) {
                            decode(record, sink);
                        }
                    }
                }
            }
        } finally {
            bytes.release();
        }
        return next;
    }

    private static void decode(Record record, BiConsumer<String, TransactionMetadata> sink) {
        try {
            String id = TransactionLogCodec.decodeKey(ByteBuffer.wrap(record.keyBytes()));
            if (id == null) {
                return;
            }
            byte[] value = record.valueBytes();
            sink.accept(id, TransactionLogCodec.decodeValue(id, value == null ? null : ByteBuffer.wrap(value)));
        } catch (IllegalArgumentException e) {
            LOG.warn("Skipping an unreadable record at offset {} of {}: {}", record.offset(), TopicNames.TRANSACTION_STATE, e.getMessage());
        }
    }
}
