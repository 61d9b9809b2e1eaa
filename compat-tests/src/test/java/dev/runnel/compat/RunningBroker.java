package dev.runnel.compat;

import dev.runnel.server.RunnelServer;
import dev.runnel.server.config.BrokerConfig;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** An in-process broker on an ephemeral loopback port with its data in a given directory. */
final class RunningBroker implements AutoCloseable {
    private final RunnelServer server;
    private final Path dataDir;

    private RunningBroker(RunnelServer server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    static RunningBroker start(Path dataDir, Map<String, String> overrides) throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", dataDir.toString());
        props.putAll(overrides);
        RunnelServer server = new RunnelServer(BrokerConfig.of(props));
        server.start();
        return new RunningBroker(server, dataDir);
    }

    static RunningBroker start(Path dataDir) throws Exception {
        return start(dataDir, Map.of());
    }

    String bootstrap() {
        return "127.0.0.1:" + server.boundEndpoints().get(0).port();
    }

    Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        server.close();
    }
}
