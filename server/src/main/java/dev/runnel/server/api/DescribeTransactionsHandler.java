package dev.runnel.server.api;

import dev.runnel.log.TopicPartition;
import dev.runnel.server.txn.TransactionCoordinator;
import dev.runnel.server.txn.TransactionMetadata;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DescribeTransactionsRequest;
import dev.runnel.wire.message.DescribeTransactionsResponse;
import dev.runnel.wire.protocol.ApiMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** DescribeTransactions v0 (KIP-664, {@code kafka-transactions.sh describe}): the coordinator's state of each id. */
public final class DescribeTransactionsHandler implements ApiHandler<DescribeTransactionsRequest> {
    private final TransactionCoordinator coordinator;

    public DescribeTransactionsHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DESCRIBE_TRANSACTIONS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeTransactionsRequest request) {
        List<CompletableFuture<DescribeTransactionsResponse.TransactionState>> parts = new ArrayList<>();
        for (String id : request.transactionalIds()) {
            parts.add(coordinator.describe(id).thenApply(d -> state(id, d)));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> new DescribeTransactionsResponse()
                .setTransactionStates(new ArrayList<>(parts.stream().map(CompletableFuture::join).toList())));
    }

    private static DescribeTransactionsResponse.TransactionState state(String id, TransactionCoordinator.Described d) {
        DescribeTransactionsResponse.TransactionState state = new DescribeTransactionsResponse.TransactionState()
                .setTransactionalId(id).setErrorCode(d.error().code()).setTransactionState("")
                .setTransactionStartTimeMs(-1).setProducerId(-1).setProducerEpoch((short) -1);
        TransactionMetadata m = d.metadata();
        if (m == null) {
            return state;
        }
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition tp : m.partitions()) {
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        }
        List<DescribeTransactionsResponse.TopicData> topics = new ArrayList<>();
        byTopic.forEach((topic, partitions) -> topics.add(new DescribeTransactionsResponse.TopicData().setTopic(topic)
                .setPartitions(new ArrayList<>(partitions.stream().sorted().toList()))));
        return state.setTransactionState(m.state().stateName()).setTransactionTimeoutMs(m.timeoutMs())
                .setTransactionStartTimeMs(m.startTimestampMs()).setProducerId(m.producerId())
                .setProducerEpoch(m.producerEpoch()).setTopics(topics);
    }
}
