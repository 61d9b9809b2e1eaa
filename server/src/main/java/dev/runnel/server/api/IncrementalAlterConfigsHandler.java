package dev.runnel.server.api;

import dev.runnel.server.config.BrokerConfigKeys;
import dev.runnel.server.config.ConfigKey;
import dev.runnel.server.config.ConfigSource;
import dev.runnel.server.config.ConfigType;
import dev.runnel.server.config.DynamicBrokerConfigs;
import dev.runnel.server.config.LoggerLevels;
import dev.runnel.server.config.TopicConfigKey;
import dev.runnel.server.config.TopicConfigKeys;
import dev.runnel.server.topic.TopicError;
import dev.runnel.server.topic.TopicService;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.IncrementalAlterConfigsRequest;
import dev.runnel.wire.message.IncrementalAlterConfigsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import static dev.runnel.server.api.AlterConfigsHandler.done;
import static dev.runnel.server.api.AlterConfigsHandler.nodeIdProblem;
import static dev.runnel.server.api.AlterConfigsHandler.replaceBrokerLayer;
import static dev.runnel.server.api.AlterConfigsHandler.repeatedResources;
import static dev.runnel.server.api.AlterConfigsHandler.topicNameProblem;
import static dev.runnel.server.api.DescribeConfigsHandler.BROKER;
import static dev.runnel.server.api.DescribeConfigsHandler.BROKER_LOGGER;
import static dev.runnel.server.api.DescribeConfigsHandler.TOPIC;

/**
 * IncrementalAlterConfigs v0–1 (KIP-339): SET, DELETE, APPEND and SUBTRACT (the last two for list keys only) on a
 * topic's overrides or a dynamic broker layer, and SET/DELETE of log levels on this broker's loggers (KIP-412, not
 * persisted). The operations are applied to the current configuration and the result replaces it, checked as a
 * whole, as Kafka's controller does. Every resource succeeds or fails on its own.
 * Topic operations are applied to the current overrides on the topic controller thread, so concurrent requests
 * for one topic never lose each other's changes.
 */
public final class IncrementalAlterConfigsHandler implements ApiHandler<IncrementalAlterConfigsRequest> {
    static final byte SET = 0;
    static final byte DELETE = 1;
    static final byte APPEND = 2;
    static final byte SUBTRACT = 3;

    private final TopicService topics;
    private final DynamicBrokerConfigs brokerConfigs;
    private final Executor adminExecutor;

