package dev.runnel.server.api;

import dev.runnel.log.PartitionLog;
import dev.runnel.log.TopicPartition;
import dev.runnel.log.producer.ProducerEntry;
import dev.runnel.log.producer.ProducerStateLogHook;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.partition.Partitions;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DescribeProducersRequest;
import dev.runnel.wire.message.DescribeProducersResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeProducers v0 (KIP-664, behind {@code kafka-transactions.sh describe-producers} and
 * {@code Admin.describeProducers}): the producers the partition's producer-state table still tracks, as Kafka's
 * {@code UnifiedLog.activeProducers} lists them. The table is read on the partition's lane, its owner.
 */
public final class DescribeProducersHandler implements ApiHandler<DescribeProducersRequest> {
    private final MetadataStore store;
    private final Partitions partitions;

    public DescribeProducersHandler(MetadataStore store, Partitions partitions) {
        this.store = store;
        this.partitions = partitions;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DESCRIBE_PRODUCERS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeProducersRequest request) {
        List<DescribeProducersResponse.TopicResponse> topics = new ArrayList<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (DescribeProducersRequest.TopicRequest t : request.topics()) {
            TopicMetadata topic = store.topic(t.name()).orElse(null);
            List<DescribeProducersResponse.PartitionResponse> results = new ArrayList<>();
            for (int partition : t.partitionIndexes()) {
                DescribeProducersResponse.PartitionResponse r = new DescribeProducersResponse.PartitionResponse()
                        .setPartitionIndex(partition).setActiveProducers(new ArrayList<>());
                results.add(r);
                TopicPartition tp = topic == null || partition < 0 || partition >= topic.partitionCount()
                        ? null : new TopicPartition(topic.name(), partition);
                PartitionLog log = tp == null ? null : partitions.log(tp);
                if (log == null) {
                    r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
                    continue;
                }
                pending.add(partitions.onLane(tp, () -> r.setErrorCode(Errors.NONE.code())
                                .setActiveProducers(activeProducers(log)))
                        .exceptionally(e -> r.setErrorCode(AppendErrors.codeFor(e))));
            }
            topics.add(new DescribeProducersResponse.TopicResponse().setName(t.name()).setPartitions(results));
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> new DescribeProducersResponse().setTopics(topics));
    }

    private static List<DescribeProducersResponse.ProducerState> activeProducers(PartitionLog log) {
        List<DescribeProducersResponse.ProducerState> result = new ArrayList<>();
        if (log.producerState() instanceof ProducerStateLogHook hook) {
            for (ProducerEntry producer : hook.table().producers()) {
                result.add(new DescribeProducersResponse.ProducerState()
                        .setProducerId(producer.producerId())
                        .setProducerEpoch(producer.producerEpoch())
                        .setLastSequence(producer.lastSequence())
                        .setLastTimestamp(producer.lastTimestamp())
                        .setCoordinatorEpoch(producer.coordinatorEpoch())
                        .setCurrentTxnStartOffset(producer.currentTxnFirstOffset()));
            }
        }
        return result;
    }
}
