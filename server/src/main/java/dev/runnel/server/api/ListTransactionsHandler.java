package dev.runnel.server.api;

import dev.runnel.server.txn.TransactionCoordinator;
import dev.runnel.server.txn.TransactionMetadata;
import dev.runnel.server.txn.TransactionState;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.ListTransactionsRequest;
import dev.runnel.wire.message.ListTransactionsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * ListTransactions v0–2 ({@code kafka-transactions.sh list}): the transactions this broker coordinates, filtered
 * as Kafka filters them: by state name (unknown names are reported back), producer id, duration (v1: running for
 * longer than the filter) and transactional id regex (v2, KIP-1152). Dead transactions are never listed.
 */
public final class ListTransactionsHandler implements ApiHandler<ListTransactionsRequest> {
    private final TransactionCoordinator coordinator;
    private final LongSupplier clock;

    public ListTransactionsHandler(TransactionCoordinator coordinator, LongSupplier clock) {
        this.coordinator = coordinator;
        this.clock = clock;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.LIST_TRANSACTIONS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ListTransactionsRequest request) {
        Set<TransactionState> states = new HashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String name : request.stateFilters()) {
            TransactionState s = TransactionState.fromName(name);
            if (s == null) {
                unknown.add(name);
            } else {
                states.add(s);
            }
        }
        Pattern pattern;
        try {
            String regex = request.transactionalIdPattern();
            pattern = regex == null || regex.isEmpty() ? null : Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return CompletableFuture.completedFuture(new ListTransactionsResponse().setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        Set<Long> producerIds = new HashSet<>(request.producerIdFilters());
        long duration = request.durationFilter();
        long now = clock.getAsLong();
        return coordinator.list(m -> m.state() != TransactionState.DEAD
                        && (states.isEmpty() && unknown.isEmpty() || states.contains(m.state()))
                        && (producerIds.isEmpty() || producerIds.contains(m.producerId()))
                        && (duration < 0 || now - m.startTimestampMs() > duration)
                        && (pattern == null || pattern.matcher(m.transactionalId()).matches()))
                .thenApply(found -> {
                    List<ListTransactionsResponse.TransactionState> listed = new ArrayList<>();
                    for (TransactionMetadata m : found) {
                        listed.add(new ListTransactionsResponse.TransactionState().setTransactionalId(m.transactionalId())
                                .setProducerId(m.producerId()).setTransactionState(m.state().stateName()));
                    }
                    return new ListTransactionsResponse().setErrorCode(Errors.NONE.code()).setUnknownStateFilters(unknown)
                            .setTransactionStates(listed);
                });
    }
}
