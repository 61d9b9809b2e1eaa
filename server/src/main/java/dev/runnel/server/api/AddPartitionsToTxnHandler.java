package dev.runnel.server.api;

import dev.runnel.log.TopicPartition;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.txn.TransactionCoordinator;
import dev.runnel.wire.message.AddPartitionsToTxnRequest;
import dev.runnel.wire.message.AddPartitionsToTxnResponse;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * AddPartitionsToTxn v0–3, the client form: one transaction, its partitions added by the coordinator. v4+
 * (brokers verifying a transaction, KIP-890) is not advertised. When a topic or partition does not exist,
 * nothing is added: those partitions get UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED,
 * as Kafka answers.
 */
public final class AddPartitionsToTxnHandler implements ApiHandler<AddPartitionsToTxnRequest> {
    private final TransactionCoordinator coordinator;
    private final MetadataStore store;

    public AddPartitionsToTxnHandler(TransactionCoordinator coordinator, MetadataStore store) {
        this.coordinator = coordinator;
        this.store = store;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.ADD_PARTITIONS_TO_TXN;
    }

    @Override
    public short highestVersion() {
        return 3;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, AddPartitionsToTxnRequest request) {
        Set<TopicPartition> partitions = new HashSet<>();
        Set<TopicPartition> unknown = new HashSet<>();
        for (AddPartitionsToTxnRequest.AddPartitionsToTxnTopic topic : request.v3AndBelowTopics()) {
            TopicMetadata metadata = store.topic(topic.name()).orElse(null);
            for (int p : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), p);
                (metadata == null || p < 0 || p >= metadata.partitionCount() ? unknown : partitions).add(tp);
            }
        }
        if (!unknown.isEmpty()) {
            return CompletableFuture.completedFuture(response(request, tp -> unknown.contains(tp)
                    ? Errors.UNKNOWN_TOPIC_OR_PARTITION.code() : Errors.OPERATION_NOT_ATTEMPTED.code()));
        }
        short version = context.apiVersion();
        return coordinator.addPartitions(request.v3AndBelowTransactionalId(), request.v3AndBelowProducerId(),
                        request.v3AndBelowProducerEpoch(), partitions)
                .thenApply(error -> response(request, tp -> TxnErrors.code(error, version, (short) 2)));
    }

    private static ApiMessage response(AddPartitionsToTxnRequest request, java.util.function.ToIntFunction<TopicPartition> errorOf) {
        List<AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult> topics = new ArrayList<>();
        for (AddPartitionsToTxnRequest.AddPartitionsToTxnTopic topic : request.v3AndBelowTopics()) {
            List<AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult> results = new ArrayList<>();
            for (int p : topic.partitions()) {
                results.add(new AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult().setPartitionIndex(p)
                        .setPartitionErrorCode((short) errorOf.applyAsInt(new TopicPartition(topic.name(), p))));
            }
            topics.add(new AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult().setName(topic.name())
                    .setResultsByPartition(results));
        }
        return new AddPartitionsToTxnResponse().setResultsByTopicV3AndBelow(topics);
    }
}
