package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.group.Requester;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.OffsetFetchRequest;
import dev.runnel.wire.message.OffsetFetchResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;
import dev.runnel.wire.protocol.Types;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetFetch v1–10: one group before v8, a batch of groups from v8 (KIP-709); null topics (v2+) mean every
 * committed offset of the group; v7+ may require stable offsets; v10 names topics by id (unknown ids get
 * UNKNOWN_TOPIC_ID, and offsets of topics without an id are left out). Partitions without an offset answer -1.
 */
public final class OffsetFetchHandler implements ApiHandler<OffsetFetchRequest> {
    private final GroupCoordinator groups;
    private final MetadataStore metadata;

    public OffsetFetchHandler(GroupCoordinator groups, MetadataStore metadata) {
        this.groups = groups;
        this.metadata = metadata;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.OFFSET_FETCH;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, OffsetFetchRequest request) {
        short version = context.apiVersion();
        boolean requireStable = version >= 7 && request.requireStable();
        List<OffsetFetchRequest.OffsetFetchRequestGroup> requested = version >= 8 ? request.groups() : List.of(single(request));
        List<CompletableFuture<OffsetFetchResponse.OffsetFetchResponseGroup>> results = new ArrayList<>();
        Requester requester = Requester.of(context);
        for (OffsetFetchRequest.OffsetFetchRequestGroup group : requested) {
            results.add(fetch(requester, group, requireStable, version >= 10));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(v -> {
            OffsetFetchResponse response = new OffsetFetchResponse();
            if (version >= 8) {
                results.forEach(f -> response.groups().add(f.join()));
                return response;
            }
            OffsetFetchResponse.OffsetFetchResponseGroup group = results.get(0).join();
            response.setErrorCode(group.errorCode());
            for (OffsetFetchResponse.OffsetFetchResponseTopics t : group.topics()) {
                List<OffsetFetchResponse.OffsetFetchResponsePartition> partitions = new ArrayList<>();
                for (OffsetFetchResponse.OffsetFetchResponsePartitions p : t.partitions()) {
                    partitions.add(new OffsetFetchResponse.OffsetFetchResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setCommittedOffset(p.committedOffset()).setCommittedLeaderEpoch(p.committedLeaderEpoch())
                            .setMetadata(p.metadata()).setErrorCode(p.errorCode()));
                }
                response.topics().add(new OffsetFetchResponse.OffsetFetchResponseTopic().setName(t.name()).setPartitions(partitions));
            }
            return response;
        });
    }

    /** The v1–v7 request shape as one group of the v8+ shape. */
    private static OffsetFetchRequest.OffsetFetchRequestGroup single(OffsetFetchRequest request) {
        OffsetFetchRequest.OffsetFetchRequestGroup group = new OffsetFetchRequest.OffsetFetchRequestGroup()
                .setGroupId(request.groupId());
        if (request.topics() == null) {
            return group.setTopics(null);
        }
        for (OffsetFetchRequest.OffsetFetchRequestTopic t : request.topics()) {
            group.topics().add(new OffsetFetchRequest.OffsetFetchRequestTopics().setName(t.name())
                    .setTopicId(Types.ZERO_UUID).setPartitionIndexes(t.partitionIndexes()));
        }
        return group;
    }

    private CompletableFuture<OffsetFetchResponse.OffsetFetchResponseGroup> fetch(
            Requester requester, OffsetFetchRequest.OffsetFetchRequestGroup group, boolean requireStable, boolean useTopicIds) {
        if (group.topics() == null) {
            return groups.fetchOffsets(requester, group, requireStable).thenApply(r -> {
                if (useTopicIds && r.errorCode() == 0) {
                    List<OffsetFetchResponse.OffsetFetchResponseTopics> withIds = new ArrayList<>();
                    for (OffsetFetchResponse.OffsetFetchResponseTopics t : r.topics()) {
                        Optional<TopicMetadata> known = metadata.topic(t.name());
                        known.ifPresent(m -> withIds.add(t.setTopicId(m.topicId())));
                    }
                    r.setTopics(withIds);
                }
                return r;
            });
        }
        List<OffsetFetchResponse.OffsetFetchResponseTopics> unknown = new ArrayList<>();
        OffsetFetchRequest.OffsetFetchRequestGroup resolved = new OffsetFetchRequest.OffsetFetchRequestGroup()
                .setGroupId(group.groupId()).setMemberId(group.memberId()).setMemberEpoch(group.memberEpoch());
        for (OffsetFetchRequest.OffsetFetchRequestTopics t : group.topics()) {
            if (useTopicIds) {
                Optional<TopicMetadata> known = metadata.topic(t.topicId());
                if (known.isEmpty()) {
                    unknown.add(unknownTopic(t));
                    continue;
                }
                t.setName(known.get().name());
            }
            resolved.topics().add(t);
        }
        return groups.fetchOffsets(requester, resolved, requireStable).thenApply(r -> {
            if (r.errorCode() == 0) {
                r.topics().addAll(unknown);
            }
            return r;
        });
    }

    private static OffsetFetchResponse.OffsetFetchResponseTopics unknownTopic(OffsetFetchRequest.OffsetFetchRequestTopics t) {
        OffsetFetchResponse.OffsetFetchResponseTopics topic = new OffsetFetchResponse.OffsetFetchResponseTopics()
                .setName(t.name()).setTopicId(t.topicId());
        for (int p : t.partitionIndexes()) {
            topic.partitions().add(new OffsetFetchResponse.OffsetFetchResponsePartitions().setPartitionIndex(p)
                    .setCommittedOffset(-1L).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        return topic;
    }
}
