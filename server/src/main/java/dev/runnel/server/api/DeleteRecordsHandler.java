package dev.runnel.server.api;

import dev.runnel.log.PartitionLog;
import dev.runnel.log.TopicPartition;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.partition.Partitions;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DeleteRecordsRequest;
import dev.runnel.wire.message.DeleteRecordsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * DeleteRecords v0–2: moves each partition's log start offset up to the requested offset (-1 = the high
 * watermark), on the partition's lane; offsets above the high watermark are OFFSET_OUT_OF_RANGE.
 */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequest> {
    private final MetadataStore store;
    private final Partitions partitions;

    public DeleteRecordsHandler(MetadataStore store, Partitions partitions) {
        this.store = store;
        this.partitions = partitions;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DELETE_RECORDS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DeleteRecordsRequest request) {
        List<DeleteRecordsResponse.DeleteRecordsTopicResult> topics = new ArrayList<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (DeleteRecordsRequest.DeleteRecordsTopic t : request.topics()) {
            TopicMetadata topic = store.topic(t.name()).orElse(null);
            List<DeleteRecordsResponse.DeleteRecordsPartitionResult> results = new ArrayList<>();
            for (DeleteRecordsRequest.DeleteRecordsPartition p : t.partitions()) {
                DeleteRecordsResponse.DeleteRecordsPartitionResult r = new DeleteRecordsResponse.DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1);
                results.add(r);
                TopicPartition tp = topic == null ? null : new TopicPartition(topic.name(), p.partitionIndex());
                PartitionLog log = tp == null || p.partitionIndex() >= topic.partitionCount() ? null : partitions.log(tp);
                if (log == null) {
                    r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                pending.add(partitions.onLane(tp, () -> {
                    long target = p.offset() == -1 ? log.highWatermark() : p.offset();
                    if (target < 0 || target > log.highWatermark()) {
                        return r.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
                    }
                    return r.setErrorCode(Errors.NONE.code()).setLowWatermark(log.deleteRecordsBefore(target));
                }).exceptionally(e -> r.setErrorCode(AppendErrors.codeFor(e))));
            }
            topics.add(new DeleteRecordsResponse.DeleteRecordsTopicResult().setName(t.name()).setPartitions(results));
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> new DeleteRecordsResponse().setTopics(topics));
    }
}
