package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.group.Requester;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.ConsumerGroupHeartbeatRequest;
import dev.runnel.wire.protocol.ApiMessage;

import java.util.concurrent.CompletableFuture;

/**
 * ConsumerGroupHeartbeat v0–1 (KIP-848): joins, heartbeats and leaves of consumer group members; the response
 * carries the member epoch and, when it changed, the member's assignment. v1 has client-generated member ids
 * and regex subscriptions.
 */
public final class ConsumerGroupHeartbeatHandler implements ApiHandler<ConsumerGroupHeartbeatRequest> {
    private final GroupCoordinator groups;

    public ConsumerGroupHeartbeatHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.CONSUMER_GROUP_HEARTBEAT;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ConsumerGroupHeartbeatRequest request) {
        return groups.consumerGroupHeartbeat(Requester.of(context), request).thenApply(r -> r);
    }
}
