package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kafka-clients 4.3 Admin against the broker: every topic, config, records and cluster operation an operator uses,
 * with the results read back, and the error each bad request gets from Kafka surfacing as the same exception.
 */
class AdminClientIT {
    private static final int NODE_ID = 0;

    @TempDir
    static Path dataDir;
    static RunningBroker broker;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        broker = RunningBroker.start(dataDir);
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void createTopicsHonoursPartitionCountReplicaAssignmentAndConfigs() throws Exception {
        NewTopic counted = new NewTopic("created-counted", 3, (short) 1)
                .configs(Map.of("retention.ms", "123456", "cleanup.policy", "compact"));
        NewTopic assigned = new NewTopic("created-assigned", Map.of(0, List.of(NODE_ID), 1, List.of(NODE_ID)));
        CreateTopicsResult result = admin.createTopics(List.of(counted, assigned));
        get(result.all());

        assertEquals(3, get(result.numPartitions("created-counted")));
        assertEquals(1, get(result.replicationFactor("created-counted")));
        Config config = get(result.config("created-counted"));
        assertEquals("123456", config.get("retention.ms").value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, config.get("retention.ms").source());
        assertEquals("compact", config.get("cleanup.policy").value());
        assertEquals(2, get(result.numPartitions("created-assigned")));

        Uuid id = get(result.topicId("created-counted"));
        assertNotEquals(Uuid.ZERO_UUID, id);
        TopicDescription described = describe("created-counted");
        assertEquals(id, described.topicId());
        assertFalse(described.isInternal());
        assertEquals(3, described.partitions().size());
        for (TopicPartitionInfo p : described.partitions()) {
            assertEquals(NODE_ID, p.leader().id());
            assertEquals(List.of(NODE_ID), p.replicas().stream().map(Node::id).toList());
            assertEquals(List.of(NODE_ID), p.isr().stream().map(Node::id).toList());
        }
        assertEquals(List.of(0, 1), describe("created-assigned").partitions().stream().map(TopicPartitionInfo::partition).toList());

        Config stored = topicConfig("created-counted");
        assertEquals("123456", stored.get("retention.ms").value());
        assertEquals("compact", stored.get("cleanup.policy").value());
    }

    @Test
    void validateOnlyCreatesNothing() throws Exception {
        CreateTopicsResult result = admin.createTopics(List.of(new NewTopic("validated-only", 2, (short) 1)),
                new CreateTopicsOptions().validateOnly(true));
        get(result.all());
        assertEquals(2, get(result.numPartitions("validated-only")));
        assertFalse(get(admin.listTopics().names()).contains("validated-only"));
        assertFails(UnknownTopicOrPartitionException.class, admin.describeTopics(List.of("validated-only")).allTopicNames());

        assertFails(InvalidConfigurationException.class, admin.createTopics(List.of(new NewTopic("validated-bad", 1, (short) 1)
                .configs(Map.of("retention.ms", "soon"))), new CreateTopicsOptions().validateOnly(true)).all());
    }

    @Test
    void listTopicsShowsInternalTopicsOnlyWhenAsked() throws Exception {
        createTopic("listed", 1);
        Set<String> visible = get(admin.listTopics().names());
        assertTrue(visible.contains("listed"));
        assertFalse(visible.contains("__consumer_offsets"));

        // like Kafka, the broker creates __consumer_offsets when a group coordinator is first looked up
        get(admin.listConsumerGroupOffsets("any-group").partitionsToOffsetAndMetadata());
        var withInternal = get(admin.listTopics(new ListTopicsOptions().listInternal(true)).namesToListings());
        assertTrue(withInternal.get("__consumer_offsets").isInternal());
        assertFalse(withInternal.get("listed").isInternal());
        assertEquals(get(admin.describeTopics(List.of("listed")).allTopicNames()).get("listed").topicId(),
                withInternal.get("listed").topicId());
    }

    @Test
    void describeTopicsByIdMatchesDescribeByName() throws Exception {
        createTopic("described", 4);
        TopicDescription byName = describe("described");
        TopicDescription byId = get(admin.describeTopics(TopicCollection.ofTopicIds(List.of(byName.topicId())))
                .allTopicIds()).get(byName.topicId());
        assertEquals("described", byId.name());
        assertEquals(byName.topicId(), byId.topicId());
        // by name the client uses DescribeTopicPartitions, by id Metadata; only the first carries ELR fields
        assertEquals(byName.partitions().stream().map(p -> List.of(p.partition(), p.leader(), p.replicas(), p.isr())).toList(),
                byId.partitions().stream().map(p -> List.of(p.partition(), p.leader(), p.replicas(), p.isr())).toList());

        Uuid unknown = Uuid.randomUuid();
        assertFails(UnknownTopicIdException.class, admin.describeTopics(TopicCollection.ofTopicIds(List.of(unknown)))
                .topicIdValues().get(unknown));
    }

