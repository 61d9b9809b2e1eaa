package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka's connection quotas ({@code max.connections.per.ip} and its overrides) against an in-process broker, with
 * raw sockets bound to other loopback addresses (127.0.0.2, 127.0.0.3, …: Linux routes all of 127/8 to lo) as
 * distinct clients, and kafka-clients' Admin and kafka-configs changing the limits at runtime. The Admin itself
 * connects from 127.0.0.1, which an override keeps out of the way.
 */
class ConnectionQuotasIT {
    private static final int TIMEOUT_MS = 15_000;

    @TempDir
    Path dataDir;
    private RunningBroker broker;
    private Admin admin;
    private final List<Socket> sockets = new ArrayList<>();
    private int correlationId;

    @BeforeEach
    void startBroker() throws Exception {
        broker = RunningBroker.start(dataDir, Map.of("max.connections.per.ip", "2",
                "max.connections.per.ip.overrides", "127.0.0.1:1000"));
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterEach
    void stopBroker() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        admin.close();
        broker.close();
    }

    @Test
    void connectionsPastTheAddressLimitAreClosedWhileAnotherAddressConnects() throws Exception {
        Socket first = connectFrom("127.0.0.2");
        Socket second = connectFrom("127.0.0.2");
        assertServed(first);
        assertServed(second);
        assertClosedByBroker(connectFrom("127.0.0.2"));
        assertServed(connectFrom("127.0.0.3"));
        assertServed(first);

        first.close();
        // the broker counts the close asynchronously: a new connection is served once it has
        Await.until(Duration.ofSeconds(15), "the closed connection is uncounted", () -> served("127.0.0.2"));
    }

    @Test
    void incrementalAlterConfigsRaisesTheLimitForNewConnectionsAndDescribeShowsIt() throws Exception {
        assertServed(connectFrom("127.0.0.2"));
        assertServed(connectFrom("127.0.0.2"));
        assertClosedByBroker(connectFrom("127.0.0.2"));

        ConfigResource clusterDefault = new ConfigResource(ConfigResource.Type.BROKER, "");
        alter(clusterDefault, "max.connections.per.ip", "4");
        // applied before the response: the very next connection is served
        assertServed(connectFrom("127.0.0.2"));
        assertServed(connectFrom("127.0.0.2"));
        assertClosedByBroker(connectFrom("127.0.0.2"));

        ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "0");
        alter(node, "max.connections.per.ip.overrides", "127.0.0.1:1000,127.0.0.3:0");
        assertClosedByBroker(connectFrom("127.0.0.3"));
        assertServed(connectFrom("127.0.0.4"));

        Config described = admin.describeConfigs(List.of(node),
                new DescribeConfigsOptions().includeSynonyms(true)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).get(node);
        ConfigEntry perIp = described.get("max.connections.per.ip");
        assertEquals("4", perIp.value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, perIp.source());
        assertFalse(perIp.isReadOnly());
        ConfigEntry overrides = described.get("max.connections.per.ip.overrides");
        assertEquals("127.0.0.1:1000,127.0.0.3:0", overrides.value());
        assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, overrides.source());
        assertEquals(List.of(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG,
                        ConfigEntry.ConfigSource.DEFAULT_CONFIG),
                overrides.synonyms().stream().map(ConfigEntry.ConfigSynonym::source).toList());
        assertEquals("2147483647", described.get("max.connections").value());

        // kafka-configs --describe shows each entity's own dynamic values, --all every effective one
        String defaults = KafkaTool.run(KafkaTool.CONFIGS, null, "--bootstrap-server", broker.bootstrap(), "--describe",
                "--entity-type", "brokers", "--entity-default").ok().stdout();
        assertTrue(defaults.contains("max.connections.per.ip=4"), defaults);
        String perBroker = KafkaTool.run(KafkaTool.CONFIGS, null, "--bootstrap-server", broker.bootstrap(), "--describe",
                "--entity-type", "brokers", "--entity-name", "0").ok().stdout();
        assertTrue(perBroker.contains("max.connections.per.ip.overrides=127.0.0.1:1000,127.0.0.3:0"), perBroker);
        assertFalse(perBroker.contains("max.connections.per.ip=4"), "only the broker's own layer: " + perBroker);
        String all = KafkaTool.run(KafkaTool.CONFIGS, null, "--bootstrap-server", broker.bootstrap(), "--describe",
                "--entity-type", "brokers", "--entity-name", "0", "--all").ok().stdout();
        assertTrue(all.contains("max.connections.per.ip=4"), all);
    }

    @Test
    void invalidQuotasAreRefusedAsKafkaRefusesThem() throws Exception {
        ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "0");
        ExecutionException badHost = assertThrows(ExecutionException.class,
                () -> alter(node, "max.connections.per.ip.overrides", "bad host:1"));
        assertInstanceOf(InvalidRequestException.class, badHost.getCause());
        assertTrue(badHost.getCause().getMessage().contains("contains invalid addresses"), badHost.getMessage());

        // 0 without overrides refuses every address: Kafka accepts it only with overrides (the static ones here)
        ExecutionException zero = assertThrows(ExecutionException.class, () -> admin.incrementalAlterConfigs(Map.of(node,
                List.of(new AlterConfigOp(new ConfigEntry("max.connections.per.ip", "0"), AlterConfigOp.OpType.SET),
                        new AlterConfigOp(new ConfigEntry("max.connections.per.ip.overrides", ""), AlterConfigOp.OpType.SET))))
                .all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        assertInstanceOf(InvalidRequestException.class, zero.getCause());
        assertServed(connectFrom("127.0.0.2"));

        alter(node, "max.connections.per.ip", "0");
        assertClosedByBroker(connectFrom("127.0.0.2"));
        assertServed(connectFrom("127.0.0.1")); // its override still lets it in
    }

    private void alter(ConfigResource resource, String key, String value) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(key, value),
                AlterConfigOp.OpType.SET)))).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private boolean served(String from) {
        try {
            Socket socket = connectFrom(from);
            apiVersions(socket);
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    private Socket connectFrom(String local) throws IOException {
        int port = Integer.parseInt(broker.bootstrap().substring(broker.bootstrap().lastIndexOf(':') + 1));
        Socket socket = new Socket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
        socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), TIMEOUT_MS);
        socket.setSoTimeout(TIMEOUT_MS);
        return socket;
    }

    private void assertServed(Socket socket) throws IOException {
        assertEquals(Errors.NONE.code(), apiVersions(socket).data().errorCode());
    }

    /** The broker closed the connection right after accepting it: end of stream, or a reset. */
    private static void assertClosedByBroker(Socket socket) throws IOException {
        try {
            assertEquals(-1, socket.getInputStream().read(), "connection still open");
        } catch (SocketException reset) {
            // the client sees a reset when it had sent bytes the broker never read
        }
    }

    /** One ApiVersions v3 request built and parsed by kafka-clients' own classes. */
    private ApiVersionsResponse apiVersions(Socket socket) throws IOException {
        short version = 3;
        RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, version, "quota-test", ++correlationId);
        return (ApiVersionsResponse) RawRequests.exchange(socket, new ApiVersionsRequest.Builder().build(version), header);
    }
}
