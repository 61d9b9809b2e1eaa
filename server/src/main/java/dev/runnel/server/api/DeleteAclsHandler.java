package dev.runnel.server.api;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DeleteAclsRequest;
import dev.runnel.wire.message.DeleteAclsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * DeleteAcls v1-3. As a Kafka broker without an authorizer does, every filter fails with SECURITY_DISABLED and
 * matches no ACL, one result per filter in request order. Runs on the event loop; holds no buffers.
 */
public final class DeleteAclsHandler implements ApiHandler<DeleteAclsRequest> {

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DELETE_ACLS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DeleteAclsRequest request) {
        List<DeleteAclsResponse.DeleteAclsFilterResult> results = new ArrayList<>(request.filters().size());
        for (int i = 0; i < request.filters().size(); i++) {
            results.add(new DeleteAclsResponse.DeleteAclsFilterResult()
                    .setErrorCode(Errors.SECURITY_DISABLED.code())
                    .setErrorMessage(CreateAclsHandler.NO_AUTHORIZER));
        }
        return CompletableFuture.completedFuture(new DeleteAclsResponse().setFilterResults(results));
    }
}
