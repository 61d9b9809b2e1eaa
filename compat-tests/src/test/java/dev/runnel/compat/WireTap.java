package dev.runnel.compat;

import org.apache.kafka.common.protocol.ApiKeys;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a broker that notes, for every request frame a client sends, the client id, API key and
 * version from the request header (header v1+: api_key int16, api_version int16, correlation_id int32, client_id
 * nullable int16-length string), then forwards the frame unchanged; responses are copied back byte for byte. The broker
 * advertises the tap's address, so every connection of every client goes through it. One daemon thread per direction
 * and connection; {@link #close} closes every socket, which ends them. Plain byte arrays, no pooled buffers.
 */
final class WireTap implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** client id -> API name -> versions seen. */
    private final Map<String, Map<String, Set<Integer>>> seen = new ConcurrentHashMap<>();
    private volatile InetSocketAddress upstream;

    private WireTap(ServerSocket server) {
        this.server = server;
    }

    /** Binds a loopback port; nothing is accepted until {@link #forwardTo}. */
    static WireTap bind() throws IOException {
        return new WireTap(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    int port() {
        return server.getLocalPort();
    }

    /** Starts accepting and forwarding every connection to {@code host:port}. */
    void forwardTo(String host, int port) {
        upstream = new InetSocketAddress(host, port);
        daemon("wire-tap-accept", this::accept);
    }

    /** Versions sent per API (Kafka's API names) by the clients whose client id starts with {@code clientIdPrefix}. */
    Map<String, Set<Integer>> versions(String clientIdPrefix) {
        Map<String, Set<Integer>> out = new TreeMap<>();
        seen.forEach((clientId, apis) -> {
            if (clientId.startsWith(clientIdPrefix)) {
                apis.forEach((api, versions) -> out.computeIfAbsent(api, a -> new TreeSet<>()).addAll(versions));
            }
        });
        return out;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket();
                broker.connect(upstream, 5_000);
                sockets.add(client);
                sockets.add(broker);
                daemon("wire-tap-requests", () -> requests(client, broker));
                daemon("wire-tap-responses", () -> copy(broker, client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void requests(Socket client, Socket broker) {
        try (DataInputStream in = new DataInputStream(client.getInputStream());
             DataOutputStream out = new DataOutputStream(broker.getOutputStream())) {
            while (true) {
                int size = in.readInt();
                byte[] frame = new byte[size];
                in.readFully(frame);
                note(frame);
                out.writeInt(size);
                out.write(frame);
                out.flush();
            }
        } catch (IOException e) {
            closeQuietly(client, broker);
        }
    }

    private void note(byte[] frame) {
        if (frame.length < 10) {
            return;
        }
        short apiKey = (short) (((frame[0] & 0xff) << 8) | (frame[1] & 0xff));
        int version = (short) (((frame[2] & 0xff) << 8) | (frame[3] & 0xff));
        int idLength = (short) (((frame[8] & 0xff) << 8) | (frame[9] & 0xff));
        String clientId = idLength < 0 || 10 + idLength > frame.length ? ""
                : new String(frame, 10, idLength, StandardCharsets.UTF_8);
        String api = ApiKeys.hasId(apiKey) ? ApiKeys.forId(apiKey).name : "api-" + apiKey;
        seen.computeIfAbsent(clientId, c -> new ConcurrentHashMap<>())
                .computeIfAbsent(api, a -> ConcurrentHashMap.newKeySet()).add(version);
    }

    private void copy(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // closed by either side
        }
        closeQuietly(from, to);
    }

    private static void closeQuietly(Socket... toClose) {
        for (Socket s : toClose) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(WireTap::closeQuietly);
    }
}
