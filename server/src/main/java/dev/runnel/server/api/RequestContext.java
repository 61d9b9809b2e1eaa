package dev.runnel.server.api;

import dev.runnel.wire.message.ApiMessageType;

import java.net.SocketAddress;

/** What a handler knows about the request it serves, besides the request body. */
public record RequestContext(ApiMessageType api, short apiVersion, int correlationId, String clientId,
                             SocketAddress clientAddress) {
}
