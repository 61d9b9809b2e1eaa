package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.group.Requester;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.OffsetCommitRequest;
import dev.runnel.wire.message.OffsetCommitResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;
import dev.runnel.wire.protocol.Types;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetCommit v2–10. As in Kafka's broker, topics are checked first: v10 names topics by id (UNKNOWN_TOPIC_ID
 * when unknown), older versions by name (UNKNOWN_TOPIC_OR_PARTITION when the topic or partition does not exist);
 * only the rest goes to the group coordinator, and both parts are merged into one response.
 */
public final class OffsetCommitHandler implements ApiHandler<OffsetCommitRequest> {
    private final GroupCoordinator groups;
    private final MetadataStore metadata;

    public OffsetCommitHandler(GroupCoordinator groups, MetadataStore metadata) {
        this.groups = groups;
        this.metadata = metadata;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.OFFSET_COMMIT;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, OffsetCommitRequest request) {
        boolean useTopicIds = context.apiVersion() >= 10;
        Map<String, OffsetCommitResponse.OffsetCommitResponseTopic> rejected = new LinkedHashMap<>();
        List<OffsetCommitRequest.OffsetCommitRequestTopic> accepted = new ArrayList<>();
        for (OffsetCommitRequest.OffsetCommitRequestTopic topic : request.topics()) {
            Optional<TopicMetadata> known = useTopicIds ? metadata.topic(topic.topicId()) : metadata.topic(topic.name());
            String name = useTopicIds ? known.map(TopicMetadata::name).orElse("") : topic.name();
            UUID id = useTopicIds ? topic.topicId() : known.map(TopicMetadata::topicId).orElse(Types.ZERO_UUID);
            OffsetCommitRequest.OffsetCommitRequestTopic valid = new OffsetCommitRequest.OffsetCommitRequestTopic()
                    .setName(name).setTopicId(id);
            for (OffsetCommitRequest.OffsetCommitRequestPartition p : topic.partitions()) {
                if (known.isEmpty()) {
                    reject(rejected, name, id, p.partitionIndex(), useTopicIds ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else if (p.partitionIndex() < 0 || p.partitionIndex() >= known.get().partitionCount()) {
                    reject(rejected, name, id, p.partitionIndex(), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    valid.partitions().add(p);
                }
            }
            if (!valid.partitions().isEmpty()) {
                accepted.add(valid);
            }
        }
        if (accepted.isEmpty()) {
            return CompletableFuture.completedFuture(new OffsetCommitResponse().setTopics(new ArrayList<>(rejected.values())));
        }
        OffsetCommitRequest forCoordinator = new OffsetCommitRequest().setGroupId(request.groupId())
                .setGenerationIdOrMemberEpoch(request.generationIdOrMemberEpoch()).setMemberId(request.memberId())
                .setGroupInstanceId(request.groupInstanceId()).setRetentionTimeMs(request.retentionTimeMs())
                .setTopics(accepted);
        return groups.commitOffsets(Requester.of(context), forCoordinator).thenApply(response -> {
            for (OffsetCommitResponse.OffsetCommitResponseTopic t : rejected.values()) {
                mergeInto(response, t);
            }
            return response;
        });
    }

    private static void reject(Map<String, OffsetCommitResponse.OffsetCommitResponseTopic> rejected, String name, UUID id,
                               int partition, Errors error) {
        rejected.computeIfAbsent(name + "/" + id, k -> new OffsetCommitResponse.OffsetCommitResponseTopic()
                        .setName(name).setTopicId(id))
                .partitions().add(new OffsetCommitResponse.OffsetCommitResponsePartition()
                        .setPartitionIndex(partition).setErrorCode(error.code()));
    }

    private static void mergeInto(OffsetCommitResponse response, OffsetCommitResponse.OffsetCommitResponseTopic extra) {
        for (OffsetCommitResponse.OffsetCommitResponseTopic t : response.topics()) {
            if (t.name().equals(extra.name()) && t.topicId().equals(extra.topicId())) {
                t.partitions().addAll(extra.partitions());
                return;
            }
        }
        response.topics().add(extra);
    }
}
