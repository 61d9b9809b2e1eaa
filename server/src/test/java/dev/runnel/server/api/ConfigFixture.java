package dev.runnel.server.api;

import dev.runnel.server.cluster.ClusterView;
import dev.runnel.server.cluster.Node;
import dev.runnel.server.config.BrokerConfig;
import dev.runnel.server.config.DynamicBrokerConfigs;
import dev.runnel.server.config.TopicConfigs;
import dev.runnel.server.metadata.LocalMetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.topic.PartitionLogs;
import dev.runnel.server.topic.TopicService;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.protocol.ApiMessage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A single broker's config handlers over a real metadata store in a temporary directory. */
final class ConfigFixture implements AutoCloseable {
    final Path dir;
    final LocalMetadataStore store;
    final BrokerConfig broker;
    final DynamicBrokerConfigs dynamic;
    final TopicService topics;
    final List<TopicMetadata> configUpdates = new ArrayList<>();
    final DescribeConfigsHandler describe;
    final AlterConfigsHandler alter;
    final IncrementalAlterConfigsHandler incremental;

    ConfigFixture(Path dir, Map<String, String> serverProperties) {
        this.dir = dir;
        this.store = LocalMetadataStore.open(dir);
        this.broker = BrokerConfig.of(serverProperties);
        this.dynamic = new DynamicBrokerConfigs(broker, store);
        dynamic.restore();
        PartitionLogs logs = new PartitionLogs() {
            @Override
            public void createLogs(TopicMetadata topic, int fromPartition) {
            }

            @Override
            public void deleteLogs(TopicMetadata topic) {
            }

            @Override
            public void updateConfigs(TopicMetadata topic) {
                configUpdates.add(topic);
            }
        };
        ClusterView cluster = ClusterView.single("cluster-1", new Node(broker.nodeId(), "localhost", 9092, null));
        this.topics = new TopicService(store, logs, cluster, () -> new TopicService.Defaults(1, (short) 1),
                overrides -> TopicConfigs.validate(overrides, broker));
        this.describe = new DescribeConfigsHandler(store, broker);
        this.alter = new AlterConfigsHandler(topics, dynamic, Runnable::run);
        this.incremental = new IncrementalAlterConfigsHandler(topics, dynamic, Runnable::run);
    }

    TopicMetadata createTopic(String name, Map<String, String> configs) {
        return topics.create(new TopicService.NewTopic(name, 1, (short) 1, Map.of(), configs), false).join().topic();
    }

    static RequestContext context(ApiMessageType api, int version) {
        return new RequestContext(api, (short) version, 7, "test-client", null);
    }

    @SuppressWarnings("unchecked")
    static <T extends ApiMessage> T call(ApiHandler<?> handler, ApiMessage request, int version) {
        ApiHandler<ApiMessage> h = (ApiHandler<ApiMessage>) handler;
        return (T) h.handle(context(h.api(), version), request).join();
    }

    @Override
    public void close() {
        topics.close();
        store.close();
    }
}