    public IncrementalAlterConfigsHandler(TopicService topics, DynamicBrokerConfigs brokerConfigs, Executor adminExecutor) {
        this.topics = topics;
        this.brokerConfigs = brokerConfigs;
        this.adminExecutor = adminExecutor;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.INCREMENTAL_ALTER_CONFIGS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, IncrementalAlterConfigsRequest request) {
        Set<String> repeated = repeatedResources(request.resources().stream()
                .map(r -> r.resourceType() + ":" + r.resourceName()).toList());
        List<CompletableFuture<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse>> results = new ArrayList<>();
        for (IncrementalAlterConfigsRequest.AlterConfigsResource resource : request.resources()) {
            CompletableFuture<TopicError> outcome = repeated.contains(resource.resourceType() + ":" + resource.resourceName())
                    ? done(Errors.INVALID_REQUEST, "Each resource must appear at most once.")
                    : alter(resource, request.validateOnly());
            results.add(outcome.thenApply(error -> new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse()
                    .setErrorCode(error.error().code()).setErrorMessage(error.message())
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())));
        }
        return Futures.all(results).thenApply(responses -> new IncrementalAlterConfigsResponse().setResponses(responses));
    }

    private CompletableFuture<TopicError> alter(IncrementalAlterConfigsRequest.AlterConfigsResource resource,
                                                boolean validateOnly) {
        Set<String> names = new HashSet<>();
        List<String> nulls = new ArrayList<>();
        for (IncrementalAlterConfigsRequest.AlterableConfig c : resource.configs()) {
            if (!names.add(c.name())) {
                return done(Errors.INVALID_REQUEST, "Error due to duplicate config keys");
            }
            if (c.configOperation() != DELETE && c.value() == null) {
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
                yield bad != null ? done(Errors.INVALID_REQUEST, bad) : alterBroker(resource, validateOnly);
            }
            case TOPIC -> {
                TopicError bad = topicNameProblem(name);
                yield bad != null ? CompletableFuture.completedFuture(bad) : alterTopic(resource, validateOnly);
            }
            case BROKER_LOGGER -> CompletableFuture.completedFuture(alterLoggers(resource, validateOnly));
            default -> done(Errors.INVALID_REQUEST, "Unknown resource type " + resource.resourceType());
        };
    }

    private CompletableFuture<TopicError> alterBroker(IncrementalAlterConfigsRequest.AlterConfigsResource resource,
                                                      boolean validateOnly) {
        String name = resource.resourceName();
        ConfigSource layer = name == null || name.isEmpty()
                ? ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG : ConfigSource.DYNAMIC_BROKER_CONFIG;
        Map<String, String> props = new HashMap<>(brokerConfigs.layer(layer));
        for (IncrementalAlterConfigsRequest.AlterableConfig op : resource.configs()) {
            byte operation = op.configOperation();
            if (operation == APPEND || operation == SUBTRACT) {
                ConfigKey key = BrokerConfigKeys.get(op.name());
                if (key == null) {
                    return done(Errors.INVALID_CONFIG, "Unknown config name: " + op.name());
                }
                if (key.type() != ConfigType.LIST) {
                    return done(Errors.INVALID_REQUEST, "Config value " + (operation == APPEND ? "append" : "subtract")
                            + " is not allowed for config key: " + op.name());
                }
                String current = props.getOrDefault(op.name(), key.type().format(key.defaultValue()));
                props.put(op.name(), applyListOp(operation, current, op.value()));
            } else if (operation == SET) {
                props.put(op.name(), op.value());
            } else if (operation == DELETE) {
                props.remove(op.name());
            } else {
                return done(Errors.INVALID_REQUEST, "Unknown operations type " + operation);
            }
        }
        return replaceBrokerLayer(brokerConfigs, adminExecutor, name, props, validateOnly);
    }

    private CompletableFuture<TopicError> alterTopic(IncrementalAlterConfigsRequest.AlterConfigsResource resource,
                                                     boolean validateOnly) {
        return topics.editConfigs(resource.resourceName(), current -> applyTopicOps(current, resource.configs()),
                validateOnly).thenApply(TopicService.Result::error);
    }

    /** The topic's overrides after the operations; runs on the topic controller (see TopicService.editConfigs). */
    private static Map<String, String> applyTopicOps(Map<String, String> current,
                                                     List<IncrementalAlterConfigsRequest.AlterableConfig> ops) {
        Map<String, String> overrides = new HashMap<>(current);
        for (IncrementalAlterConfigsRequest.AlterableConfig op : ops) {
            byte operation = op.configOperation();
            if (operation == APPEND || operation == SUBTRACT) {
                TopicConfigKey key = TopicConfigKeys.get(op.name());
                if (key == null || key.type() != ConfigType.LIST) {
                    throw new TopicService.RejectedEdit(Errors.INVALID_CONFIG, "Can't "
                            + (operation == APPEND ? "APPEND" : "SUBTRACT") + " to key " + op.name()
                            + " because its type is not LIST.");
                }
                String value = overrides.getOrDefault(op.name(), key.format(key.defaultValue()));
                overrides.put(op.name(), applyListOp(operation, value, op.value()));
            } else if (operation == SET) {
                overrides.put(op.name(), op.value());
            } else if (operation == DELETE) {
                overrides.remove(op.name());
            } else {
                throw new TopicService.RejectedEdit(Errors.INVALID_REQUEST, "Unknown operations type " + operation);
            }
        }
        return overrides;
    }

    /** Kafka's list edit: APPEND adds the values not yet present; SUBTRACT removes one occurrence of each. */
    static String applyListOp(byte operation, String current, String values) {
        List<String> parts = new ArrayList<>();
        for (String part : current == null ? new String[0] : current.split(",")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        for (String value : values.split(",")) {
            if (operation == SUBTRACT) {
                parts.remove(value);
            } else if (!parts.contains(value)) {
                parts.add(value);
            }
        }
        return String.join(",", parts);
    }

    /** KIP-412 log levels, checked as Kafka's RuntimeLoggerManager checks them: all operations first, then applied. */
    private TopicError alterLoggers(IncrementalAlterConfigsRequest.AlterConfigsResource resource, boolean validateOnly) {
        String name = resource.resourceName();
        int nodeId = brokerConfigs.config().nodeId();
        try {
            if (Integer.parseInt(name) != nodeId) {
                return TopicError.of(Errors.INVALID_REQUEST, "Unexpected node id. Expected " + nodeId
                        + ", but received " + name);
            }
        } catch (NumberFormatException e) {
            return TopicError.of(Errors.INVALID_REQUEST, "Node id must be an integer, but it is: " + name);
        }
        for (IncrementalAlterConfigsRequest.AlterableConfig op : resource.configs()) {
            TopicError bad = loggerOpProblem(op);
            if (bad != null) {
                return bad;
            }
        }
        if (!validateOnly) {
            for (IncrementalAlterConfigsRequest.AlterableConfig op : resource.configs()) {
                if (op.configOperation() == SET) {
                    LoggerLevels.set(op.name(), op.value());
                } else {
                    LoggerLevels.unset(op.name());
                }
            }
        }
        return TopicError.NONE;
    }

    private static TopicError loggerOpProblem(IncrementalAlterConfigsRequest.AlterableConfig op) {
        String logger = op.name();
        return switch (op.configOperation()) {
            case SET -> !LoggerLevels.exists(logger) ? missingLogger(logger)
                    : LoggerLevels.VALID_LEVELS.contains(op.value()) ? null
                    : TopicError.of(Errors.INVALID_CONFIG, "Cannot set the log level of " + logger + " to "
                            + op.value() + " as it is not a supported log level. Valid log levels are "
                            + String.join(", ", LoggerLevels.VALID_LEVELS));
            case DELETE -> !LoggerLevels.exists(logger) ? missingLogger(logger)
                    : !LoggerLevels.ROOT_LOGGER.equals(logger) ? null
                    : TopicError.of(Errors.INVALID_REQUEST, "Removing the log level of the root logger is not allowed");
            case APPEND -> TopicError.of(Errors.INVALID_REQUEST, "APPEND operation is not allowed for the BROKER_LOGGER resource");
            case SUBTRACT -> TopicError.of(Errors.INVALID_REQUEST, "SUBTRACT operation is not allowed for the BROKER_LOGGER resource");
            default -> TopicError.of(Errors.INVALID_REQUEST, "Unknown operation type " + op.configOperation()
                    + " is not allowed for the BROKER_LOGGER resource");
        };
    }

    private static TopicError missingLogger(String logger) {
        return TopicError.of(Errors.INVALID_CONFIG, "Logger " + logger + " does not exist!");
    }
}
