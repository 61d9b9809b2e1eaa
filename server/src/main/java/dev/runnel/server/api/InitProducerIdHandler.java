package dev.runnel.server.api;

import dev.runnel.server.producer.ProducerIds;
import dev.runnel.server.txn.TransactionCoordinator;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.InitProducerIdRequest;
import dev.runnel.wire.message.InitProducerIdResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * InitProducerId v0–5. Without a transactional id: a fresh producer id at epoch 0, as Kafka gives an idempotent
 * producer (also when it asks to bump its epoch after an error, KIP-360: Kafka answers that with a new id too).
 * With one: the {@link TransactionCoordinator} gives the id's producer id and a bumped epoch, fencing older
 * producers of the same transactional id.
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {
    private final ProducerIds producerIds;
    private final Executor blockingWork;
    private final TransactionCoordinator transactions;

    /**
     * @param blockingWork where allocating a new block of ids (a metadata write) may run
     * @param transactions the transaction coordinator, or null to answer transactional ids with NOT_COORDINATOR
     */
    public InitProducerIdHandler(ProducerIds producerIds, Executor blockingWork, TransactionCoordinator transactions) {
        this.producerIds = producerIds;
        this.blockingWork = blockingWork;
        this.transactions = transactions;
    }

    public InitProducerIdHandler(ProducerIds producerIds, Executor blockingWork) {
        this(producerIds, blockingWork, null);
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.INIT_PRODUCER_ID;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, InitProducerIdRequest request) {
        if (request.transactionalId() != null) {
            if (transactions == null) {
                return CompletableFuture.completedFuture(new InitProducerIdResponse()
                        .setErrorCode(Errors.NOT_COORDINATOR.code()).setProducerId(-1).setProducerEpoch((short) -1));
            }
            short version = context.apiVersion();
            return transactions.initProducerId(request.transactionalId(), request.transactionTimeoutMs(),
                    request.producerId(), request.producerEpoch()).thenApply(r -> new InitProducerIdResponse()
                    .setErrorCode(TxnErrors.code(r.error(), version, (short) 4))
                    .setProducerId(r.producerId()).setProducerEpoch(r.producerEpoch()));
        }
        return CompletableFuture.supplyAsync(() -> new InitProducerIdResponse()
                .setErrorCode(Errors.NONE.code())
                .setProducerId(producerIds.next())
                .setProducerEpoch((short) 0), blockingWork);
    }
}
