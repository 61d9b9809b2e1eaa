package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.group.Requester;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.HeartbeatRequest;
import dev.runnel.wire.protocol.ApiMessage;

import java.util.concurrent.CompletableFuture;

/** Heartbeat v0–4: keeps a member's session alive and tells it when to rejoin (REBALANCE_IN_PROGRESS). */
public final class HeartbeatHandler implements ApiHandler<HeartbeatRequest> {
    private final GroupCoordinator groups;

    public HeartbeatHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.HEARTBEAT;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, HeartbeatRequest request) {
        return groups.heartbeat(Requester.of(context), request).thenApply(r -> r);
    }
}
