package dev.runnel.server.api;

import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.TxnOffsetCommitRequest;
import dev.runnel.wire.message.TxnOffsetCommitResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * TxnOffsetCommit v0–4: offsets a transactional producer commits for a group (sendOffsetsToTransaction), pending in
 * the group coordinator until the transaction ends. v5 belongs to transaction version 2 (the commit also adds the
 * group's partition to the transaction, KIP-890), which this broker does not finalize. Partitions of unknown topics
 * get UNKNOWN_TOPIC_OR_PARTITION and the others are committed, as Kafka's broker does.
 */
public final class TxnOffsetCommitHandler implements ApiHandler<TxnOffsetCommitRequest> {
    private final GroupCoordinator groups;
    private final MetadataStore store;

    public TxnOffsetCommitHandler(GroupCoordinator groups, MetadataStore store) {
        this.groups = groups;
        this.store = store;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.TXN_OFFSET_COMMIT;
    }

    @Override
    public short highestVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, TxnOffsetCommitRequest request) {
        List<TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic> known = new ArrayList<>();
        List<TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic> unknown = new ArrayList<>();
        for (TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic topic : request.topics()) {
            TopicMetadata metadata = store.topic(topic.name()).orElse(null);
            List<TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition> ok = new ArrayList<>();
            List<TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition> bad = new ArrayList<>();
            for (TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition p : topic.partitions()) {
                if (metadata == null || p.partitionIndex() < 0 || p.partitionIndex() >= metadata.partitionCount()) {
                    bad.add(new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
                } else {
                    ok.add(p);
                }
            }
            if (!ok.isEmpty()) {
                known.add(new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic().setName(topic.name()).setPartitions(ok));
            }
            if (!bad.isEmpty()) {
                unknown.add(new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic().setName(topic.name()).setPartitions(bad));
            }
        }
        short version = context.apiVersion();
        CompletableFuture<TxnOffsetCommitResponse> committed = known.isEmpty()
                ? CompletableFuture.completedFuture(new TxnOffsetCommitResponse())
                : groups.commitTransactionalOffsets(copyWithTopics(request, known));
        return committed.thenApply(response -> {
            response.topics().addAll(unknown);
            for (TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic t : response.topics()) {
                for (TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition p : t.partitions()) {
                    p.setErrorCode(TxnErrors.code(Errors.forCode(p.errorCode()), version, (short) 2));
                }
            }
            return response;
        });
    }

    private static TxnOffsetCommitRequest copyWithTopics(TxnOffsetCommitRequest request,
                                                         List<TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic> topics) {
        return new TxnOffsetCommitRequest().setTransactionalId(request.transactionalId()).setGroupId(request.groupId())
                .setProducerId(request.producerId()).setProducerEpoch(request.producerEpoch())
                .setGenerationId(request.generationId()).setMemberId(request.memberId())
                .setGroupInstanceId(request.groupInstanceId()).setTopics(topics);
    }
}
