package dev.runnel.server.api;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.ApiVersionsRequest;
import dev.runnel.wire.message.ApiVersionsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * ApiVersions: the ranges of every registered handler. A request at a version we do not know is answered
 * by {@link #unsupportedVersionResponse()} at v0 (KIP-511), so the client can retry with a version we have.
 */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {
    /** KIP-511: client software name and version must look like this from v3 on. */
    private static final Pattern SOFTWARE = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");

    private final HandlerRegistry registry;

    public ApiVersionsHandler(HandlerRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.API_VERSIONS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiVersionsRequest request) {
        if (context.apiVersion() >= 3 && (!SOFTWARE.matcher(request.clientSoftwareName()).matches()
                || !SOFTWARE.matcher(request.clientSoftwareVersion()).matches())) {
            return CompletableFuture.completedFuture(new ApiVersionsResponse()
                    .setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        return CompletableFuture.completedFuture(new ApiVersionsResponse()
                .setErrorCode(Errors.NONE.code())
                .setApiKeys(apiKeys(registry.advertisedVersions())));
    }

    /** The v0 answer to an ApiVersions request at an unknown version: the error and our own range. */
    public ApiVersionsResponse unsupportedVersionResponse() {
        List<short[]> own = new ArrayList<>();
        own.add(new short[] {api().apiKey, lowestVersion(), highestVersion()});
        return new ApiVersionsResponse()
                .setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                .setApiKeys(apiKeys(own));
    }

    private static List<ApiVersionsResponse.ApiVersion> apiKeys(List<short[]> ranges) {
        List<ApiVersionsResponse.ApiVersion> keys = new ArrayList<>(ranges.size());
        for (short[] r : ranges) {
            keys.add(new ApiVersionsResponse.ApiVersion().setApiKey(r[0]).setMinVersion(r[1]).setMaxVersion(r[2]));
        }
        return keys;
    }
}
