package dev.runnel.server.api;

import dev.runnel.log.AppendResult;
import dev.runnel.log.InvalidRecordKeyException;
import dev.runnel.log.TopicPartition;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.server.partition.Partitions;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.ProduceRequest;
import dev.runnel.wire.message.ProduceResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.ByteBufRecords;
import dev.runnel.wire.protocol.Errors;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;

/**
 * Produce v3–13 (advertised from v0, as Kafka 4.x does, because librdkafka disables compression unless the
 * advertised range starts at 0 — KAFKA-18659; v0–2 requests cannot be parsed and close the connection).
 * Batches are appended straight from the request frame on each partition's lane. With acks=0 nothing is
 * sent back, and any failure closes the connection so the client notices, as Kafka does.
 */
public final class ProduceHandler implements ApiHandler<ProduceRequest> {
    private static final Logger LOG = LogManager.getLogger(ProduceHandler.class);

    private final MetadataStore store;
    private final Partitions partitions;
    private final IntSupplier minInSyncReplicas;

    public ProduceHandler(MetadataStore store, Partitions partitions, IntSupplier minInSyncReplicas) {
        this.store = store;
        this.partitions = partitions;
        this.minInSyncReplicas = minInSyncReplicas;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.PRODUCE;
    }

    @Override
    public short lowestVersion() {
        return 0;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ProduceRequest request) {
        short acks = request.acks();
        boolean byId = context.apiVersion() >= 13;
        List<ProduceResponse.TopicProduceResponse> topics = new ArrayList<>();
        List<Partitions.LeaderAppend> appends = new ArrayList<>();
        List<ProduceResponse.PartitionProduceResponse> appendResponses = new ArrayList<>();
        boolean prechecksFailed = false;
        for (ProduceRequest.TopicProduceData topicData : request.topicData()) {
            TopicMetadata topic = byId ? store.topic(topicData.topicId()).orElse(null) : store.topic(topicData.name()).orElse(null);
            ProduceResponse.TopicProduceResponse topicResponse = new ProduceResponse.TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            topics.add(topicResponse);
            List<ProduceResponse.PartitionProduceResponse> partitionResponses = new ArrayList<>();
            topicResponse.setPartitionResponses(partitionResponses);
            for (ProduceRequest.PartitionProduceData p : topicData.partitionData()) {
                ProduceResponse.PartitionProduceResponse response = new ProduceResponse.PartitionProduceResponse()
                        .setIndex(p.index()).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                partitionResponses.add(response);
                Errors precheck = precheck(acks, topic, byId, p, request);
                if (precheck != Errors.NONE) {
                    response.setErrorCode(precheck.code());
                    prechecksFailed = true;
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.name(), p.index());
                int leaderEpoch = topic.partitions().get(p.index()).leaderEpoch();
                appends.add(new Partitions.LeaderAppend(tp, ((ByteBufRecords) p.records()).buffer(), leaderEpoch));
                appendResponses.add(response);
            }
        }
        boolean anyPrecheckFailed = prechecksFailed;
        return partitions.appendAsLeader(appends).thenApply(ignored -> {
            boolean failed = anyPrecheckFailed;
            for (int i = 0; i < appends.size(); i++) {
                failed |= fill(appendResponses.get(i), appends.get(i));
            }
            if (acks == 0) {
                if (failed) {
                    throw new IllegalStateException("acks=0 produce from " + context.clientId() + " failed");
                }
                return null;
            }
            return new ProduceResponse().setResponses(topics);
        });
    }

    private Errors precheck(short acks, TopicMetadata topic, boolean byId, ProduceRequest.PartitionProduceData p,
                            ProduceRequest request) {
        if (acks != -1 && acks != 0 && acks != 1) {
            return Errors.INVALID_REQUIRED_ACKS;
        }
        if (topic == null) {
            return byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (p.index() < 0 || p.index() >= topic.partitionCount()) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (TopicNames.isInternal(topic.name())) {
            return Errors.INVALID_TOPIC_EXCEPTION;
        }
        if (!(p.records() instanceof ByteBufRecords records) || records.sizeInBytes() == 0) {
            return Errors.CORRUPT_MESSAGE;
        }
        if (acks == -1 && topic.partitions().get(p.index()).isr().size() < minInSyncReplicas(topic)) {
            return Errors.NOT_ENOUGH_REPLICAS;
        }
        return Errors.NONE;
    }

    private int minInSyncReplicas(TopicMetadata topic) {
        String override = topic.configs().get("min.insync.replicas");
        return override != null ? Integer.parseInt(override) : minInSyncReplicas.getAsInt();
    }

    /** Sets a partition's answer from its append; true if the append failed. */
    private static boolean fill(ProduceResponse.PartitionProduceResponse response, Partitions.LeaderAppend append) {
        Throwable error = append.error();
        if (error == null) {
            AppendResult result = append.result();
            response.setErrorCode(Errors.NONE.code())
                    .setBaseOffset(result.baseOffset())
                    .setLogAppendTimeMs(result.logAppendTime())
                    .setLogStartOffset(result.logStartOffset());
            return false;
        }
        response.setErrorCode(AppendErrors.codeFor(error)).setErrorMessage(AppendErrors.messageFor(error));
        if (error instanceof InvalidRecordKeyException keyless) {
            // v8+ per-record errors, so the producer can name the offending records
            List<ProduceResponse.BatchIndexAndErrorMessage> recordErrors = new ArrayList<>();
            for (int index : keyless.recordIndexes()) {
                recordErrors.add(new ProduceResponse.BatchIndexAndErrorMessage()
                        .setBatchIndex(index).setBatchIndexErrorMessage(keyless.recordErrorMessage()));
            }
            response.setRecordErrors(recordErrors);
        }
        LOG.debug("Produce to {} failed", append.topicPartition(), error);
        return true;
    }
}
