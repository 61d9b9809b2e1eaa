package dev.runnel.server.api;

import dev.runnel.log.PartitionLog;
import dev.runnel.log.TopicPartition;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.partition.Partitions;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.OffsetForLeaderEpochRequest;
import dev.runnel.wire.message.OffsetForLeaderEpochResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetForLeaderEpoch v2–4: for each partition, the largest epoch at or below the requested one and the offset
 * where it ended. Consumers use it to detect log truncation after a leader change; followers to truncate.
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetForLeaderEpochRequest> {
    private final MetadataStore store;
    private final Partitions partitions;

    public OffsetForLeaderEpochHandler(MetadataStore store, Partitions partitions) {
        this.store = store;
        this.partitions = partitions;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, OffsetForLeaderEpochRequest request) {
        List<OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult> topics = new ArrayList<>();
        for (OffsetForLeaderEpochRequest.OffsetForLeaderTopic t : request.topics()) {
            TopicMetadata topic = store.topic(t.topic()).orElse(null);
            List<OffsetForLeaderEpochResponse.EpochEndOffset> results = new ArrayList<>();
            for (OffsetForLeaderEpochRequest.OffsetForLeaderPartition p : t.partitions()) {
                OffsetForLeaderEpochResponse.EpochEndOffset r = new OffsetForLeaderEpochResponse.EpochEndOffset()
                        .setPartition(p.partition()).setLeaderEpoch(-1).setEndOffset(-1);
                PartitionLog log = topic == null || p.partition() >= topic.partitionCount() ? null
                        : partitions.log(new TopicPartition(topic.name(), p.partition()));
                if (log == null) {
                    results.add(r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
                    continue;
                }
                int leaderEpoch = topic.partitions().get(p.partition()).leaderEpoch();
                if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() != leaderEpoch) {
                    results.add(r.setErrorCode((p.currentLeaderEpoch() > leaderEpoch ? Errors.UNKNOWN_LEADER_EPOCH
                            : Errors.FENCED_LEADER_EPOCH).code()));
                    continue;
                }
                long[] epochEnd = log.leaderEpochCache().endOffsetFor(p.leaderEpoch(), log.logEndOffset());
                results.add(r.setErrorCode(Errors.NONE.code()).setLeaderEpoch((int) epochEnd[0]).setEndOffset(epochEnd[1]));
            }
            topics.add(new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult().setTopic(t.topic()).setPartitions(results));
        }
        return CompletableFuture.completedFuture(new OffsetForLeaderEpochResponse().setTopics(topics));
    }
}
