package dev.runnel.server.metadata;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalMetadataStoreTest {
    @TempDir
    Path dir;

    private static TopicMetadata topic(String name, int partitions, Map<String, String> configs) {
        List<PartitionState> states = java.util.stream.IntStream.range(0, partitions)
                .mapToObj(i -> PartitionState.singleReplica(1)).toList();
        return new TopicMetadata(name, UUID.randomUUID(), states, configs);
    }

    @Test
    void topicsAndConfigsSurviveReopening() {
        TopicMetadata orders = topic("orders.v1", 3, Map.of("cleanup.policy", "compact", "retention.ms", "1000"));
        TopicMetadata weird = topic("a_b-c", 1, Map.of("message.timestamp.type", "Log Append=Time\nx"));
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            store.createTopic(orders);
            store.createTopic(weird);
            store.setDynamicBrokerConfigs(Map.of("log.retention.ms", "5000"));
        }
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertEquals(orders, store.topic("orders.v1").orElseThrow());
            assertEquals(weird, store.topic(weird.topicId()).orElseThrow());
            assertEquals(2, store.topics().size());
            assertEquals(Map.of("log.retention.ms", "5000"), store.dynamicBrokerConfigs());
        }
    }

    @Test
    void createExistingTopicFailsAndDeleteRemoves() {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            TopicMetadata t = topic("t", 2, Map.of());
            store.createTopic(t);
            assertThrows(MetadataStore.TopicExistsException.class, () -> store.createTopic(topic("t", 1, Map.of())));
            assertEquals(t, store.deleteTopic("t").orElseThrow());
            assertTrue(store.deleteTopic("t").isEmpty());
            assertTrue(store.topic(t.topicId()).isEmpty());
        }
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            assertTrue(store.topics().isEmpty());
        }
    }

    @Test
    void updateChangesPartitionsAndLeavesNoTemporaryFile() {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            TopicMetadata t = topic("t", 1, Map.of());
            store.createTopic(t);
            store.updateTopic(t.withPartitions(List.of(PartitionState.singleReplica(1), new PartitionState(1, 3, List.of(1), List.of(1)))));
        }
        assertFalse(Files.exists(dir.resolve(LocalMetadataStore.FILE_NAME + ".tmp")));
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            TopicMetadata t = store.topic("t").orElseThrow();
            assertEquals(2, t.partitionCount());
            assertEquals(3, t.partitions().get(1).leaderEpoch());
        }
    }

    @Test
    void topicNameRulesMatchKafka() {
        assertNull(TopicNames.invalidReason("valid.Topic_name-1"));
        assertNotNull(TopicNames.invalidReason(""));
        assertNotNull(TopicNames.invalidReason("."));
        assertNotNull(TopicNames.invalidReason(".."));
        assertNotNull(TopicNames.invalidReason("has space"));
        assertNotNull(TopicNames.invalidReason("x".repeat(250)));
        assertNull(TopicNames.invalidReason("x".repeat(249)));
        for (String name : List.of("", ".", "..", "a b", "ü", "x".repeat(250), "ok-name", "a.b")) {
            boolean kafkaValid;
            try {
                org.apache.kafka.common.internals.Topic.validate(name);
                kafkaValid = true;
            } catch (org.apache.kafka.common.errors.InvalidTopicException e) {
                kafkaValid = false;
            }
            assertEquals(kafkaValid, TopicNames.invalidReason(name) == null, name);
        }
    }
}
