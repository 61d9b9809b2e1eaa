package dev.runnel.server.api;

import dev.runnel.server.cluster.ClusterView;
import dev.runnel.server.cluster.Node;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.PartitionState;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.server.topic.TopicService;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.MetadataRequest;
import dev.runnel.wire.message.MetadataResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;
import dev.runnel.wire.protocol.Types;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Metadata v0–13: brokers, cluster id, controller, and topics with ids, partitions, leaders and leader
 * epochs. Unknown topics are created when the client allows it and {@code auto.create.topics.enable} is on.
 */
public final class MetadataHandler implements ApiHandler<MetadataRequest> {
    private final MetadataStore store;
    private final ClusterView cluster;
    private final TopicService topics;
    private final BooleanSupplier autoCreateEnabled;

    public MetadataHandler(MetadataStore store, ClusterView cluster, TopicService topics, BooleanSupplier autoCreateEnabled) {
        this.store = store;
        this.cluster = cluster;
        this.topics = topics;
        this.autoCreateEnabled = autoCreateEnabled;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.METADATA;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, MetadataRequest request) {
        short version = context.apiVersion();
        // v0 has no null: an empty list means every topic; v1+ uses null for every topic
        boolean allTopics = request.topics() == null || (version == 0 && request.topics().isEmpty());
        boolean allowCreate = version < 4 || request.allowAutoTopicCreation();
        List<CompletableFuture<MetadataResponse.MetadataResponseTopic>> results = new ArrayList<>();
        if (allTopics) {
            for (TopicMetadata t : store.topics()) {
                results.add(CompletableFuture.completedFuture(describe(t, request)));
            }
        } else {
            for (MetadataRequest.MetadataRequestTopic requested : request.topics()) {
                results.add(lookup(requested, allowCreate, request));
            }
        }
        return Futures.all(results).thenApply(described -> {
            MetadataResponse response = new MetadataResponse()
                    .setClusterId(cluster.clusterId())
                    .setControllerId(cluster.controllerId());
            List<MetadataResponse.MetadataResponseBroker> brokers = new ArrayList<>();
            for (Node n : cluster.brokers()) {
                brokers.add(new MetadataResponse.MetadataResponseBroker()
                        .setNodeId(n.id()).setHost(n.host()).setPort(n.port()).setRack(n.rack()));
            }
            response.setBrokers(brokers);
            response.setTopics(described);
            if (request.includeClusterAuthorizedOperations()) {
                response.setClusterAuthorizedOperations(AclOperations.CLUSTER);
            }
            return response;
        });
    }

    private CompletableFuture<MetadataResponse.MetadataResponseTopic> lookup(MetadataRequest.MetadataRequestTopic requested,
                                                                             boolean allowCreate, MetadataRequest request) {
        String name = requested.name();
        // Kafka looks a topic up by id whenever the id is set: kafka-clients sends the name as "" (not null) then
        if (name == null || (requested.topicId() != null && !Types.ZERO_UUID.equals(requested.topicId()))) {
            Optional<TopicMetadata> byId = store.topic(requested.topicId());
            return CompletableFuture.completedFuture(byId.map(t -> describe(t, request)).orElseGet(() ->
                    error(Errors.UNKNOWN_TOPIC_ID, null).setTopicId(requested.topicId())));
        }
        Optional<TopicMetadata> existing = store.topic(name);
        if (existing.isPresent()) {
            return CompletableFuture.completedFuture(describe(existing.get(), request));
        }
        if (TopicNames.invalidReason(name) != null) {
            return CompletableFuture.completedFuture(error(Errors.INVALID_TOPIC_EXCEPTION, name));
        }
        if (!allowCreate || !autoCreateEnabled.getAsBoolean() || TopicNames.isInternal(name)) {
            return CompletableFuture.completedFuture(error(Errors.UNKNOWN_TOPIC_OR_PARTITION, name));
        }
        return topics.create(new TopicService.NewTopic(name, -1, (short) -1, Map.of(), Map.of()), false)
                .thenApply(result -> {
                    if (result.error().isSuccess()) {
                        return describe(result.topic(), request);
                    }
                    // lost a race with another creator: describe what is there now
                    return store.topic(name).map(t -> describe(t, request))
                            .orElseGet(() -> error(result.error().error(), name));
                });
    }

    private static MetadataResponse.MetadataResponseTopic error(Errors error, String name) {
        return new MetadataResponse.MetadataResponseTopic().setErrorCode(error.code()).setName(name)
                .setTopicId(Types.ZERO_UUID);
    }

    private static MetadataResponse.MetadataResponseTopic describe(TopicMetadata t, MetadataRequest request) {
        List<MetadataResponse.MetadataResponsePartition> partitions = new ArrayList<>();
        for (int i = 0; i < t.partitionCount(); i++) {
            PartitionState p = t.partitions().get(i);
            partitions.add(new MetadataResponse.MetadataResponsePartition()
                    .setErrorCode(Errors.NONE.code())
                    .setPartitionIndex(i)
                    .setLeaderId(p.leader())
                    .setLeaderEpoch(p.leaderEpoch())
                    .setReplicaNodes(new ArrayList<>(p.replicas()))
                    .setIsrNodes(new ArrayList<>(p.isr()))
                    .setOfflineReplicas(new ArrayList<>()));
        }
        return new MetadataResponse.MetadataResponseTopic()
                .setErrorCode(Errors.NONE.code())
                .setName(t.name())
                .setTopicId(t.topicId())
                .setIsInternal(TopicNames.isInternal(t.name()))
                .setPartitions(partitions)
                .setTopicAuthorizedOperations(request.includeTopicAuthorizedOperations()
                        ? AclOperations.TOPIC : AclOperations.NOT_REQUESTED);
    }
}
