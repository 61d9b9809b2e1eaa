package dev.runnel.server.group;

import dev.runnel.wire.message.OffsetCommitRequest;
import dev.runnel.wire.message.OffsetCommitResponse;
import dev.runnel.wire.message.OffsetFetchRequest;
import dev.runnel.wire.message.OffsetFetchResponse;
import dev.runnel.wire.message.TxnOffsetCommitRequest;
import dev.runnel.wire.message.TxnOffsetCommitResponse;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;

/** Error responses for the offset APIs, shaped as Kafka shapes them for each version. */
public final class OffsetResponses {
    private OffsetResponses() {
    }

    /** Every partition of the request with {@code error}. */
    public static OffsetCommitResponse commitError(OffsetCommitRequest request, Errors error) {
        OffsetCommitResponse response = new OffsetCommitResponse();
        for (OffsetCommitRequest.OffsetCommitRequestTopic t : request.topics()) {
            List<OffsetCommitResponse.OffsetCommitResponsePartition> partitions = new ArrayList<>();
            for (OffsetCommitRequest.OffsetCommitRequestPartition p : t.partitions()) {
                partitions.add(new OffsetCommitResponse.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(new OffsetCommitResponse.OffsetCommitResponseTopic().setName(t.name())
                    .setTopicId(t.topicId()).setPartitions(partitions));
        }
        return response;
    }

    /** Every partition of a TxnOffsetCommit request with {@code error}. */
    public static TxnOffsetCommitResponse txnCommitError(TxnOffsetCommitRequest request, Errors error) {
        TxnOffsetCommitResponse response = new TxnOffsetCommitResponse();
        for (TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic t : request.topics()) {
            List<TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition> partitions = new ArrayList<>();
            for (TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition p : t.partitions()) {
                partitions.add(new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic().setName(t.name())
                    .setPartitions(partitions));
        }
        return response;
    }

    /**
     * A group-level fetch error: v2+ carries it as the group's (or top-level) error code; v1 has no such field,
     * so every requested partition carries it.
     */
    public static OffsetFetchResponse.OffsetFetchResponseGroup fetchError(OffsetFetchRequest.OffsetFetchRequestGroup request,
                                                                        Errors error, short version) {
        OffsetFetchResponse.OffsetFetchResponseGroup group = new OffsetFetchResponse.OffsetFetchResponseGroup()
                .setGroupId(request.groupId());
        if (version >= 2) {
            return group.setErrorCode(error.code());
        }
        List<OffsetFetchResponse.OffsetFetchResponseTopics> topics = new ArrayList<>();
        if (request.topics() != null) {
            for (OffsetFetchRequest.OffsetFetchRequestTopics t : request.topics()) {
                List<OffsetFetchResponse.OffsetFetchResponsePartitions> partitions = new ArrayList<>();
                for (int p : t.partitionIndexes()) {
                    partitions.add(new OffsetFetchResponse.OffsetFetchResponsePartitions().setPartitionIndex(p)
                            .setErrorCode(error.code()).setCommittedOffset(-1L).setMetadata("").setCommittedLeaderEpoch(-1));
                }
                topics.add(new OffsetFetchResponse.OffsetFetchResponseTopics().setName(t.name()).setPartitions(partitions));
            }
        }
        return group.setTopics(topics);
    }
}
