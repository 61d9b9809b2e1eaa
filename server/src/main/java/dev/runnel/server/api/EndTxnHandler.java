package dev.runnel.server.api;

import dev.runnel.server.txn.TransactionCoordinator;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.EndTxnRequest;
import dev.runnel.wire.message.EndTxnResponse;
import dev.runnel.wire.protocol.ApiMessage;

import java.util.concurrent.CompletableFuture;

/**
 * EndTxn v0–4: commits or aborts the producer's transaction. v5 (KIP-890 part 2, an epoch bump per
 * transaction) belongs to transaction version 2, which this broker does not finalize, so it is not advertised.
 */
public final class EndTxnHandler implements ApiHandler<EndTxnRequest> {
    private final TransactionCoordinator coordinator;

    public EndTxnHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.END_TXN;
    }

    @Override
    public short highestVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, EndTxnRequest request) {
        short version = context.apiVersion();
        return coordinator.endTxn(request.transactionalId(), request.producerId(), request.producerEpoch(), request.committed())
                .thenApply(error -> new EndTxnResponse().setErrorCode(TxnErrors.code(error, version, (short) 2)));
    }
}
