package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.group.Requester;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DescribeGroupsRequest;
import dev.runnel.wire.message.DescribeGroupsResponse;
import dev.runnel.wire.protocol.ApiMessage;

import java.util.concurrent.CompletableFuture;

/**
 * DescribeGroups v0–6: state, protocol and members of each group (member metadata only when Stable). An
 * unknown group is reported Dead, from v6 with GROUP_ID_NOT_FOUND. v3+ may ask for the authorized operations.
 */
public final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequest> {
    private final GroupCoordinator groups;

    public DescribeGroupsHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DESCRIBE_GROUPS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeGroupsRequest request) {
        boolean withOperations = context.apiVersion() >= 3 && request.includeAuthorizedOperations();
        return groups.describeGroups(Requester.of(context), request.groups()).thenApply(described -> {
            if (withOperations) {
                described.stream().filter(g -> g.errorCode() == 0)
                        .forEach(g -> g.setAuthorizedOperations(AclOperations.GROUP));
            }
            return new DescribeGroupsResponse().setGroups(new java.util.ArrayList<>(described));
        });
    }
}
