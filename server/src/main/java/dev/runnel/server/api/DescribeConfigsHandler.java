package dev.runnel.server.api;

import dev.runnel.server.config.BrokerConfig;
import dev.runnel.server.config.ConfigEntry;
import dev.runnel.server.config.ConfigSource;
import dev.runnel.server.config.LoggerLevels;
import dev.runnel.server.config.TopicConfigs;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DescribeConfigsRequest;
import dev.runnel.wire.message.DescribeConfigsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * DescribeConfigs v1–4: topics (every topic key with its source and broker synonyms), this broker (every broker
 * key) or the cluster-wide default broker resource (only keys set there), and this broker's loggers. Each resource
 * fails on its own. Sensitive values are null. Answers from published snapshots, so it runs on the event loop.
 */
public final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequest> {
    static final byte TOPIC = 2;
    static final byte BROKER = 4;
    static final byte BROKER_LOGGER = 8;
    static final byte CLIENT_METRICS = 16;
    static final byte GROUP = 32;

    private final MetadataStore store;
    private final BrokerConfig broker;
    private final Supplier<Map<String, String>> loggerLevels;

    public DescribeConfigsHandler(MetadataStore store, BrokerConfig broker) {
        this(store, broker, LoggerLevels::current);
    }

    /** @param loggerLevels logger name to level, for the BROKER_LOGGER resource */
    public DescribeConfigsHandler(MetadataStore store, BrokerConfig broker, Supplier<Map<String, String>> loggerLevels) {
        this.store = store;
        this.broker = broker;
        this.loggerLevels = loggerLevels;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DESCRIBE_CONFIGS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeConfigsRequest request) {
        List<DescribeConfigsResponse.DescribeConfigsResult> results = new ArrayList<>();
        for (DescribeConfigsRequest.DescribeConfigsResource resource : request.resources()) {
            byte type = resource.resourceType();
            if (type != TOPIC && type != BROKER && type != BROKER_LOGGER && type != CLIENT_METRICS && type != GROUP) {
                // Kafka fails the whole request before looking at any resource.
                return CompletableFuture.completedFuture(failAll(request, Errors.INVALID_REQUEST));
            }
        }
        for (DescribeConfigsRequest.DescribeConfigsResource resource : request.resources()) {
            results.add(describe(resource, request.includeSynonyms(), request.includeDocumentation())
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName()));
        }
        return CompletableFuture.completedFuture(new DescribeConfigsResponse().setResults(results));
    }

    private DescribeConfigsResponse.DescribeConfigsResult describe(DescribeConfigsRequest.DescribeConfigsResource resource,
                                                                   boolean synonyms, boolean documentation) {
        String name = resource.resourceName();
        List<String> keys = resource.configurationKeys();
        switch (resource.resourceType()) {
            case TOPIC -> {
                String invalid = TopicNames.invalidReason(name);
                if (invalid != null) {
                    return error(Errors.INVALID_TOPIC_EXCEPTION, invalid);
                }
                Optional<TopicMetadata> topic = store.topic(name);
                if (topic.isEmpty()) {
                    return error(Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
                }
                return entries(TopicConfigs.describe(topic.get(), broker, synonyms, documentation), keys, synonyms);
            }
            case BROKER -> {
                if (name == null || name.isEmpty()) {
                    return entries(broker.describeAll(false), keys, synonyms, documentation);
                }
                String bad = brokerIdProblem(name, " or empty string, but received ");
                if (bad != null) {
                    return error(Errors.INVALID_REQUEST, bad);
                }
                return entries(broker.describeAll(true), keys, synonyms, documentation);
            }
            case BROKER_LOGGER -> {
                if (name == null || name.isEmpty()) {
                    return error(Errors.INVALID_REQUEST, "Broker id must not be empty");
                }
                String bad = brokerIdProblem(name, " but received ");
                if (bad != null) {
                    return error(Errors.INVALID_REQUEST, bad);
                }
                return loggers(keys);
            }
            case CLIENT_METRICS -> {
                return name == null || name.isEmpty()
                        ? error(Errors.INVALID_REQUEST, "Client metrics subscription name must not be empty")
                        : error(Errors.INVALID_REQUEST, "Unsupported resource type: CLIENT_METRICS");
            }
            default -> {
                return name == null || name.isEmpty()
                        ? error(Errors.INVALID_REQUEST, "Group name must not be empty")
                        : error(Errors.INVALID_REQUEST, "Unsupported resource type: GROUP");
            }
        }
    }

    /** Null when {@code name} is this broker's id, otherwise Kafka's message for it. */
    private String brokerIdProblem(String name, String beforeReceived) {
        int id;
        try {
            id = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return "Broker id must be an integer, but it is: " + name;
        }
        return id == broker.nodeId() ? null : "Unexpected broker id, expected " + broker.nodeId() + beforeReceived + name;
    }

    private DescribeConfigsResponse.DescribeConfigsResult entries(List<ConfigEntry> all, List<String> keys,
                                                                  boolean synonyms, boolean documentation) {
        List<ConfigEntry> shown = new ArrayList<>(all.size());
        for (ConfigEntry e : all) {
            shown.add(new ConfigEntry(e.name(), e.value(), e.source(), e.readOnly(), e.sensitive(), e.type(),
                    documentation ? e.documentation() : null, synonyms ? e.synonyms() : List.of()));
        }
        return entries(shown, keys, synonyms);
    }

    private static DescribeConfigsResponse.DescribeConfigsResult entries(List<ConfigEntry> all, List<String> keys,
                                                                         boolean synonyms) {
        List<DescribeConfigsResponse.DescribeConfigsResourceResult> configs = new ArrayList<>();
        for (ConfigEntry e : all) {
            if (keys != null && !keys.isEmpty() && !keys.contains(e.name())) {
                continue;
            }
            List<DescribeConfigsResponse.DescribeConfigsSynonym> list = new ArrayList<>();
            if (synonyms) {
                for (ConfigEntry.Synonym s : e.synonyms()) {
                    list.add(new DescribeConfigsResponse.DescribeConfigsSynonym()
                            .setName(s.name()).setValue(s.value()).setSource(s.source().id()));
                }
            }
            configs.add(new DescribeConfigsResponse.DescribeConfigsResourceResult()
                    .setName(e.name())
                    .setValue(e.value())
                    .setReadOnly(e.readOnly())
                    .setConfigSource(e.source().id())
                    .setIsSensitive(e.sensitive())
                    .setSynonyms(list)
                    .setConfigType(e.type().id())
                    .setDocumentation(e.documentation()));
        }
        return new DescribeConfigsResponse.DescribeConfigsResult().setErrorCode(Errors.NONE.code()).setConfigs(configs);
    }

    private DescribeConfigsResponse.DescribeConfigsResult loggers(List<String> keys) {
        List<DescribeConfigsResponse.DescribeConfigsResourceResult> configs = new ArrayList<>();
        loggerLevels.get().forEach((logger, level) -> {
            if (keys == null || keys.isEmpty() || keys.contains(logger)) {
                // Kafka fills only these fields for loggers; type and documentation keep their defaults.
                configs.add(new DescribeConfigsResponse.DescribeConfigsResourceResult()
                        .setName(logger).setValue(level)
                        .setConfigSource(ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG.id())
                        .setIsSensitive(false).setReadOnly(false).setSynonyms(new ArrayList<>()));
            }
        });
        return new DescribeConfigsResponse.DescribeConfigsResult().setErrorCode(Errors.NONE.code()).setConfigs(configs);
    }

    private static DescribeConfigsResponse.DescribeConfigsResult error(Errors error, String message) {
        return new DescribeConfigsResponse.DescribeConfigsResult()
                .setErrorCode(error.code()).setErrorMessage(message).setConfigs(new ArrayList<>());
    }

    private static DescribeConfigsResponse failAll(DescribeConfigsRequest request, Errors error) {
        List<DescribeConfigsResponse.DescribeConfigsResult> results = new ArrayList<>();
        for (DescribeConfigsRequest.DescribeConfigsResource resource : request.resources()) {
            results.add(error(error, error.message())
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName()));
        }
        return new DescribeConfigsResponse().setResults(results);
    }
}
