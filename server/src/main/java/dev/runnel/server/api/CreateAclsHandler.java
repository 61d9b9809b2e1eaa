package dev.runnel.server.api;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.CreateAclsRequest;
import dev.runnel.wire.message.CreateAclsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * CreateAcls v1-3. As a Kafka broker without an authorizer does, every requested creation fails with
 * SECURITY_DISABLED, one result per creation in request order. Runs on the event loop; holds no buffers.
 */
public final class CreateAclsHandler implements ApiHandler<CreateAclsRequest> {
    /** Kafka's wording for CreateAcls and DeleteAcls without an authorizer. */
    static final String NO_AUTHORIZER = "No Authorizer is configured.";

    @Override
    public ApiMessageType api() {
        return ApiMessageType.CREATE_ACLS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, CreateAclsRequest request) {
        List<CreateAclsResponse.AclCreationResult> results = new ArrayList<>(request.creations().size());
        for (int i = 0; i < request.creations().size(); i++) {
            results.add(new CreateAclsResponse.AclCreationResult()
                    .setErrorCode(Errors.SECURITY_DISABLED.code())
                    .setErrorMessage(NO_AUTHORIZER));
        }
        return CompletableFuture.completedFuture(new CreateAclsResponse().setResults(results));
    }
}
