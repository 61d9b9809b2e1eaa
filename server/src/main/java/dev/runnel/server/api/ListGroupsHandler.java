package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.ListGroupsRequest;
import dev.runnel.wire.protocol.ApiMessage;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** ListGroups v0–5: groups of every coordinator partition loaded here; v4 filters by state, v5 by type. */
public final class ListGroupsHandler implements ApiHandler<ListGroupsRequest> {
    private final GroupCoordinator groups;

    public ListGroupsHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.LIST_GROUPS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ListGroupsRequest request) {
        short version = context.apiVersion();
        Set<String> states = version >= 4 ? lowerCase(request.statesFilter()) : Set.of();
        Set<String> types = version >= 5 ? lowerCase(request.typesFilter()) : Set.of();
        return groups.listGroups(states, types).thenApply(r -> r);
    }

    private static Set<String> lowerCase(List<String> values) {
        Set<String> out = new HashSet<>();
        if (values != null) {
            values.forEach(v -> out.add(v.trim().toLowerCase(Locale.ROOT)));
        }
        return out;
    }
}
