package dev.runnel.server.txn;

import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.server.partition.InternalTopicLog;
import dev.runnel.server.partition.Partitions;
import dev.runnel.wire.record.Record;
import dev.runnel.wire.record.RecordBatchBuilder;
import io.netty.buffer.ByteBuf;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * {@link TransactionStateLog} over the partitions of {@code __transaction_state} ({@link InternalTopicLog}): each
 * append is one uncompressed batch (Kafka enforces no compression on this topic); a replay decodes every record.
 */
public final class TransactionStateTopicLog implements TransactionStateLog {
    private static final Logger LOG = LogManager.getLogger(TransactionStateTopicLog.class);

    private final InternalTopicLog log;
    private final LongSupplier clock;

    public TransactionStateTopicLog(Partitions partitions, MetadataStore store, LongSupplier clock) {
        this.log = new InternalTopicLog(partitions, store, TopicNames.TRANSACTION_STATE);
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
        ByteBuf batch = new RecordBatchBuilder().baseOffset(0)
                .append(clock.getAsLong(), TransactionLogCodec.encodeKey(transactionalId), value)
                .build(log.alloc());
        return log.append(partition, batch);
    }

    @Override
    public CompletableFuture<Void> replay(int partition, BiConsumer<String, TransactionMetadata> sink) {
        return log.replay(partition, (batch, from) -> {
            if (!batch.isControl()) {
                log.forEachRecord(batch, from, record -> {
                    if (record.hasKey()) {
                        decode(record, sink);
                    }
                });
            }
        });
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
