package dev.runnel.server;

import dev.runnel.server.config.BrokerConfig;
import dev.runnel.server.config.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunnelServerTest {

    @Test
    void startsCreatesDataDirsClosesConnectionsWithoutHandlersAndStopsCleanly(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("a/b");
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", data.toString()));
        try (RunnelServer server = new RunnelServer(config, RunnelServer.closingDispatcher())) {
            server.start();
            assertTrue(Files.isDirectory(data));
            Endpoint endpoint = server.boundEndpoints().get(0);
            assertNotEquals(0, endpoint.port());
            try (Socket socket = new Socket("127.0.0.1", endpoint.port())) {
                socket.setSoTimeout(10_000);
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeInt(2);
                out.writeShort(18);
                out.flush();
                assertEquals(-1, readOrEnd(socket), "the connection is closed");
            }
            server.close();
            server.close();
            server.awaitShutdown();
        }
    }

    private static int readOrEnd(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        }
    }
}
