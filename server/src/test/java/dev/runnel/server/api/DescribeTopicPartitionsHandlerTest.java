package dev.runnel.server.api;

import dev.runnel.server.metadata.LocalMetadataStore;
import dev.runnel.server.metadata.PartitionState;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DescribeTopicPartitionsRequest;
import dev.runnel.wire.message.DescribeTopicPartitionsResponse;
import dev.runnel.wire.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class DescribeTopicPartitionsHandlerTest {
    @TempDir
    Path dir;

    private static final RequestContext CONTEXT = new RequestContext(ApiMessageType.DESCRIBE_TOPIC_PARTITIONS, (short) 0, 1, "t", null);

    private DescribeTopicPartitionsResponse call(LocalMetadataStore store, DescribeTopicPartitionsRequest request) {
        return (DescribeTopicPartitionsResponse) new DescribeTopicPartitionsHandler(store, 2000).handle(CONTEXT, request).join();
    }

    private static void add(LocalMetadataStore store, String name, int partitions) {
        store.createTopic(new TopicMetadata(name, UUID.randomUUID(),
                IntStream.range(0, partitions).mapToObj(i -> PartitionState.singleReplica(1)).toList(), Map.of()));
    }

    @Test
    void pagesThroughAllTopicsSortedByNameWithACursor() {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            add(store, "b", 3);
            add(store, "a", 2);
            add(store, "c", 1);
            List<String> seen = new ArrayList<>();
            DescribeTopicPartitionsRequest request = new DescribeTopicPartitionsRequest().setResponsePartitionLimit(2);
            for (int page = 0; page < 10; page++) {
                DescribeTopicPartitionsResponse response = call(store, request);
                response.topics().forEach(t -> t.partitions().forEach(p -> seen.add(t.name() + "-" + p.partitionIndex())));
                if (response.nextCursor() == null) {
                    break;
                }
                request.setCursor(new DescribeTopicPartitionsRequest.Cursor()
                        .setTopicName(response.nextCursor().topicName()).setPartitionIndex(response.nextCursor().partitionIndex()));
            }
            assertEquals(List.of("a-0", "a-1", "b-0", "b-1", "b-2", "c-0"), seen);
        }
    }

    @Test
    void unknownTopicAndBadCursorGetKafkasErrors() {
        try (LocalMetadataStore store = LocalMetadataStore.open(dir)) {
            add(store, "a", 1);
            DescribeTopicPartitionsResponse response = call(store, new DescribeTopicPartitionsRequest().setTopics(List.of(
                    new DescribeTopicPartitionsRequest.TopicRequest().setName("a"),
                    new DescribeTopicPartitionsRequest.TopicRequest().setName("missing"))));
            assertEquals(Errors.NONE.code(), response.topics().get(0).errorCode());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), response.topics().get(1).errorCode());
            assertNull(response.nextCursor());
            DescribeTopicPartitionsResponse bad = call(store, new DescribeTopicPartitionsRequest()
                    .setTopics(List.of(new DescribeTopicPartitionsRequest.TopicRequest().setName("a")))
                    .setCursor(new DescribeTopicPartitionsRequest.Cursor().setTopicName("zzz")));
            assertEquals(Errors.INVALID_REQUEST.code(), bad.topics().get(0).errorCode());
        }
    }
}
