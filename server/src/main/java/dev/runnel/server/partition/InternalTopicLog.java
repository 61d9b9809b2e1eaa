package dev.runnel.server.partition;

import dev.runnel.log.LogSlice;
import dev.runnel.log.PartitionLog;
import dev.runnel.log.TopicPartition;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.record.Record;
import dev.runnel.wire.record.RecordBatchIterator;
import dev.runnel.wire.record.RecordBatchView;
import dev.runnel.wire.record.RecordIterator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The partitions of an internal topic a coordinator keeps its state in ({@code __consumer_offsets},
 * {@code __transaction_state}): appends go through the partition's lane like any produce, so they are durable
 * under the same policy; a replay reads a partition from its log start to its high watermark, batch by batch.
 * What the records mean is the coordinator's business.
 */
public final class InternalTopicLog {
    private static final int READ_CHUNK_BYTES = 1024 * 1024;
    /** Coordinator values can be large (group assignments); never decompress more than this per batch. */
    private static final int MAX_UNCOMPRESSED_BATCH_BYTES = 64 * 1024 * 1024;

    /** Receives each batch of a replay; {@code from} is the first offset not yet replayed (a batch may start below it). */
    public interface BatchSink {
        void accept(RecordBatchView batch, long from);
    }

    private final Partitions partitions;
    private final MetadataStore store;
    private final String topic;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    public InternalTopicLog(Partitions partitions, MetadataStore store, String topic) {
        this.partitions = partitions;
        this.store = store;
        this.topic = topic;
    }

    /**
     * The partition of a coordinator's internal topic that holds {@code key} (a group id, a transactional id):
     * Kafka's {@code Utils.abs(key.hashCode()) % partitions}, where abs(MIN_VALUE) is 0.
     */
    public static int partitionFor(String key, int partitions) {
        int hash = key.hashCode();
        return (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % partitions;
    }

    public ByteBufAllocator alloc() {
        return alloc;
    }

    /** Appends one batch as leader; takes ownership of {@code batch}. Completes once it is committed. */
    public CompletableFuture<Void> append(int partition, ByteBuf batch) {
        return partitions.appendAsLeader(new TopicPartition(topic, partition), batch, leaderEpoch(partition))
                .whenComplete((result, error) -> batch.release())
                .thenApply(result -> null);
    }

    private int leaderEpoch(int partition) {
        TopicMetadata metadata = store.topic(topic).orElse(null);
        return metadata == null || partition >= metadata.partitionCount() ? 0 : metadata.partitions().get(partition).leaderEpoch();
    }

    /** Hands every batch of the partition, from its log start to its high watermark, to {@code sink}, in order. */
    public CompletableFuture<Void> replay(int partition, BatchSink sink) {
        PartitionLog log = partitions.log(new TopicPartition(topic, partition));
        if (log == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(topic + "-" + partition + " is not hosted here"));
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

    /** Returns the offset after the slice's last batch. */
    private long replaySlice(LogSlice slice, long from, BatchSink sink) {
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
                sink.accept(batch, from);
                next = batch.nextOffset();
            }
        } finally {
            bytes.release();
        }
        return next;
    }

    /** The records of {@code batch} at or after {@code from} (decompressing when needed), in order. */
    public void forEachRecord(RecordBatchView batch, long from, Consumer<Record> action) {
        try (RecordIterator it = batch.records(alloc, MAX_UNCOMPRESSED_BATCH_BYTES)) {
            while (it.hasNext()) {
                Record record = it.next();
                if (record.offset() >= from) {
                    action.accept(record);
                }
            }
        }
    }
}
