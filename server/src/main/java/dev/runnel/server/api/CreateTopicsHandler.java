package dev.runnel.server.api;

import dev.runnel.server.config.ConfigEntry;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.topic.TopicService;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.CreateTopicsRequest;
import dev.runnel.wire.message.CreateTopicsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** CreateTopics v2–7: one result per topic, duplicates in one request rejected, {@code validate_only} honoured. */
public final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequest> {
    private final TopicService topics;
    private final Function<TopicMetadata, List<ConfigEntry>> describeConfigs;

    public CreateTopicsHandler(TopicService topics, Function<TopicMetadata, List<ConfigEntry>> describeConfigs) {
        this.topics = topics;
        this.describeConfigs = describeConfigs;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.CREATE_TOPICS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, CreateTopicsRequest request) {
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        for (CreateTopicsRequest.CreatableTopic t : request.topics()) {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        }
        // One controller task for the whole request: one durable metadata write, logs created together.
        List<TopicService.NewTopic> creatable = new ArrayList<>();
        for (CreateTopicsRequest.CreatableTopic t : request.topics()) {
            if (!duplicates.contains(t.name())) {
                creatable.add(newTopic(t));
            }
        }
        CompletableFuture<List<TopicService.Result>> created = creatable.isEmpty()
                ? CompletableFuture.completedFuture(List.of())
                : topics.create(creatable, request.validateOnly());
        return created.thenApply(outcomes -> {
            List<CreateTopicsResponse.CreatableTopicResult> results = new ArrayList<>();
            int next = 0;
            Set<String> answered = new HashSet<>();
            for (CreateTopicsRequest.CreatableTopic t : request.topics()) {
                if (duplicates.contains(t.name())) {
                    if (answered.add(t.name())) { // one result per name, as Kafka answers
                        results.add(failure(t.name(), Errors.INVALID_REQUEST, "Create topics request from client `"
                                + context.clientId() + "` contains multiple entries for the following topics: " + t.name()));
                    }
                    continue;
                }
                TopicService.Result r = outcomes.get(next++);
                results.add(r.error().isSuccess() ? success(r.topic()) : failure(t.name(), r.error().error(), r.error().message()));
            }
            return new CreateTopicsResponse().setTopics(results);
        });
    }

    private static TopicService.NewTopic newTopic(CreateTopicsRequest.CreatableTopic t) {
        Map<Integer, List<Integer>> assignments = new HashMap<>();
        for (CreateTopicsRequest.CreatableReplicaAssignment a : t.assignments()) {
            assignments.put(a.partitionIndex(), a.brokerIds());
        }
        Map<String, String> configs = new HashMap<>();
        for (CreateTopicsRequest.CreatableTopicConfig c : t.configs()) {
            if (c.value() != null) {
                configs.put(c.name(), c.value());
            }
        }
        return new TopicService.NewTopic(t.name(), t.numPartitions(), t.replicationFactor(), assignments, configs);
    }

    private CreateTopicsResponse.CreatableTopicResult success(TopicMetadata topic) {
        List<CreateTopicsResponse.CreatableTopicConfigs> configs = new ArrayList<>();
        for (ConfigEntry e : describeConfigs.apply(topic)) {
            configs.add(new CreateTopicsResponse.CreatableTopicConfigs()
                    .setName(e.name()).setValue(e.value()).setReadOnly(e.readOnly())
                    .setConfigSource(e.source().id()).setIsSensitive(e.sensitive()));
        }
        return new CreateTopicsResponse.CreatableTopicResult()
                .setName(topic.name())
                .setTopicId(topic.topicId())
                .setErrorCode(Errors.NONE.code())
                .setNumPartitions(topic.partitionCount())
                .setReplicationFactor(topic.replicationFactor())
                .setConfigs(configs);
    }

    private static CreateTopicsResponse.CreatableTopicResult failure(String name, Errors error, String message) {
        return new CreateTopicsResponse.CreatableTopicResult()
                .setName(name)
                .setErrorCode(error.code())
                .setErrorMessage(message)
                .setNumPartitions(-1)
                .setReplicationFactor((short) -1)
                .setConfigs(null);
    }
}
