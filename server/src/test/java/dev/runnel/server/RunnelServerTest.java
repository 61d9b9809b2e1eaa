package dev.runnel.server;

import dev.runnel.server.config.BrokerConfig;
import dev.runnel.server.config.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
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
    void startsAnswersApiVersionsClosesOnGarbageAndShutsDownCleanly(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("a/b");
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", data.toString()));
        RunnelServer server = new RunnelServer(config);
        try {
            server.start();
            assertTrue(Files.isDirectory(data));
            assertTrue(Files.exists(data.resolve("meta.properties")));
            Endpoint endpoint = server.boundEndpoints().get(0);
            assertNotEquals(0, endpoint.port());
            try (Socket socket = new Socket("127.0.0.1", endpoint.port())) {
                socket.setSoTimeout(10_000);
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                // ApiVersions v0: api key 18, version 0, correlation id 7, client id "t"
                out.writeInt(2 + 2 + 4 + 2 + 1);
                out.writeShort(18);
                out.writeShort(0);
                out.writeInt(7);
                out.writeShort(1);
                out.writeByte('t');
                out.flush();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                int size = in.readInt();
                assertTrue(size > 10);
                assertEquals(7, in.readInt(), "correlation id");
                assertEquals(0, in.readShort(), "error code");
                // an unknown API key closes the connection
                out.writeInt(8);
                out.writeShort(9999);
                out.writeShort(0);
                out.writeInt(8);
                out.flush();
                in.skipBytes(size - 6);
                assertEquals(-1, readOrEnd(socket), "the connection is closed");
            }
        } finally {
            server.close();
            server.close();
            server.awaitShutdown();
        }
        assertTrue(Files.exists(data.resolve(".kafka_cleanshutdown")), "clean shutdown marker");
    }

    private static int readOrEnd(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        }
    }
}
