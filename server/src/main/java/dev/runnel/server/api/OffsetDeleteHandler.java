package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.group.Requester;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.OffsetDeleteRequest;
import dev.runnel.wire.message.OffsetDeleteResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetDelete v0 (KIP-496): deletes a group's offsets of topics it is not subscribed to. Unknown topics and
 * partitions get UNKNOWN_TOPIC_OR_PARTITION before the coordinator is asked, as in Kafka's broker.
 */
public final class OffsetDeleteHandler implements ApiHandler<OffsetDeleteRequest> {
    private final GroupCoordinator groups;
    private final MetadataStore metadata;

    public OffsetDeleteHandler(GroupCoordinator groups, MetadataStore metadata) {
        this.groups = groups;
        this.metadata = metadata;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.OFFSET_DELETE;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, OffsetDeleteRequest request) {
        List<OffsetDeleteResponse.OffsetDeleteResponseTopic> rejected = new ArrayList<>();
        OffsetDeleteRequest forCoordinator = new OffsetDeleteRequest().setGroupId(request.groupId());
        for (OffsetDeleteRequest.OffsetDeleteRequestTopic topic : request.topics()) {
            Optional<TopicMetadata> known = metadata.topic(topic.name());
            OffsetDeleteRequest.OffsetDeleteRequestTopic valid = new OffsetDeleteRequest.OffsetDeleteRequestTopic()
                    .setName(topic.name());
            OffsetDeleteResponse.OffsetDeleteResponseTopic bad = new OffsetDeleteResponse.OffsetDeleteResponseTopic()
                    .setName(topic.name());
            for (OffsetDeleteRequest.OffsetDeleteRequestPartition p : topic.partitions()) {
                int index = p.partitionIndex();
                if (known.isPresent() && index >= 0 && index < known.get().partitionCount()) {
                    valid.partitions().add(p);
                } else {
                    bad.partitions().add(new OffsetDeleteResponse.OffsetDeleteResponsePartition().setPartitionIndex(index)
                            .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
                }
            }
            if (!valid.partitions().isEmpty()) {
                forCoordinator.topics().add(valid);
            }
            if (!bad.partitions().isEmpty()) {
                rejected.add(bad);
            }
        }
        return groups.deleteOffsets(Requester.of(context), forCoordinator).thenApply(response -> {
            if (response.errorCode() == 0) {
                response.topics().addAll(rejected);
            }
            return response;
        });
    }
}
