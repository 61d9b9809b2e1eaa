package dev.runnel.server;

import dev.runnel.log.TopicPartition;
import dev.runnel.server.config.BrokerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Dynamic broker configs reach the open logs of topics that do not override them, as in Kafka. */
class BrokerDynamicConfigTest {
    @Test
    void clusterDefaultAndPerBrokerChangesReachLogsWithoutOverrides(@TempDir Path dir) throws Exception {
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", dir.toString()));
        try (Broker broker = Broker.start(config);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     "127.0.0.1:" + broker.boundEndpoints().get(0).port()))) {
            admin.createTopics(List.of(new NewTopic("plain", 2, (short) 1),
                    new NewTopic("own", 1, (short) 1).configs(Map.of("retention.ms", "5000"))))
                    .all().get(30, TimeUnit.SECONDS);

            alter(admin, "", "log.retention.ms", "123456");
            assertEquals(123456L, retentionMs(broker, "plain", 0));
            assertEquals(123456L, retentionMs(broker, "plain", 1));
            assertEquals(5000L, retentionMs(broker, "own", 0), "a topic override wins over the broker value");

            alter(admin, Integer.toString(config.nodeId()), "log.retention.ms", "654321");
            assertEquals(654321L, retentionMs(broker, "plain", 1), "the per-broker layer wins over the cluster default");
        }
    }

    private static void alter(Admin admin, String broker, String key, String value) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.BROKER, broker),
                List.of(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
    }

    private static long retentionMs(Broker broker, String topic, int partition) {
        return broker.partitions().directory().log(new TopicPartition(topic, partition)).config().retentionMs();
    }
}
