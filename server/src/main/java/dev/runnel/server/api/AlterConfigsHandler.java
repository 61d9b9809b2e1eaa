package dev.runnel.server.api;

import dev.runnel.server.config.ConfigException;
import dev.runnel.server.config.ConfigSource;
import dev.runnel.server.config.DynamicBrokerConfigs;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.server.topic.TopicError;
import dev.runnel.server.topic.TopicService;
import dev.runnel.wire.message.AlterConfigsRequest;
import dev.runnel.wire.message.AlterConfigsResponse;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import static dev.runnel.server.api.DescribeConfigsHandler.BROKER;
import static dev.runnel.server.api.DescribeConfigsHandler.TOPIC;

/**
 * AlterConfigs v0–2, the legacy API that replaces a resource's whole configuration: a topic's overrides, or one
 * dynamic layer of broker configs (resource name = this node id, or empty for the cluster-wide defaults). Checks
 * and messages follow Kafka's broker preprocessing and controller; every resource succeeds or fails on its own.
 * Broker changes write the metadata store on {@code adminExecutor}; topic changes run on the topic controller.
 */
public final class AlterConfigsHandler implements ApiHandler<AlterConfigsRequest> {
    private static final Logger LOG = LogManager.getLogger(AlterConfigsHandler.class);
    private final TopicService topics;
    private final DynamicBrokerConfigs brokerConfigs;
    private final Executor adminExecutor;

    public AlterConfigsHandler(TopicService topics, DynamicBrokerConfigs brokerConfigs, Executor adminExecutor) {
        this.topics = topics;
        this.brokerConfigs = brokerConfigs;
        this.adminExecutor = adminExecutor;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.ALTER_CONFIGS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, AlterConfigsRequest request) {
        Set<String> repeated = repeatedResources(request.resources().stream()
                .map(r -> r.resourceType() + ":" + r.resourceName()).toList());
        List<CompletableFuture<AlterConfigsResponse.AlterConfigsResourceResponse>> results = new ArrayList<>();
        for (AlterConfigsRequest.AlterConfigsResource resource : request.resources()) {
            CompletableFuture<TopicError> outcome = repeated.contains(resource.resourceType() + ":" + resource.resourceName())
                    ? done(Errors.INVALID_REQUEST, "Each resource must appear at most once.")
                    : alter(resource, request.validateOnly());
            results.add(outcome.thenApply(error -> new AlterConfigsResponse.AlterConfigsResourceResponse()
                    .setErrorCode(error.error().code()).setErrorMessage(error.message())
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())));
        }
        return Futures.all(results).thenApply(responses -> new AlterConfigsResponse().setResponses(responses));
    }

    private CompletableFuture<TopicError> alter(AlterConfigsRequest.AlterConfigsResource resource, boolean validateOnly) {
        Map<String, String> configs = new LinkedHashMap<>();
        List<String> nulls = new ArrayList<>();
        for (AlterConfigsRequest.AlterableConfig c : resource.configs()) {
            if (configs.containsKey(c.name())) {
                return done(Errors.INVALID_REQUEST, "Error due to duplicate config keys");
            }
            configs.put(c.name(), c.value());
            if (c.value() == null) {
                nulls.add(c.name());
            }
        }
        if (!nulls.isEmpty()) {
            return done(Errors.INVALID_REQUEST, "Null value not supported for : " + String.join(", ", nulls));
        }
        String name = resource.resourceName();
        return switch (resource.resourceType()) {
            case BROKER -> {
                String bad = nodeIdProblem(name, brokerConfigs.config().nodeId());
                yield bad != null ? done(Errors.INVALID_REQUEST, bad)
                        : replaceBrokerLayer(brokerConfigs, adminExecutor, name, configs, validateOnly);
            }
            case TOPIC -> {
                TopicError bad = topicNameProblem(name);
                yield bad != null ? CompletableFuture.completedFuture(bad)
                        : topics.setConfigs(name, configs, validateOnly).thenApply(TopicService.Result::error);
            }
            default -> done(Errors.INVALID_REQUEST, "Unknown resource type " + resource.resourceType());
        };
    }

    /** Keys of resources named more than once in one request: Kafka fails every copy of them. */
    static Set<String> repeatedResources(Collection<String> keys) {
        Set<String> seen = new HashSet<>();
        Set<String> repeated = new HashSet<>();
        for (String key : keys) {
            if (!seen.add(key)) {
                repeated.add(key);
            }
        }
        return repeated;
    }

    /** Kafka's check of a broker resource name: empty (cluster default) or this node's id. Null when fine. */
    static String nodeIdProblem(String name, int nodeId) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        int id;
        try {
            id = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return "Node id must be an integer, but it is: " + name;
        }
        return id == nodeId ? null : "Unexpected broker id, expected " + nodeId + ", but received " + name;
    }

    /** Kafka's check of a topic resource name before the controller looks the topic up. Null when fine. */
    static TopicError topicNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return TopicError.of(Errors.INVALID_REQUEST, "Default topic resources are not allowed.");
        }
        String invalid = TopicNames.invalidReason(name);
        return invalid == null ? null : TopicError.of(Errors.INVALID_TOPIC_EXCEPTION, invalid);
    }

    /** Replaces a broker layer on the admin executor; Kafka reports every broker config failure as INVALID_REQUEST. */
    static CompletableFuture<TopicError> replaceBrokerLayer(DynamicBrokerConfigs brokerConfigs, Executor executor,
                                                           String name, Map<String, String> layer, boolean validateOnly) {
        ConfigSource source = name == null || name.isEmpty()
                ? ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG : ConfigSource.DYNAMIC_BROKER_CONFIG;
        return CompletableFuture.supplyAsync(() -> {
            try {
                brokerConfigs.replace(source, new HashMap<>(layer), validateOnly);
                return TopicError.NONE;
            } catch (ConfigException e) {
                return TopicError.of(Errors.INVALID_REQUEST, e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("Cannot change dynamic broker configs {}", layer.keySet(), e);
                return TopicError.of(Errors.UNKNOWN_SERVER_ERROR, Errors.UNKNOWN_SERVER_ERROR.message());
            }
        }, executor);
    }

    static CompletableFuture<TopicError> done(Errors error, String message) {
        return CompletableFuture.completedFuture(TopicError.of(error, message));
    }
}
