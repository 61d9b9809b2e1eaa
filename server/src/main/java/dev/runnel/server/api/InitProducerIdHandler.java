package dev.runnel.server.api;

import dev.runnel.server.producer.ProducerIds;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.InitProducerIdRequest;
import dev.runnel.wire.message.InitProducerIdResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * InitProducerId v0–5 for idempotent producers: a fresh producer id at epoch 0, as Kafka gives a producer
 * without a transactional id (also when it asks to bump its epoch after an error, KIP-360: Kafka answers that
 * with a new id too). Transactional ids need the transaction coordinator, which does not exist yet: they get
 * NOT_COORDINATOR, and FindCoordinator offers no transaction coordinator, so a transactional producer fails
 * with a timeout instead of believing it has a transaction.
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {
    private final ProducerIds producerIds;
    private final Executor blockingWork;

    /** @param blockingWork where allocating a new block of ids (a metadata write) may run */
    public InitProducerIdHandler(ProducerIds producerIds, Executor blockingWork) {
        this.producerIds = producerIds;
        this.blockingWork = blockingWork;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.INIT_PRODUCER_ID;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, InitProducerIdRequest request) {
        if (request.transactionalId() != null) {
            return CompletableFuture.completedFuture(new InitProducerIdResponse()
                    .setErrorCode(Errors.NOT_COORDINATOR.code()).setProducerId(-1).setProducerEpoch((short) -1));
        }
        return CompletableFuture.supplyAsync(() -> new InitProducerIdResponse()
                .setErrorCode(Errors.NONE.code())
                .setProducerId(producerIds.next())
                .setProducerEpoch((short) 0), blockingWork);
    }
}
