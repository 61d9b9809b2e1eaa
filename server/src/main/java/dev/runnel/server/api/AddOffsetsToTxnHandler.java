package dev.runnel.server.api;

import dev.runnel.log.TopicPartition;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.server.txn.TransactionCoordinator;
import dev.runnel.wire.message.AddOffsetsToTxnRequest;
import dev.runnel.wire.message.AddOffsetsToTxnResponse;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToIntFunction;

/**
 * AddOffsetsToTxn v0–4: adds the group's {@code __consumer_offsets} partition to the transaction, so that its
 * marker commits (or drops) the offsets the producer then sends with TxnOffsetCommit.
 */
public final class AddOffsetsToTxnHandler implements ApiHandler<AddOffsetsToTxnRequest> {
    private final TransactionCoordinator coordinator;
    private final ToIntFunction<String> offsetsPartitionFor;

    public AddOffsetsToTxnHandler(TransactionCoordinator coordinator, ToIntFunction<String> offsetsPartitionFor) {
        this.coordinator = coordinator;
        this.offsetsPartitionFor = offsetsPartitionFor;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.ADD_OFFSETS_TO_TXN;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, AddOffsetsToTxnRequest request) {
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return CompletableFuture.completedFuture(new AddOffsetsToTxnResponse().setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        TopicPartition offsets = new TopicPartition(TopicNames.CONSUMER_OFFSETS, offsetsPartitionFor.applyAsInt(request.groupId()));
        short version = context.apiVersion();
        return coordinator.addPartitions(request.transactionalId(), request.producerId(), request.producerEpoch(), Set.of(offsets))
                .thenApply(error -> new AddOffsetsToTxnResponse().setErrorCode(TxnErrors.code(error, version, (short) 2)));
    }
}
