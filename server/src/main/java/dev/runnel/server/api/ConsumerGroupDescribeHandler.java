package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.ConsumerGroupDescribeRequest;
import dev.runnel.wire.message.ConsumerGroupDescribeResponse;
import dev.runnel.wire.protocol.ApiMessage;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * ConsumerGroupDescribe v0–1 (KIP-848): epochs, assignor, and each member's subscription, assignment and target
 * assignment. Groups that are not consumer groups get GROUP_ID_NOT_FOUND. Authorized operations are not computed
 * (no ACLs here), so they stay at Kafka's "not requested" value.
 */
public final class ConsumerGroupDescribeHandler implements ApiHandler<ConsumerGroupDescribeRequest> {
    private final GroupCoordinator groups;

    public ConsumerGroupDescribeHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.CONSUMER_GROUP_DESCRIBE;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ConsumerGroupDescribeRequest request) {
        return groups.consumerGroupDescribe(request.groupIds())
                .thenApply(described -> new ConsumerGroupDescribeResponse().setGroups(new ArrayList<>(described)));
    }
}