    @Test
    void deleteTopicsByNameAndByIdRemovesThemAndTheNameCanBeReused() throws Exception {
        createTopic("deleted-by-name", 2);
        createTopic("deleted-by-id", 2);
        produce("deleted-by-name", 0, 5);
        Uuid id = describe("deleted-by-id").topicId();
        Uuid oldNameId = describe("deleted-by-name").topicId();

        get(admin.deleteTopics(List.of("deleted-by-name")).all());
        get(admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id))).all());

        Set<String> names = get(admin.listTopics().names());
        assertFalse(names.contains("deleted-by-name"));
        assertFalse(names.contains("deleted-by-id"));
        assertFails(UnknownTopicOrPartitionException.class, admin.describeTopics(List.of("deleted-by-name")).allTopicNames());
        assertFails(UnknownTopicOrPartitionException.class, admin.deleteTopics(List.of("deleted-by-name")).all());
        assertFails(UnknownTopicIdException.class, admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id))).all());

        createTopic("deleted-by-name", 1);
        assertNotEquals(oldNameId, describe("deleted-by-name").topicId());
        TopicPartition tp = new TopicPartition("deleted-by-name", 0);
        assertEquals(0, get(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)).offset(),
                "a re-created topic starts empty");
    }

    @Test
    void createPartitionsGrowsTopicAndRejectsShrinking() throws Exception {
        createTopic("grown", 2);
        get(admin.createPartitions(Map.of("grown", NewPartitions.increaseTo(5)), new CreatePartitionsOptions().validateOnly(true)).all());
        assertEquals(2, describe("grown").partitions().size(), "validate only");
        get(admin.createPartitions(Map.of("grown", NewPartitions.increaseTo(5))).all());
        assertEquals(5, describe("grown").partitions().size());
        get(admin.createPartitions(Map.of("grown", NewPartitions.increaseTo(6, List.of(List.of(NODE_ID))))).all());
        assertEquals(6, describe("grown").partitions().size());
        assertEquals(0, produce("grown", 5, 1).get(0).offset());

        assertFails(InvalidPartitionsException.class, admin.createPartitions(Map.of("grown", NewPartitions.increaseTo(3))).all());
        assertFails(InvalidPartitionsException.class, admin.createPartitions(Map.of("grown", NewPartitions.increaseTo(6))).all());
        assertFails(UnknownTopicOrPartitionException.class,
                admin.createPartitions(Map.of("never-created", NewPartitions.increaseTo(6))).all());
        assertEquals(6, describe("grown").partitions().size());
    }

    @Test
    void describedTopicConfigsAreAcceptedBackByLegacyAlterConfigsUnchanged() throws Exception {
        createTopic("round-trip", 1, Map.of("retention.ms", "3600000", "cleanup.policy", "compact,delete"));
        Config described = topicConfig("round-trip");
        assertTrue(described.entries().size() > 20, "every topic config is described: " + described.entries().size());

        List<AlterConfigsRequest.ConfigEntry> entries = new ArrayList<>();
        described.entries().forEach(e -> entries.add(new AlterConfigsRequest.ConfigEntry(e.name(), e.value())));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "round-trip");
        AlterConfigsRequest request = new AlterConfigsRequest.Builder(
                Map.of(resource, new AlterConfigsRequest.Config(entries)), false).build((short) 2);
        AlterConfigsResponse response = (AlterConfigsResponse) RawRequests.send(broker.bootstrap(), request);
        AlterConfigsResponseData.AlterConfigsResourceResponse result = response.data().responses().get(0);
        assertEquals(Errors.NONE.code(), result.errorCode(), result.errorMessage());

        assertEquals(values(described), values(topicConfig("round-trip")));
    }

    @Test
    void incrementalAlterConfigsSetsDeletesAppendsAndSubtractsTopicConfigs() throws Exception {
        createTopic("incremental", 1);
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "incremental");
        assertEquals("delete", topicConfig("incremental").get("cleanup.policy").value());

        alter(topic, new AlterConfigOp(new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "2000"), AlterConfigOp.OpType.SET));
        Config afterSet = topicConfig("incremental");
        assertEquals("86400000", afterSet.get("retention.ms").value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, afterSet.get("retention.ms").source());
        assertEquals("2000", afterSet.get("max.message.bytes").value());

        get(admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "1"),
                AlterConfigOp.OpType.SET))), new AlterConfigsOptions().validateOnly(true)).all());
        assertEquals("86400000", topicConfig("incremental").get("retention.ms").value(), "validate only");

        alter(topic, new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND));
        assertEquals("delete,compact", topicConfig("incremental").get("cleanup.policy").value());
        alter(topic, new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SUBTRACT));
        assertEquals("compact", topicConfig("incremental").get("cleanup.policy").value());

        alter(topic, new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE));
        Config afterDelete = topicConfig("incremental");
        assertEquals("604800000", afterDelete.get("retention.ms").value());
        assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, afterDelete.get("retention.ms").source());
        assertEquals("2000", afterDelete.get("max.message.bytes").value(), "other overrides stay");

        assertFails(InvalidConfigurationException.class, admin.incrementalAlterConfigs(Map.of(topic, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "forever"), AlterConfigOp.OpType.SET)))).all());
        assertFails(InvalidConfigurationException.class, admin.incrementalAlterConfigs(Map.of(topic, List.of(
                new AlterConfigOp(new ConfigEntry("no.such.config", "1"), AlterConfigOp.OpType.SET)))).all());
        ConfigResource missing = new ConfigResource(ConfigResource.Type.TOPIC, "never-created");
        assertFails(UnknownTopicOrPartitionException.class, admin.incrementalAlterConfigs(Map.of(missing, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET)))).all());
        assertEquals("compact", topicConfig("incremental").get("cleanup.policy").value(), "failed changes change nothing");
    }

    @Test
    void brokerConfigsAreDescribedAndDynamicallyAlterable() throws Exception {
        ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(NODE_ID));
        Config described = get(admin.describeConfigs(List.of(node)).all()).get(node);
        assertEquals("1048588", described.get("message.max.bytes").value());
        assertEquals("1", described.get("num.partitions").value());
        assertEquals(dataDir.toString(), described.get("log.dirs").value());
        assertTrue(described.get("log.dirs").isReadOnly());

        createTopic("follows-broker", 1);
        alter(node, new AlterConfigOp(new ConfigEntry("log.retention.ms", "7200000"), AlterConfigOp.OpType.SET));
        try {
            ConfigEntry brokerValue = get(admin.describeConfigs(List.of(node)).all()).get(node).get("log.retention.ms");
            assertEquals("7200000", brokerValue.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, brokerValue.source());
            ConfigEntry topicValue = topicConfig("follows-broker").get("retention.ms");
            assertEquals("7200000", topicValue.value(), "a topic without an override follows the broker");
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, topicValue.source());
        } finally {
            alter(node, new AlterConfigOp(new ConfigEntry("log.retention.ms", null), AlterConfigOp.OpType.DELETE));
        }
        assertEquals("604800000", topicConfig("follows-broker").get("retention.ms").value());
    }

    @Test
    void deleteRecordsMovesTheLogStartOffset() throws Exception {
        createTopic("trimmed", 1);
        produce("trimmed", 0, 10);
        TopicPartition tp = new TopicPartition("trimmed", 0);
        assertEquals(4, get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp)).lowWatermark());
        assertEquals(4, get(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp)).offset());
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(broker.bootstrap(), Map.of())) {
            List<ConsumerRecord<byte[], byte[]>> read = Clients.readAll(consumer, List.of(tp), 6);
            assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L), read.stream().map(ConsumerRecord::offset).toList());
        }
        assertFails(OffsetOutOfRangeException.class,
                admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(11))).lowWatermarks().get(tp));
        assertEquals(10, get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1))).lowWatermarks().get(tp)).lowWatermark(),
                "-1 deletes up to the high watermark");
    }

    @Test
    void describeClusterNamesThisBrokerAsTheOnlyNodeAndController() throws Exception {
        DescribeClusterResult cluster = admin.describeCluster();
        String clusterId = get(cluster.clusterId());
        assertNotNull(clusterId);
        assertEquals(22, clusterId.length(), "a base64 UUID as Kafka generates: " + clusterId);
        Node controller = get(cluster.controller());
        assertEquals(NODE_ID, controller.id());
        List<Node> nodes = new ArrayList<>(get(cluster.nodes()));
        assertEquals(1, nodes.size());
        assertEquals(NODE_ID, nodes.get(0).id());
        assertEquals(broker.bootstrap(), nodes.get(0).host() + ":" + nodes.get(0).port());
    }

    @Test
    void describeLogDirsReportsPartitionSizesAfterProducing() throws Exception {
        createTopic("sized", 2);
        produce("sized", 1, 20);
        Map<String, LogDirDescription> dirs = get(admin.describeLogDirs(List.of(NODE_ID)).allDescriptions()).get(NODE_ID);
        assertEquals(1, dirs.size());
        LogDirDescription dir = dirs.values().iterator().next();
        assertNull(dir.error());
        assertTrue(dir.totalBytes().isPresent() && dir.totalBytes().getAsLong() > 0, "total bytes of the log dir's volume");
        assertTrue(dir.usableBytes().isPresent() && dir.usableBytes().getAsLong() <= dir.totalBytes().getAsLong());
        ReplicaInfo written = dir.replicaInfos().get(new TopicPartition("sized", 1));
        ReplicaInfo empty = dir.replicaInfos().get(new TopicPartition("sized", 0));
        assertTrue(written.size() > 20 * 100, "size of a partition holding 20 records of 100 bytes: " + written.size());
        assertFalse(written.isFuture());
        assertEquals(0, written.offsetLag());
        assertEquals(0, empty.size());
    }

    @Test
    void noPartitionReassignmentIsInProgress() throws Exception {
        assertTrue(get(admin.listPartitionReassignments().reassignments()).isEmpty());
    }

    @Test
    void describeProducersListsTheIdempotentProducer() throws Exception {
        createTopic("produced-by", 1);
        TopicPartition tp = new TopicPartition("produced-by", 0);
        produce("produced-by", 0, 3);
        List<ProducerState> producers = get(admin.describeProducers(List.of(tp)).partitionResult(tp)).activeProducers();
        assertEquals(1, producers.size());
        ProducerState producer = producers.get(0);
        assertTrue(producer.producerId() >= 0, producer.toString());
        assertEquals(0, producer.producerEpoch());
        assertEquals(2, producer.lastSequence());
        assertTrue(producer.lastTimestamp() > 0, producer.toString());
        assertTrue(producer.currentTransactionStartOffset().isEmpty(), producer.toString());
    }

    @Test
    void badCreateRequestsGetKafkasErrors() throws Exception {
        createTopic("exists", 1);
        assertFails(TopicExistsException.class, admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1))).all());
        assertFails(InvalidPartitionsException.class, admin.createTopics(List.of(new NewTopic("no-partitions", 0, (short) 1))).all());
        assertFails(InvalidReplicationFactorException.class,
                admin.createTopics(List.of(new NewTopic("no-replicas", 1, (short) 0))).all());
        assertFails(InvalidReplicationFactorException.class,
                admin.createTopics(List.of(new NewTopic("three-replicas", 1, (short) 3))).all());
        assertFails(InvalidConfigurationException.class, admin.createTopics(List.of(new NewTopic("bad-value", 1, (short) 1)
                .configs(Map.of("retention.ms", "soon")))).all());
        assertFails(InvalidConfigurationException.class, admin.createTopics(List.of(new NewTopic("bad-name", 1, (short) 1)
                .configs(Map.of("retention.millis", "1000")))).all());
        assertFails(InvalidTopicException.class, admin.createTopics(List.of(new NewTopic("bad topic!", 1, (short) 1))).all());
        assertFails(InvalidReplicaAssignmentException.class, admin.createTopics(List.of(
                new NewTopic("gap-assigned", Map.of(0, List.of(NODE_ID), 2, List.of(NODE_ID))))).all());
        assertFails(InvalidReplicaAssignmentException.class, admin.createTopics(List.of(
                new NewTopic("unknown-broker-assigned", Map.of(0, List.of(7))))).all());
        assertFails(UnknownTopicOrPartitionException.class, admin.describeTopics(List.of("never-created")).allTopicNames());
        assertFails(UnknownTopicOrPartitionException.class, admin.deleteTopics(List.of("never-created")).all());

        Set<String> names = get(admin.listTopics().names());
        for (String failed : List.of("no-partitions", "no-replicas", "three-replicas", "bad-value", "bad-name", "never-created",
                "gap-assigned", "unknown-broker-assigned")) {
            assertFalse(names.contains(failed), failed + " must not exist");
        }
    }

    private static void createTopic(String name, int partitions) throws Exception {
        createTopic(name, partitions, Map.of());
    }

    private static void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        get(admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all());
    }

    private static TopicDescription describe(String topic) throws Exception {
        return get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
    }

    private static Config topicConfig(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return get(admin.describeConfigs(List.of(resource)).all()).get(resource);
    }

    private static Map<String, String> values(Config config) {
        return config.entries().stream().collect(Collectors.toMap(ConfigEntry::name, e -> String.valueOf(e.value()),
                (a, b) -> a, TreeMap::new));
    }

    private static void alter(ConfigResource resource, AlterConfigOp... ops) throws Exception {
        get(admin.incrementalAlterConfigs(Map.of(resource, List.of(ops))).all());
    }

    private static List<RecordMetadata> produce(String topic, int partition, int count) throws Exception {
        List<RecordMetadata> acks = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            for (int i = 0; i < count; i++) {
                byte[] value = ("record-" + i + "-" + "x".repeat(100)).getBytes(StandardCharsets.UTF_8);
                acks.add(producer.send(new ProducerRecord<>(topic, partition, null, value)).get(30, TimeUnit.SECONDS));
            }
        }
        return acks;
    }

    private static <T> T get(KafkaFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static void assertFails(Class<? extends Throwable> expected, KafkaFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
        assertInstanceOf(expected, e.getCause(), "cause: " + e.getCause());
    }
}
