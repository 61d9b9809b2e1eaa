package dev.runnel.server.api;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DescribeAclsRequest;
import dev.runnel.wire.message.DescribeAclsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.concurrent.CompletableFuture;

/**
 * DescribeAcls v1-3. Runnel has no authorizer, and a Kafka broker without {@code authorizer.class.name} answers
 * every DescribeAcls with SECURITY_DISABLED and no resources; clients (Admin.describeAcls, MirrorMaker 2's ACL
 * sync) expect exactly that and turn it into SecurityDisabledException. Runs on the event loop; holds no buffers.
 */
public final class DescribeAclsHandler implements ApiHandler<DescribeAclsRequest> {
    /** Kafka's wording for DescribeAcls (Create/Delete use {@link CreateAclsHandler#NO_AUTHORIZER}). */
    static final String NO_AUTHORIZER = "No Authorizer is configured on the broker";

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DESCRIBE_ACLS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeAclsRequest request) {
        return CompletableFuture.completedFuture(new DescribeAclsResponse()
                .setErrorCode(Errors.SECURITY_DISABLED.code())
                .setErrorMessage(NO_AUTHORIZER));
    }
}
