package dev.runnel.server.txn;

import dev.runnel.log.TopicPartition;
import dev.runnel.log.producer.ProducerStateException;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.partition.Partitions;
import dev.runnel.wire.record.ControlRecord;
import dev.runnel.wire.record.ControlRecordType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;

/**
 * {@link TransactionMarkers} for a single broker: appends Kafka's end-transaction marker batch to the local
 * partition through its lane, then tells {@code afterMarker} (the group coordinator, for
 * {@code __consumer_offsets} partitions holding transactional offset commits). Thread-safe.
 */
public final class LocalTransactionMarkers implements TransactionMarkers {
    private static final Logger LOG = LogManager.getLogger(LocalTransactionMarkers.class);

    /** Told once a marker is in the log of a partition. */
    public interface AfterMarker {
        CompletableFuture<Void> written(TopicPartition tp, long producerId, boolean commit);
    }

    private final Partitions partitions;
    private final MetadataStore store;
    private final LongSupplier clock;
    private final AfterMarker afterMarker;

    public LocalTransactionMarkers(Partitions partitions, MetadataStore store, LongSupplier clock, AfterMarker afterMarker) {
        this.partitions = partitions;
        this.store = store;
        this.clock = clock;
        this.afterMarker = afterMarker;
    }

    @Override
    public CompletableFuture<Void> write(TopicPartition tp, long producerId, short producerEpoch, boolean commit,
                                         int coordinatorEpoch) {
        TopicMetadata topic = store.topic(tp.topic()).orElse(null);
        if (topic == null || tp.partition() >= topic.partitionCount() || partitions.log(tp) == null) {
            return CompletableFuture.completedFuture(null);
        }
        int leaderEpoch = topic.partitions().get(tp.partition()).leaderEpoch();
        ByteBuf batch = ControlRecord.endTxnMarkerBatch(PooledByteBufAllocator.DEFAULT, 0, clock.getAsLong(), leaderEpoch,
                producerId, producerEpoch, commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch);
        return partitions.appendAsLeader(tp, batch, leaderEpoch)
                .whenComplete((r, e) -> batch.release())
                .handle((r, e) -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof Partitions.UnknownPartitionException) {
                        return false; // deleted meanwhile
                    }
                    if (cause instanceof ProducerStateException p) {
                        // a newer epoch of the producer already wrote here: retrying cannot help (Kafka gives up too)
                        LOG.warn("Marker for producer {} on {} rejected: {}", producerId, tp, p.getMessage());
                        return false;
                    }
                    if (cause != null) {
                        throw new CompletionException(cause);
                    }
                    return true;
                })
                .thenCompose(written -> written ? afterMarker.written(tp, producerId, commit) : CompletableFuture.completedFuture(null));
    }
}
