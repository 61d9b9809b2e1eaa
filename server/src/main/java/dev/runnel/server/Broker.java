package dev.runnel.server;

import dev.runnel.log.GroupCommitFlusher;
import dev.runnel.log.LogCleaner;
import dev.runnel.log.LogConfig;
import dev.runnel.log.LogDirectory;
import dev.runnel.log.LogResources;

import dev.runnel.log.producer.ProducerStateLogHook;
import dev.runnel.server.api.ApiVersionsHandler;
import dev.runnel.log.PartitionLog;
import dev.runnel.server.api.AlterConfigsHandler;
import dev.runnel.server.api.ConsumerGroupDescribeHandler;
import dev.runnel.server.api.ConsumerGroupHeartbeatHandler;
import dev.runnel.server.api.CreateAclsHandler;
import dev.runnel.server.api.CreatePartitionsHandler;
import dev.runnel.server.api.DeleteAclsHandler;
import dev.runnel.server.api.DescribeAclsHandler;
import dev.runnel.server.api.DeleteGroupsHandler;
import dev.runnel.server.api.DescribeGroupsHandler;
import dev.runnel.server.api.FindCoordinatorHandler;
import dev.runnel.server.api.HeartbeatHandler;
import dev.runnel.server.api.JoinGroupHandler;
import dev.runnel.server.api.LeaveGroupHandler;
import dev.runnel.server.api.ListGroupsHandler;
import dev.runnel.server.api.OffsetCommitHandler;
import dev.runnel.server.api.OffsetDeleteHandler;
import dev.runnel.server.api.OffsetFetchHandler;
import dev.runnel.server.api.SyncGroupHandler;
import dev.runnel.log.TopicPartition;
import dev.runnel.server.group.ConsumerGroupConfig;
import dev.runnel.server.group.ConsumerOffsetsLog;
import dev.runnel.server.group.TopicLookup;
import dev.runnel.server.group.GroupCoordinator;
import dev.runnel.server.group.GroupCoordinatorConfig;
import dev.runnel.server.metadata.TopicNames;
import dev.runnel.server.api.DescribeClusterHandler;
import dev.runnel.server.api.DescribeConfigsHandler;
import dev.runnel.server.api.DescribeLogDirsHandler;
import dev.runnel.server.api.DescribeTopicPartitionsHandler;
import dev.runnel.server.api.IncrementalAlterConfigsHandler;
import dev.runnel.server.api.ListPartitionReassignmentsHandler;
import dev.runnel.server.config.DynamicBrokerConfigs;
import dev.runnel.server.config.TopicConfigs;
import dev.runnel.server.api.CreateTopicsHandler;
import dev.runnel.server.api.DeleteRecordsHandler;
import dev.runnel.server.api.DescribeProducersHandler;
import dev.runnel.server.api.DeleteTopicsHandler;
import dev.runnel.server.api.HandlerRegistry;
import dev.runnel.server.api.AddOffsetsToTxnHandler;
import dev.runnel.server.api.AddPartitionsToTxnHandler;
import dev.runnel.server.api.EndTxnHandler;
import dev.runnel.server.api.DescribeTransactionsHandler;
import dev.runnel.server.api.InitProducerIdHandler;
import dev.runnel.server.api.ListTransactionsHandler;
import dev.runnel.server.api.TxnOffsetCommitHandler;
import dev.runnel.server.txn.LocalTransactionMarkers;
import dev.runnel.server.txn.TransactionCoordinator;
import dev.runnel.server.txn.TransactionCoordinatorConfig;
import dev.runnel.server.txn.TransactionStateTopicLog;
import dev.runnel.server.api.ListOffsetsHandler;
import dev.runnel.server.api.MetadataHandler;
import dev.runnel.server.api.OffsetForLeaderEpochHandler;
import dev.runnel.server.api.ProduceHandler;
import dev.runnel.server.api.RequestProcessor;
import dev.runnel.server.cluster.ClusterView;
import dev.runnel.server.cluster.Node;
import dev.runnel.server.config.BrokerConfig;
import dev.runnel.server.config.Endpoint;
import dev.runnel.server.fetch.FetchHandler;
import dev.runnel.server.fetch.FetchSessions;
import dev.runnel.server.metadata.LocalMetadataStore;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.net.BrokerServer;
import dev.runnel.server.net.LeasedFileRegion;
import dev.runnel.server.partition.LogSliceRecords;
import dev.runnel.server.partition.PartitionLanes;
import dev.runnel.server.partition.Partitions;
import dev.runnel.server.producer.ProducerIds;
import dev.runnel.server.purgatory.Purgatory;
import dev.runnel.server.topic.TopicService;
import io.netty.channel.FileRegion;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One broker, assembled: storage, metadata, partitions, handlers and listeners. {@link #start} opens everything
 * and binds the listeners; {@link #close} stops in the reverse order and leaves the log dir cleanly shut down
 * (checkpoints written, clean-shutdown marker set) so that the next start skips recovery.
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(Broker.class);

    private final BrokerConfig config;
    private final String clusterId;
    private final MetadataStore store;
    private final GroupCommitFlusher flusher;
    private final Partitions partitions;
    private final HashedWheelTimer timer;
    private final TopicService topics;
    private final GroupCoordinator groups;
    private CompletableFuture<Void> groupCoordinatorStarted;
    private final TransactionCoordinator transactions;
    private CompletableFuture<Void> transactionCoordinatorStarted;
    private final BrokerServer network;
    private final ScheduledExecutorService scheduler;
    private volatile Node self;

    private Broker(BrokerConfig config) throws IOException {
        this.config = config;
        Path logDir = config.logDirs().get(0);
        Files.createDirectories(logDir);
        this.clusterId = MetaProperties.loadOrCreate(logDir, config.nodeId(), null);
        Endpoint configured = config.advertisedListeners().get(0);
        this.self = new Node(config.nodeId(), configured.host(), configured.port(), config.getString("broker.rack"));
        this.store = LocalMetadataStore.open(logDir);
        this.flusher = new GroupCommitFlusher("runnel-flusher");
        Clock clock = Clock.systemUTC();
        long producerIdExpirationMs = config.getInt("producer.id.expiration.ms");
        LogDirectory logs = LogDirectory.open(logDir, LogResources.defaults(clock),
                tp -> store.topic(tp.topic()).map(this::logConfig).orElse(logConfig(null)),
                (tp, dir) -> new ProducerStateLogHook(dir, producerIdExpirationMs, clock), flusher);
        this.timer = new HashedWheelTimer(new DefaultThreadFactory("runnel-timer", true), 10, TimeUnit.MILLISECONDS);
        this.partitions = new Partitions(logs, new PartitionLanes(Math.max(2, Runtime.getRuntime().availableProcessors())),
                new Purgatory<>(timer), this::logConfig);
        // a single broker is its own controller; its advertised node is known for sure once the listeners are bound
        ClusterView liveCluster = ClusterView.single(clusterId, config.nodeId(), () -> self);
        this.topics = new TopicService(store, partitions, liveCluster,
                () -> new TopicService.Defaults(config.getInt("num.partitions"), (short) config.getInt("default.replication.factor")),
                overrides -> TopicConfigs.validate(overrides, config));
        DynamicBrokerConfigs dynamicConfigs = new DynamicBrokerConfigs(config, store);
        dynamicConfigs.restore();
        // a topic's log config falls back to the broker's values for the keys it does not override
        dynamicConfigs.onChange(() -> store.topics().forEach(partitions::updateConfigs));
        partitions.reconcile(store);

        this.groups = new GroupCoordinator(GroupCoordinatorConfig.from(config), ConsumerGroupConfig.from(config),
                TopicLookup.of(store), new ConsumerOffsetsLog(partitions, store, System::currentTimeMillis), timer, System::currentTimeMillis,
                p -> partitions.lane(new TopicPartition(TopicNames.CONSUMER_OFFSETS, p)));

        ProducerIds producerIds = new ProducerIds(store);
        this.transactions = new TransactionCoordinator(TransactionCoordinatorConfig.from(config),
                new TransactionStateTopicLog(partitions, store, System::currentTimeMillis),
                new LocalTransactionMarkers(partitions, store, System::currentTimeMillis, this::afterMarker),
                producerIds::next, System::currentTimeMillis,
                p -> partitions.lane(new TopicPartition(TopicNames.TRANSACTION_STATE, p)));

        HandlerRegistry registry = new HandlerRegistry();
        ApiVersionsHandler apiVersions = new ApiVersionsHandler(registry);
        registry.register(apiVersions)
                .register(new MetadataHandler(store, liveCluster, topics, () -> config.getBoolean("auto.create.topics.enable")))
                .register(new CreateTopicsHandler(topics, topic -> TopicConfigs.describe(topic, config)))
                .register(new DeleteTopicsHandler(topics, store, () -> config.getBoolean("delete.topic.enable")))
                .register(new CreatePartitionsHandler(topics))
                .register(new ProduceHandler(store, partitions, () -> config.getInt("min.insync.replicas")))
                .register(new FetchHandler(store, partitions, new FetchSessions(config.getInt("max.incremental.fetch.session.cache.slots"))))
                .register(new ListOffsetsHandler(store, partitions))
                .register(new OffsetForLeaderEpochHandler(store, partitions))
                .register(new InitProducerIdHandler(producerIds, ForkJoinPool.commonPool(), transactions))
                .register(new AddPartitionsToTxnHandler(transactions, store))
                .register(new AddOffsetsToTxnHandler(transactions, groups::partitionFor))
                .register(new EndTxnHandler(transactions))
                .register(new TxnOffsetCommitHandler(groups, store))
                .register(new DescribeTransactionsHandler(transactions))
                .register(new ListTransactionsHandler(transactions, System::currentTimeMillis))
                .register(new DeleteRecordsHandler(store, partitions))
                .register(new DescribeProducersHandler(store, partitions))
                .register(new DescribeConfigsHandler(store, config))
                .register(new AlterConfigsHandler(topics, dynamicConfigs, ForkJoinPool.commonPool()))
                .register(new IncrementalAlterConfigsHandler(topics, dynamicConfigs, ForkJoinPool.commonPool()))
                .register(new DescribeClusterHandler(liveCluster))
                .register(new DescribeLogDirsHandler(config.logDirs(), this::replicaLogs))
                .register(new ListPartitionReassignmentsHandler())
                .register(new DescribeAclsHandler())
                .register(new CreateAclsHandler())
                .register(new DeleteAclsHandler())
                .register(new DescribeTopicPartitionsHandler(store, config.getInt("max.request.partition.size.limit")))
                .register(new FindCoordinatorHandler(groups, liveCluster, this::startGroupCoordinator, transactions,
                        this::startTransactionCoordinator))
                .register(new JoinGroupHandler(groups))
                .register(new SyncGroupHandler(groups))
                .register(new HeartbeatHandler(groups))
                .register(new LeaveGroupHandler(groups))
                .register(new OffsetCommitHandler(groups, store))
                .register(new OffsetFetchHandler(groups, store))
                .register(new OffsetDeleteHandler(groups, store))
                .register(new ConsumerGroupHeartbeatHandler(groups))
                .register(new ConsumerGroupDescribeHandler(groups))
                .register(new ListGroupsHandler(groups))
                .register(new DescribeGroupsHandler(groups))
                .register(new DeleteGroupsHandler(groups));
        this.network = new BrokerServer(config, new RequestProcessor(registry, apiVersions, Broker::fileRegion));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("runnel-scheduler", true));
    }

    /** Opens storage and metadata, then binds the listeners. */
    public static Broker start(BrokerConfig config) throws IOException, InterruptedException {
        Broker broker = new Broker(config);
        try {
            if (broker.store.topic(TopicNames.CONSUMER_OFFSETS).isPresent()) {
                broker.startGroupCoordinator().join();
            }
            if (broker.store.topic(TopicNames.TRANSACTION_STATE).isPresent()) {
                broker.startTransactionCoordinator().join();
            }
            broker.network.start();
        } catch (RuntimeException | InterruptedException e) {
            broker.close();
            throw e;
        }
        Endpoint advertised = broker.advertisedEndpoint();
        broker.self = new Node(config.nodeId(), advertised.host(), advertised.port(),
                config.getString("broker.rack"));
        long retentionCheckMs = config.getLong("log.retention.check.interval.ms");
        broker.scheduler.scheduleWithFixedDelay(broker::maintenance, retentionCheckMs, retentionCheckMs, TimeUnit.MILLISECONDS);
        if (config.getBoolean("log.cleaner.enable")) {
            // a JVM hash map spends about 100 bytes an entry: size the offset map from the dedupe buffer accordingly
            LogCleaner cleaner = new LogCleaner((int) Math.max(1, Math.min(Integer.MAX_VALUE,
                    config.getLong("log.cleaner.dedupe.buffer.size") / 100)));
            long backoffMs = Math.max(1, config.getLong("log.cleaner.backoff.ms"));
            broker.scheduler.scheduleWithFixedDelay(() -> broker.partitions.runCompaction(cleaner, System.currentTimeMillis()),
                    backoffMs, backoffMs, TimeUnit.MILLISECONDS);
        }
        long txnCheckMs = config.getInt("transaction.abort.timed.out.transaction.cleanup.interval.ms");
        broker.scheduler.scheduleWithFixedDelay(() -> broker.transactions.abortTimedOutTransactions(), txnCheckMs, txnCheckMs,
                TimeUnit.MILLISECONDS);
        long offsetsCheckMs = config.getLong("offsets.retention.check.interval.ms");
        broker.scheduler.scheduleWithFixedDelay(() -> broker.groups.expireOffsets(), offsetsCheckMs, offsetsCheckMs, TimeUnit.MILLISECONDS);
        long flushCheckMs = config.getLong("log.flush.scheduler.interval.ms");
        if (flushCheckMs > 0 && flushCheckMs < Long.MAX_VALUE) {
            broker.scheduler.scheduleWithFixedDelay(broker::maintenance, flushCheckMs, flushCheckMs, TimeUnit.MILLISECONDS);
        }
        return broker;
    }

    /**
     * Creates {@code __consumer_offsets} (compacted, {@code offsets.topic.num.partitions} partitions) when it does
     * not exist, and loads every partition into the group coordinator: a single broker leads them all. Runs once;
     * later calls return the same future. At start-up when the topic exists, otherwise on the first FindCoordinator,
     * as Kafka creates the topic on first use.
     */
    private synchronized CompletableFuture<Void> startGroupCoordinator() {
        if (groupCoordinatorStarted != null) {
            return groupCoordinatorStarted;
        }
        CompletableFuture<TopicService.Result> topic = store.topic(TopicNames.CONSUMER_OFFSETS).isPresent()
                ? CompletableFuture.completedFuture(null)
                : topics.create(new TopicService.NewTopic(TopicNames.CONSUMER_OFFSETS,
                        config.getInt("offsets.topic.num.partitions"), (short) 1, Map.of(),
                        Map.of("cleanup.policy", "compact", "compression.type", "producer",
                                "segment.bytes", String.valueOf(config.get("offsets.topic.segment.bytes")))), false);
        groupCoordinatorStarted = topic.thenCompose(created -> {
            if (created != null && !created.error().isSuccess()) {
                throw new IllegalStateException("Cannot create " + TopicNames.CONSUMER_OFFSETS + ": " + created.error().message());
            }
            int partitionCount = store.topic(TopicNames.CONSUMER_OFFSETS).orElseThrow().partitionCount();
            List<CompletableFuture<Void>> loads = new ArrayList<>();
            for (int p = 0; p < partitionCount; p++) {
                loads.add(groups.loadPartition(p));
            }
            return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new));
        });
        groupCoordinatorStarted.whenComplete((ok, error) -> {
            if (error != null) {
                LOG.error("Cannot start the group coordinator", error);
                synchronized (this) {
                    groupCoordinatorStarted = null; // the next FindCoordinator tries again
                }
            }
        });
        return groupCoordinatorStarted;
    }

    /**
     * Creates {@code __transaction_state} (compacted, {@code transaction.state.log.num.partitions} partitions) when
     * it does not exist, and loads every partition into the transaction coordinator, like
     * {@link #startGroupCoordinator}: at start-up when the topic exists, otherwise on the first FindCoordinator
     * for a transactional id.
     */
    private synchronized CompletableFuture<Void> startTransactionCoordinator() {
        if (transactionCoordinatorStarted != null) {
            return transactionCoordinatorStarted;
        }
        CompletableFuture<TopicService.Result> topic = store.topic(TopicNames.TRANSACTION_STATE).isPresent()
                ? CompletableFuture.completedFuture(null)
                : topics.create(new TopicService.NewTopic(TopicNames.TRANSACTION_STATE,
                        config.getInt("transaction.state.log.num.partitions"), (short) 1, Map.of(),
                        Map.of("cleanup.policy", "compact", "compression.type", "uncompressed",
                                "min.insync.replicas", String.valueOf(config.getInt("transaction.state.log.min.isr")),
                                "segment.bytes", String.valueOf(config.get("transaction.state.log.segment.bytes")))), false);
        transactionCoordinatorStarted = topic.thenCompose(created -> {
            if (created != null && !created.error().isSuccess()) {
                throw new IllegalStateException("Cannot create " + TopicNames.TRANSACTION_STATE + ": " + created.error().message());
            }
            int partitionCount = store.topic(TopicNames.TRANSACTION_STATE).orElseThrow().partitionCount();
            List<CompletableFuture<Void>> loads = new ArrayList<>();
            for (int p = 0; p < partitionCount; p++) {
                loads.add(transactions.loadPartition(p));
            }
            return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new));
        });
        transactionCoordinatorStarted.whenComplete((ok, error) -> {
            if (error != null) {
                LOG.error("Cannot start the transaction coordinator", error);
                synchronized (this) {
                    transactionCoordinatorStarted = null;
                }
            }
        });
        return transactionCoordinatorStarted;
    }

    /** A transaction marker reached a partition: transactional offset commits in it become visible or go. */
    private CompletableFuture<Void> afterMarker(TopicPartition tp, long producerId, boolean commit) {
        return tp.topic().equals(TopicNames.CONSUMER_OFFSETS)
                ? groups.completeTransaction(tp.partition(), producerId, commit)
                : CompletableFuture.completedFuture(null);
    }

    /** The advertised endpoint of the first listener, with the port actually bound when the configured one was 0. */
    private Endpoint advertisedEndpoint() {
        Endpoint bound = network.boundEndpoints().get(0);
        for (Endpoint e : config.advertisedListeners()) {
            if (e.listenerName().equals(bound.listenerName())) {
                return e.port() == 0 ? e.withHostAndPort(e.host(), bound.port()) : e;
            }
        }
        return bound;
    }

    private void maintenance() {
        try {
            partitions.runMaintenance();
        } catch (RuntimeException e) {
            LOG.warn("Log maintenance failed", e);
        }
    }

    public String clusterId() {
        return clusterId;
    }

    public List<Endpoint> boundEndpoints() {
        return network.boundEndpoints();
    }

    /** The storage config of a topic: its overrides, then the broker's values for their synonyms, then Kafka's defaults. */
    LogConfig logConfig(TopicMetadata topic) {
        return topic == null ? TopicConfigs.effective(Map.of(), config) : TopicConfigs.effective(topic, config);
    }

    private List<DescribeLogDirsHandler.ReplicaLog> replicaLogs() {
        List<DescribeLogDirsHandler.ReplicaLog> result = new ArrayList<>();
        Path root = partitions.directory().root().toAbsolutePath().normalize();
        for (PartitionLog log : partitions.directory().logs()) {
            result.add(new DescribeLogDirsHandler.ReplicaLog(root, log.topicPartition().topic(),
                    log.topicPartition().partition(), log.size(), 0));
        }
        return result;
    }

    private static FileRegion fileRegion(dev.runnel.wire.protocol.Records records) {
        LogSliceRecords slice = (LogSliceRecords) records;
        return new LeasedFileRegion(slice.slice().channel(), slice.slice().position(), slice.slice().size(), slice::release);
    }

    /** Stops listeners, then storage; leaves the log dir cleanly shut down. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        network.close();
        topics.close();
        timer.stop();
        partitions.close();
        flusher.close();
        store.close();
        LOG.info("Broker {} stopped; log dir closed cleanly", config.nodeId());
    }

    /** For tests: the partitions this broker hosts. */
    Partitions partitions() {
        return partitions;
    }

}
