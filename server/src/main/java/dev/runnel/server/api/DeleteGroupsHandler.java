package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DeleteGroupsRequest;
import dev.runnel.wire.message.DeleteGroupsResponse;
import dev.runnel.wire.protocol.ApiMessage;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletableFuture;

/** DeleteGroups v0–2: deletes empty groups and their offsets (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND otherwise). */
public final class DeleteGroupsHandler implements ApiHandler<DeleteGroupsRequest> {
    private final GroupCoordinator groups;

    public DeleteGroupsHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DELETE_GROUPS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DeleteGroupsRequest request) {
        // a group named twice is deleted once and reported once, as Kafka does
        return groups.deleteGroups(new ArrayList<>(new LinkedHashSet<>(request.groupsNames())))
                .thenApply(results -> new DeleteGroupsResponse().setResults(new ArrayList<>(results)));
    }
}
