package dev.runnel.server.api;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.protocol.ApiMessage;

import java.util.concurrent.CompletableFuture;

/**
 * Serves one Kafka API. The versions it declares are exactly the versions ApiVersions advertises for that
 * API, so a handler must implement every one of them in full.
 *
 * <p>{@link #handle} runs on a Netty event loop and must not block: work on a partition goes to that
 * partition's lane, waiting goes to the purgatory. The request body borrows the request frame, which
 * stays alive until the returned future completes. The future completes with the response, or with
 * {@code null} when no response is sent (Produce with acks=0).
 */
public interface ApiHandler<Q extends ApiMessage> {
    ApiMessageType api();

    /** Lowest version advertised. Usually the lowest the spec defines. */
    default short lowestVersion() {
        return api().lowestVersion;
    }

    /** Highest version advertised: never a version Kafka marks as unstable. */
    default short highestVersion() {
        return (short) (api().latestVersionUnstable ? api().highestVersion - 1 : api().highestVersion);
    }

    CompletableFuture<ApiMessage> handle(RequestContext context, Q request);
}
