package dev.runnel.server.api;

import dev.runnel.log.PartitionLog;
import dev.runnel.log.TimestampAndOffset;
import dev.runnel.log.TopicPartition;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.partition.Partitions;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.ListOffsetsRequest;
import dev.runnel.wire.message.ListOffsetsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * ListOffsets v1–11: earliest (-2), latest (-1: the high watermark, or the last stable offset under
 * read_committed), max timestamp (-3), earliest local (-4; the same as earliest without tiered storage), and
 * by timestamp: the earliest offset whose timestamp is at or after the target, or -1/-1.
 */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequest> {
    private static final long LATEST = -1;
    private static final long EARLIEST_PENDING_UPLOAD = -5;
    private static final long LATEST_TIERED = -6;

    private final MetadataStore store;
    private final Partitions partitions;

    public ListOffsetsHandler(MetadataStore store, Partitions partitions) {
        this.store = store;
        this.partitions = partitions;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.LIST_OFFSETS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ListOffsetsRequest request) {
        boolean readCommitted = request.isolationLevel() == 1;
        List<ListOffsetsResponse.ListOffsetsTopicResponse> topics = new ArrayList<>();
        for (ListOffsetsRequest.ListOffsetsTopic t : request.topics()) {
            TopicMetadata topic = store.topic(t.name()).orElse(null);
            List<ListOffsetsResponse.ListOffsetsPartitionResponse> results = new ArrayList<>();
            for (ListOffsetsRequest.ListOffsetsPartition p : t.partitions()) {
                results.add(lookup(topic, p, readCommitted));
            }
            topics.add(new ListOffsetsResponse.ListOffsetsTopicResponse().setName(t.name()).setPartitions(results));
        }
        return CompletableFuture.completedFuture(new ListOffsetsResponse().setTopics(topics));
    }

    private ListOffsetsResponse.ListOffsetsPartitionResponse lookup(TopicMetadata topic, ListOffsetsRequest.ListOffsetsPartition p,
                                                                    boolean readCommitted) {
        ListOffsetsResponse.ListOffsetsPartitionResponse r = new ListOffsetsResponse.ListOffsetsPartitionResponse()
                .setPartitionIndex(p.partitionIndex()).setTimestamp(-1).setOffset(-1).setLeaderEpoch(-1);
        PartitionLog log = topic == null || p.partitionIndex() >= topic.partitionCount() ? null
                : partitions.log(new TopicPartition(topic.name(), p.partitionIndex()));
        if (log == null) {
            return r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        int leaderEpoch = topic.partitions().get(p.partitionIndex()).leaderEpoch();
        if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() != leaderEpoch) {
            return r.setErrorCode((p.currentLeaderEpoch() > leaderEpoch ? Errors.UNKNOWN_LEADER_EPOCH
                    : Errors.FENCED_LEADER_EPOCH).code());
        }
        if (log.isOffline()) {
            return r.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        long visible = readCommitted ? log.lastStableOffset() : log.highWatermark();
        long timestamp = p.timestamp();
        if (timestamp == EARLIEST_PENDING_UPLOAD || timestamp == LATEST_TIERED) {
            // no tiered storage: nothing is pending upload or tiered
            return r.setErrorCode(Errors.NONE.code());
        }
        TimestampAndOffset found = timestamp == LATEST
                ? new TimestampAndOffset(-1, visible)
                : log.offsetForTimestamp(timestamp, visible);
        r.setErrorCode(Errors.NONE.code()).setTimestamp(found.timestamp()).setOffset(found.offset());
        if (found.offset() >= 0) {
            r.setLeaderEpoch(epochAt(log, found.offset()));
        }
        return r;
    }

    /** The leader epoch of the batch holding {@code offset}: the latest epoch that started at or before it. */
    static int epochAt(PartitionLog log, long offset) {
        int epoch = -1;
        for (var entry : log.leaderEpochCache().entries()) {
            if (entry.startOffset() <= offset) {
                epoch = entry.epoch();
            }
        }
        return epoch;
    }
}
