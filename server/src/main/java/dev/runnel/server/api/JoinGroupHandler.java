package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.group.Requester;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.JoinGroupRequest;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.protocol.ApiMessage;

import java.util.concurrent.CompletableFuture;

/**
 * JoinGroup v0–9. The response may wait (parked in the coordinator) until the join phase of the rebalance ends.
 * v0 has no rebalance timeout, so the session timeout stands in, as in Kafka.
 */
public final class JoinGroupHandler implements ApiHandler<JoinGroupRequest> {
    private final GroupCoordinator groups;

    public JoinGroupHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.JOIN_GROUP;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, JoinGroupRequest request) {
        short version = context.apiVersion();
        if (version == 0) {
            request.setRebalanceTimeoutMs(request.sessionTimeoutMs());
        }
        return groups.joinGroup(Requester.of(context), request).thenApply(r -> normalize(r, version));
    }

    /** Protocol name is a plain string before v7 ("" for none) and nullable from v7 (null for none). */
    private static ApiMessage normalize(JoinGroupResponse response, short version) {
        if (version < 7 && response.protocolName() == null) {
            response.setProtocolName("");
        } else if (version >= 7 && response.protocolName() != null && response.protocolName().isEmpty()) {
            response.setProtocolName(null);
        }
        if (response.leader() == null) {
            response.setLeader("");
        }
        if (response.memberId() == null) {
            response.setMemberId("");
        }
        return response;
    }
}
