package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.group.Requester;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.SyncGroupRequest;
import dev.runnel.wire.message.SyncGroupResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.concurrent.CompletableFuture;

/**
 * SyncGroup v0–5. Followers wait in the coordinator until the leader's assignment is committed. From v5 the
 * protocol type and name are mandatory (INCONSISTENT_GROUP_PROTOCOL when missing).
 */
public final class SyncGroupHandler implements ApiHandler<SyncGroupRequest> {
    private final GroupCoordinator groups;

    public SyncGroupHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.SYNC_GROUP;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, SyncGroupRequest request) {
        if (context.apiVersion() >= 5 && (request.protocolType() == null || request.protocolName() == null)) {
            return CompletableFuture.completedFuture(new SyncGroupResponse()
                    .setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code()).setAssignment(new byte[0]));
        }
        return groups.syncGroup(Requester.of(context), request).thenApply(r -> r);
    }
}
