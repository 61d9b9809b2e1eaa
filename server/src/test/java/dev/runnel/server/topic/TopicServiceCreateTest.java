package dev.runnel.server.topic;

import dev.runnel.server.cluster.ClusterView;
import dev.runnel.server.cluster.Node;
import dev.runnel.server.metadata.LocalMetadataStore;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One CreateTopics request: one result per topic, one metadata-store write, logs created for the valid topics. */
class TopicServiceCreateTest {
    @TempDir
    Path dir;

    /** Records the topics whose logs are created; fails those named in {@code failing}. */
    private static final class RecordingLogs implements PartitionLogs {
        final List<List<String>> batches = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();
        final Set<String> failing;

        RecordingLogs(Set<String> failing) {
            this.failing = failing;
        }

        @Override
        public void createLogs(TopicMetadata topic, int fromPartition) {
            if (failing.contains(topic.name())) {
                throw new IllegalStateException("disk full");
            }
        }

        @Override
        public Map<String, RuntimeException> createLogs(Collection<TopicMetadata> topics) {
            batches.add(topics.stream().map(TopicMetadata::name).toList());
            return PartitionLogs.super.createLogs(topics);
        }

        @Override
        public void deleteLogs(TopicMetadata topic) {
            deleted.add(topic.name());
        }

        @Override
        public void updateConfigs(TopicMetadata topic) {
        }
    }

    /** The local store, counting the writes that create topics. */
    private record CountingStore(LocalMetadataStore store, List<Integer> creates) implements MetadataStore {
        @Override
        public Collection<TopicMetadata> topics() {
            return store.topics();
        }

        @Override
        public Optional<TopicMetadata> topic(String name) {
            return store.topic(name);
        }

        @Override
        public Optional<TopicMetadata> topic(UUID topicId) {
            return store.topic(topicId);
        }

        @Override
        public void createTopic(TopicMetadata topic) {
            createTopics(List.of(topic));
        }

        @Override
        public void createTopics(Collection<TopicMetadata> topics) {
            creates.add(topics.size());
            store.createTopics(topics);
        }

        @Override
        public void updateTopic(TopicMetadata topic) {
            store.updateTopic(topic);
        }

        @Override
        public Optional<TopicMetadata> deleteTopic(String name) {
            return store.deleteTopic(name);
        }

        @Override
        public Map<String, String> dynamicBrokerConfigs() {
            return store.dynamicBrokerConfigs();
        }

        @Override
        public void setDynamicBrokerConfigs(Map<String, String> configs) {
            store.setDynamicBrokerConfigs(configs);
        }

        @Override
        public long allocateProducerIdBlock(int size) {
            return store.allocateProducerIdBlock(size);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    private static TopicService.NewTopic topic(String name, int partitions) {
        return new TopicService.NewTopic(name, partitions, (short) -1, Map.of(), Map.of());
    }

    private TopicService service(MetadataStore store, PartitionLogs logs) {
        return new TopicService(store, logs, ClusterView.single("c", new Node(1, "localhost", 9092, null)),
                () -> new TopicService.Defaults(1, (short) 1),
                configs -> configs.containsKey("bogus") ? "Unknown topic config name: bogus" : null);
    }

    @Test
    void aRequestIsOneStoreWriteAndOneBatchOfLogs() {
        CountingStore store = new CountingStore(LocalMetadataStore.open(dir), new ArrayList<>());
        store.createTopic(new TopicMetadata("existing", UUID.randomUUID(), List.of(), Map.of()));
        store.creates().clear();
        RecordingLogs logs = new RecordingLogs(Set.of());
        try (TopicService service = service(store, logs)) {
            List<TopicService.Result> results = service.create(List.of(topic("a", 3), topic("existing", 1),
                    topic("b", 2), new TopicService.NewTopic("c", 1, (short) -1, Map.of(), Map.of("bogus", "1")),
                    topic("a", 5), topic("bad/name", 1)), false).join();

            assertEquals(List.of(Errors.NONE, Errors.TOPIC_ALREADY_EXISTS, Errors.NONE, Errors.INVALID_CONFIG,
                    Errors.TOPIC_ALREADY_EXISTS, Errors.INVALID_TOPIC_EXCEPTION),
                    results.stream().map(r -> r.error().error()).toList());
            assertEquals(3, results.get(0).topic().partitionCount());
            assertEquals(List.of(2), store.creates(), "one write for the two valid topics");
            assertEquals(List.of(List.of("a", "b")), logs.batches, "the valid topics' logs, created together");
        }
        try (LocalMetadataStore reopened = LocalMetadataStore.open(dir)) {
            assertEquals(Set.of("existing", "a", "b"), Set.copyOf(reopened.topics().stream().map(TopicMetadata::name).toList()));
            assertEquals(3, reopened.topic("a").orElseThrow().partitionCount());
        }
    }

    @Test
    void validateOnlyWritesNothing() {
        LocalMetadataStore store = LocalMetadataStore.open(dir);
        RecordingLogs logs = new RecordingLogs(Set.of());
        try (TopicService service = service(store, logs)) {
            List<TopicService.Result> results = service.create(List.of(topic("a", 3), topic("b", 0)), true).join();
            assertEquals(List.of(Errors.NONE, Errors.INVALID_PARTITIONS), results.stream().map(r -> r.error().error()).toList());
        }
        assertTrue(store.topics().isEmpty());
        assertTrue(logs.batches.isEmpty());
    }

    @Test
    void aTopicWhoseLogsFailIsRemovedAgainAndTheOthersStay() {
        LocalMetadataStore store = LocalMetadataStore.open(dir);
        RecordingLogs logs = new RecordingLogs(Set.of("broken"));
        try (TopicService service = service(store, logs)) {
            List<TopicService.Result> results = service.create(List.of(topic("fine", 2), topic("broken", 2)), false).join();
            assertEquals(Errors.NONE, results.get(0).error().error());
            assertEquals(Errors.KAFKA_STORAGE_ERROR, results.get(1).error().error());
            assertTrue(results.get(1).error().message().contains("disk full"), results.get(1).error().message());
        }
        assertEquals(List.of("broken"), logs.deleted);
        try (LocalMetadataStore reopened = LocalMetadataStore.open(dir)) {
            assertEquals(List.of("fine"), reopened.topics().stream().map(TopicMetadata::name).toList());
        }
    }
}
