package dev.runnel.server.topic;

import dev.runnel.server.cluster.ClusterView;
import dev.runnel.server.cluster.Node;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.PartitionState;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Creates, deletes and grows topics: validates as Kafka does, writes the metadata store, then creates or
 * removes the partition logs. Every change runs on one controller thread, so two requests for the same
 * name cannot race; callers get a future and never block an event loop.
 */
public final class TopicService implements AutoCloseable {
    /** Defaults that apply when a request leaves partitions or replication factor at -1. */
    public record Defaults(int numPartitions, short replicationFactor) {
    }

    private final MetadataStore store;
    private final PartitionLogs logs;
    private final ClusterView cluster;
    private final Supplier<Defaults> defaults;
    private final Function<Map<String, String>, String> configValidator;
    private final ExecutorService controller = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "runnel-controller");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param configValidator returns why a set of topic configs is invalid, or null when it is valid
     */
    public TopicService(MetadataStore store, PartitionLogs logs, ClusterView cluster, Supplier<Defaults> defaults,
                        Function<Map<String, String>, String> configValidator) {
        this.store = store;
        this.logs = logs;
        this.cluster = cluster;
        this.defaults = defaults;
        this.configValidator = configValidator;
    }

    /** A request to create one topic, as CreateTopics carries it. */
    public record NewTopic(String name, int numPartitions, short replicationFactor,
                           Map<Integer, List<Integer>> assignments, Map<String, String> configs) {
    }

    /** Validates and, unless {@code validateOnly}, creates the topic. Completes with the created metadata or an error. */
    public CompletableFuture<Result> create(NewTopic request, boolean validateOnly) {
        return create(List.of(request), validateOnly).thenApply(results -> results.get(0));
    }

    /**
     * Validates and, unless {@code validateOnly}, creates the topics of one CreateTopics request: one result per
     * topic, in order. The valid topics reach the metadata store with one durable write (a topic whose result says
     * created survives a crash: missing logs are recreated from the store at start-up), then their logs are created
     * together. A name that appears twice gets {@code TOPIC_ALREADY_EXISTS} the second time.
     */
    public CompletableFuture<List<Result>> create(List<NewTopic> requests, boolean validateOnly) {
        return CompletableFuture.supplyAsync(() -> createNow(requests, validateOnly), controller);
    }

    /** The outcome of a change: the error (NONE on success) and the topic as it now is (null on failure). */
    public record Result(TopicError error, TopicMetadata topic) {
        static Result failure(Errors error, String message) {
            return new Result(TopicError.of(error, message), null);
        }
    }

    private List<Result> createNow(List<NewTopic> requests, boolean validateOnly) {
        List<Result> results = new ArrayList<>(requests.size());
        Map<String, TopicMetadata> valid = new LinkedHashMap<>();
        for (NewTopic request : requests) {
            Result result = valid.containsKey(request.name())
                    ? Result.failure(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + request.name() + "' already exists.")
                    : validate(request);
            if (result.error().isSuccess()) {
                valid.put(request.name(), result.topic());
            }
            results.add(result);
        }
        if (validateOnly || valid.isEmpty()) {
            return results;
        }
        store.createTopics(valid.values());
        Map<String, RuntimeException> failed = logs.createLogs(valid.values());
        for (Map.Entry<String, RuntimeException> failure : failed.entrySet()) {
            TopicMetadata topic = valid.get(failure.getKey());
            store.deleteTopic(topic.name());
            logs.deleteLogs(topic);
            Result storageError = Result.failure(Errors.KAFKA_STORAGE_ERROR,
                    "Cannot create the logs of " + topic.name() + ": " + failure.getValue().getMessage());
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i).topic() == topic) {
                    results.set(i, storageError);
                }
            }
        }
        return results;
    }

    /** Checks one topic as Kafka's controller does and builds its metadata (nothing is written). */
    private Result validate(NewTopic request) {
        String invalid = TopicNames.invalidReason(request.name());
        if (invalid != null) {
            return Result.failure(Errors.INVALID_TOPIC_EXCEPTION, invalid);
        }
        if (store.topic(request.name()).isPresent()) {
            return Result.failure(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + request.name() + "' already exists.");
        }
        List<List<Integer>> replicas;
        if (!request.assignments().isEmpty()) {
            if (request.numPartitions() != -1 || request.replicationFactor() != -1) {
                return Result.failure(Errors.INVALID_REQUEST,
                        "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
            }
            Result bad = validateAssignment(request.assignments());
            if (bad != null) {
                return bad;
            }
            replicas = new ArrayList<>();
            for (int p = 0; p < request.assignments().size(); p++) {
                replicas.add(request.assignments().get(p));
            }
        } else {
            Defaults d = defaults.get();
            int partitions = request.numPartitions() == -1 ? d.numPartitions() : request.numPartitions();
            short factor = request.replicationFactor() == -1 ? d.replicationFactor() : request.replicationFactor();
            if (partitions <= 0) {
                return Result.failure(Errors.INVALID_PARTITIONS, "Number of partitions was set to an invalid non-positive value.");
            }
            if (factor <= 0) {
                return Result.failure(Errors.INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0, or -1 to use the default value.");
            }
            List<Node> brokers = cluster.brokers();
            if (factor > brokers.size()) {
                return Result.failure(Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition " + factor
                        + " time(s): The target replication factor of " + factor + " cannot be reached because only "
                        + brokers.size() + " broker(s) are registered.");
            }
            replicas = assign(partitions, factor, brokers, 0);
        }
        String badConfig = configValidator.apply(request.configs());
        if (badConfig != null) {
            return Result.failure(Errors.INVALID_CONFIG, badConfig);
        }
        List<PartitionState> states = new ArrayList<>();
        for (List<Integer> r : replicas) {
            states.add(new PartitionState(r.get(0), 0, r, r));
        }
        return new Result(TopicError.NONE, new TopicMetadata(request.name(), UUID.randomUUID(), states, request.configs()));
    }

    private Result validateAssignment(Map<Integer, List<Integer>> assignments) {
        Set<Integer> live = new HashSet<>();
        cluster.brokers().forEach(n -> live.add(n.id()));
        int size = -1;
        for (int p = 0; p < assignments.size(); p++) {
            List<Integer> r = assignments.get(p);
            if (r == null) {
                return Result.failure(Errors.INVALID_REPLICA_ASSIGNMENT, "Partitions should be a consecutive 0-based integer sequence");
            }
            if (r.isEmpty() || new HashSet<>(r).size() != r.size() || (size != -1 && r.size() != size)) {
                return Result.failure(Errors.INVALID_REPLICA_ASSIGNMENT, "Inconsistent or duplicate replica assignment for partition " + p);
            }
            if (!live.containsAll(r)) {
                return Result.failure(Errors.INVALID_REPLICA_ASSIGNMENT, "Replica assignment for partition " + p + " names unknown brokers " + r);
            }
            size = r.size();
        }
        return null;
    }

    /** Round-robin assignment starting after {@code firstPartition}'s slot, leaders spread over brokers. */
    private static List<List<Integer>> assign(int partitions, int factor, List<Node> brokers, int firstPartition) {
        List<List<Integer>> result = new ArrayList<>();
        for (int p = firstPartition; p < partitions; p++) {
            List<Integer> r = new ArrayList<>(factor);
            for (int i = 0; i < factor; i++) {
                r.add(brokers.get((p + i) % brokers.size()).id());
            }
            result.add(r);
        }
        return result;
    }

    /** Deletes a topic by name. */
    public CompletableFuture<Result> delete(String name) {
        return CompletableFuture.supplyAsync(() -> {
            TopicMetadata topic = store.topic(name).orElse(null);
            if (topic == null) {
                return Result.failure(Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.");
            }
            store.deleteTopic(name);
            logs.deleteLogs(topic);
            return new Result(TopicError.NONE, topic);
        }, controller);
    }

    /** Grows a topic to {@code totalCount} partitions. */
    public CompletableFuture<Result> createPartitions(String name, int totalCount, List<List<Integer>> assignments, boolean validateOnly) {
        return CompletableFuture.supplyAsync(() -> {
            TopicMetadata topic = store.topic(name).orElse(null);
            if (topic == null) {
                return Result.failure(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
            }
            int current = topic.partitionCount();
            if (totalCount < current) {
                return Result.failure(Errors.INVALID_PARTITIONS, "Topic currently has " + current
                        + " partitions, which is higher than the requested " + totalCount + ".");
            }
            if (totalCount == current) {
                return Result.failure(Errors.INVALID_PARTITIONS, "Topic already has " + current + " partitions.");
            }
            List<List<Integer>> added;
            if (assignments != null) {
                if (assignments.size() != totalCount - current) {
                    return Result.failure(Errors.INVALID_REPLICA_ASSIGNMENT, "Attempted to add " + (totalCount - current)
                            + " additional partition(s), but only " + assignments.size() + " assignment(s) were specified.");
                }
                Map<Integer, List<Integer>> byIndex = new java.util.HashMap<>();
                for (int i = 0; i < assignments.size(); i++) {
                    byIndex.put(i, assignments.get(i));
                }
                Result bad = validateAssignment(byIndex);
                if (bad != null) {
                    return bad;
                }
                added = assignments;
            } else {
                added = assign(totalCount, topic.replicationFactor(), cluster.brokers(), current);
            }
            List<PartitionState> states = new ArrayList<>(topic.partitions());
            for (List<Integer> r : added) {
                states.add(new PartitionState(r.get(0), 0, r, r));
            }
            TopicMetadata grown = topic.withPartitions(states);
            if (!validateOnly) {
                store.updateTopic(grown);
                logs.createLogs(grown, current);
            }
            return new Result(TopicError.NONE, grown);
        }, controller);
    }

    /** Replaces a topic's config overrides (validated), persisting them and applying them to its logs. */
    public CompletableFuture<Result> setConfigs(String name, Map<String, String> configs, boolean validateOnly) {
        return editConfigs(name, current -> configs, validateOnly);
    }

    /**
     * Computes a topic's new config overrides from its current ones and replaces them (validated, persisted,
     * applied to its logs). The edit runs on the controller thread, as Kafka applies incremental changes on its
     * controller, so two concurrent edits of one topic never lose each other's change. The edit may refuse with
     * {@link RejectedEdit}.
     */
    public CompletableFuture<Result> editConfigs(String name, UnaryOperator<Map<String, String>> edit,
                                                 boolean validateOnly) {
        return CompletableFuture.supplyAsync(() -> {
            TopicMetadata topic = store.topic(name).orElse(null);
            if (topic == null) {
                return Result.failure(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
            }
            Map<String, String> configs;
            try {
                configs = edit.apply(topic.configs());
            } catch (RejectedEdit e) {
                return new Result(e.error, null);
            }
            String bad = configValidator.apply(configs);
            if (bad != null) {
                return Result.failure(Errors.INVALID_CONFIG, bad);
            }
            TopicMetadata changed = topic.withConfigs(configs);
            if (!validateOnly) {
                store.updateTopic(changed);
                logs.updateConfigs(changed);
            }
            return new Result(TopicError.NONE, changed);
        }, controller);
    }

    /** An edit of {@link #editConfigs} refusing the change, with the error the client gets. */
    public static final class RejectedEdit extends RuntimeException {
        private final TopicError error;

        public RejectedEdit(Errors error, String message) {
            super(message, null, false, false);
            this.error = TopicError.of(error, message);
        }
    }

    @Override
    public void close() {
        controller.shutdown();
    }
}
