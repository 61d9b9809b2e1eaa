package dev.runnel.server.api;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.ListPartitionReassignmentsRequest;
import dev.runnel.wire.message.ListPartitionReassignmentsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * ListPartitionReassignments v0 (KIP-455). Runnel does not reassign partitions, so no reassignment is ever in
 * progress: the answer lists none. As Kafka 4.x's controller does, requested topics or partitions that do not
 * exist are skipped silently rather than reported.
 */
public final class ListPartitionReassignmentsHandler implements ApiHandler<ListPartitionReassignmentsRequest> {

    @Override
    public ApiMessageType api() {
        return ApiMessageType.LIST_PARTITION_REASSIGNMENTS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ListPartitionReassignmentsRequest request) {
        return CompletableFuture.completedFuture(new ListPartitionReassignmentsResponse()
                .setErrorCode(Errors.NONE.code())
                .setErrorMessage(null)
                .setTopics(new ArrayList<>()));
    }
}
