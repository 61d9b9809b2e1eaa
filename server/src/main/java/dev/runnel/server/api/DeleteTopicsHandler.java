package dev.runnel.server.api;

import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.topic.TopicService;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DeleteTopicsRequest;
import dev.runnel.wire.message.DeleteTopicsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;
import dev.runnel.wire.protocol.Types;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** DeleteTopics v1–6: by name (all versions) and by topic id (v6+), refused when {@code delete.topic.enable} is off. */
public final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequest> {
    private final TopicService topics;
    private final MetadataStore store;
    private final BooleanSupplier deleteEnabled;

    public DeleteTopicsHandler(TopicService topics, MetadataStore store, BooleanSupplier deleteEnabled) {
        this.topics = topics;
        this.store = store;
        this.deleteEnabled = deleteEnabled;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DELETE_TOPICS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DeleteTopicsRequest request) {
        List<CompletableFuture<DeleteTopicsResponse.DeletableTopicResult>> results = new ArrayList<>();
        if (context.apiVersion() >= 6) {
            for (DeleteTopicsRequest.DeleteTopicState t : request.topics()) {
                results.add(delete(t.name(), t.topicId()));
            }
        } else {
            for (String name : request.topicNames()) {
                results.add(delete(name, Types.ZERO_UUID));
            }
        }
        return Futures.all(results).thenApply(list -> new DeleteTopicsResponse().setResponses(list));
    }

    private CompletableFuture<DeleteTopicsResponse.DeletableTopicResult> delete(String name, UUID topicId) {
        DeleteTopicsResponse.DeletableTopicResult result = new DeleteTopicsResponse.DeletableTopicResult()
                .setName(name).setTopicId(topicId == null ? Types.ZERO_UUID : topicId);
        if (name == null) {
            TopicMetadata byId = store.topic(topicId).orElse(null);
            if (byId == null) {
                return CompletableFuture.completedFuture(result.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                        .setErrorMessage("Topic id " + topicId + " does not exist."));
            }
            name = byId.name();
            result.setName(name);
        }
        if (!deleteEnabled.getAsBoolean()) {
            return CompletableFuture.completedFuture(result.setErrorCode(Errors.TOPIC_DELETION_DISABLED.code())
                    .setErrorMessage("Topic deletion is disabled."));
        }
        return topics.delete(name).thenApply(r -> r.error().isSuccess()
                ? result.setTopicId(r.topic().topicId()).setErrorCode(Errors.NONE.code())
                : result.setErrorCode(r.error().error().code()).setErrorMessage(r.error().message()));
    }
}
