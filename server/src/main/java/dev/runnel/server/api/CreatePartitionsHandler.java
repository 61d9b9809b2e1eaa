package dev.runnel.server.api;

import dev.runnel.server.topic.TopicService;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.CreatePartitionsRequest;
import dev.runnel.wire.message.CreatePartitionsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** CreatePartitions v0–3: a result for every topic in the request, duplicates rejected. */
public final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequest> {
    private final TopicService topics;

    public CreatePartitionsHandler(TopicService topics) {
        this.topics = topics;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.CREATE_PARTITIONS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, CreatePartitionsRequest request) {
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        request.topics().forEach(t -> {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        });
        List<CompletableFuture<CreatePartitionsResponse.CreatePartitionsTopicResult>> results = new ArrayList<>();
        for (CreatePartitionsRequest.CreatePartitionsTopic t : request.topics()) {
            CreatePartitionsResponse.CreatePartitionsTopicResult result =
                    new CreatePartitionsResponse.CreatePartitionsTopicResult().setName(t.name());
            if (duplicates.contains(t.name())) {
                results.add(CompletableFuture.completedFuture(result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Duplicate topic in request.")));
                continue;
            }
            List<List<Integer>> assignments = null;
            if (t.assignments() != null) {
                assignments = new ArrayList<>();
                for (CreatePartitionsRequest.CreatePartitionsAssignment a : t.assignments()) {
                    assignments.add(a.brokerIds());
                }
            }
            results.add(topics.createPartitions(t.name(), t.count(), assignments, request.validateOnly())
                    .thenApply(r -> result.setErrorCode(r.error().error().code()).setErrorMessage(r.error().message())));
        }
        return Futures.all(results).thenApply(list -> new CreatePartitionsResponse().setResults(list));
    }
}
