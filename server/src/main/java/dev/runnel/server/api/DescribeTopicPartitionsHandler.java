package dev.runnel.server.api;

import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.PartitionState;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DescribeTopicPartitionsRequest;
import dev.runnel.wire.message.DescribeTopicPartitionsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;
import dev.runnel.wire.protocol.Types;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeTopicPartitions v0 (KIP-966): topics sorted by name (all of them when none are named), their
 * partitions from the cursor on, at most {@code responsePartitionLimit} partitions per response, and a cursor
 * where the next page starts. Without eligible leader replicas the ELR fields are empty.
 */
public final class DescribeTopicPartitionsHandler implements ApiHandler<DescribeTopicPartitionsRequest> {
    private final MetadataStore store;
    private final int maxPartitionsPerResponse;

    /** @param maxPartitionsPerResponse {@code max.request.partition.size.limit}, Kafka's cap on the client's limit */
    public DescribeTopicPartitionsHandler(MetadataStore store, int maxPartitionsPerResponse) {
        this.store = store;
        this.maxPartitionsPerResponse = maxPartitionsPerResponse;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DESCRIBE_TOPIC_PARTITIONS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeTopicPartitionsRequest request) {
        TreeSet<String> names = new TreeSet<>();
        if (request.topics().isEmpty()) {
            store.topics().forEach(t -> names.add(t.name()));
        } else {
            request.topics().forEach(t -> names.add(t.name()));
        }
        DescribeTopicPartitionsRequest.Cursor cursor = request.cursor();
        if (cursor != null && (!names.contains(cursor.topicName()) || cursor.partitionIndex() < 0)) {
            // Kafka: the cursor must name a requested topic; every topic gets INVALID_REQUEST
            List<DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic> errors = new ArrayList<>();
            for (String name : names) {
                errors.add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic()
                        .setErrorCode(Errors.INVALID_REQUEST.code()).setName(name).setTopicId(Types.ZERO_UUID)
                        .setPartitions(new ArrayList<>()));
            }
            return CompletableFuture.completedFuture(new DescribeTopicPartitionsResponse().setTopics(errors));
        }
        int remaining = Math.max(1, Math.min(request.responsePartitionLimit(), maxPartitionsPerResponse));
        List<DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic> topics = new ArrayList<>();
        DescribeTopicPartitionsResponse.Cursor next = null;
        for (String name : cursor == null ? names : names.tailSet(cursor.topicName(), true)) {
            TopicMetadata topic = store.topic(name).orElse(null);
            if (topic == null) {
                topics.add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic()
                        .setErrorCode((TopicNames.invalidReason(name) == null ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                                : Errors.INVALID_TOPIC_EXCEPTION).code())
                        .setName(name).setTopicId(Types.ZERO_UUID).setPartitions(new ArrayList<>()));
                continue;
            }
            if (remaining == 0) {
                next = new DescribeTopicPartitionsResponse.Cursor().setTopicName(name).setPartitionIndex(0);
                break;
            }
            int first = cursor != null && name.equals(cursor.topicName()) ? cursor.partitionIndex() : 0;
            List<DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition> partitions = new ArrayList<>();
            int p = first;
            for (; p < topic.partitionCount() && remaining > 0; p++, remaining--) {
                PartitionState state = topic.partitions().get(p);
                partitions.add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition()
                        .setErrorCode(Errors.NONE.code())
                        .setPartitionIndex(p)
                        .setLeaderId(state.leader())
                        .setLeaderEpoch(state.leaderEpoch())
                        .setReplicaNodes(new ArrayList<>(state.replicas()))
                        .setIsrNodes(new ArrayList<>(state.isr()))
                        .setEligibleLeaderReplicas(new ArrayList<>())
                        .setLastKnownElr(new ArrayList<>())
                        .setOfflineReplicas(new ArrayList<>()));
            }
            topics.add(new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic()
                    .setErrorCode(Errors.NONE.code())
                    .setName(name)
                    .setTopicId(topic.topicId())
                    .setIsInternal(TopicNames.isInternal(name))
                    .setPartitions(partitions)
                    .setTopicAuthorizedOperations(AclOperations.TOPIC));
            if (p < topic.partitionCount()) {
                next = new DescribeTopicPartitionsResponse.Cursor().setTopicName(name).setPartitionIndex(p);
                break;
            }
        }
        return CompletableFuture.completedFuture(new DescribeTopicPartitionsResponse().setTopics(topics).setNextCursor(next));
    }
}
