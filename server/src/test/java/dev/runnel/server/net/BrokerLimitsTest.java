package dev.runnel.server.net;

import dev.runnel.server.config.BrokerConfig;
import dev.runnel.server.config.ConfigException;
import dev.runnel.server.config.ConfigSource;
import dev.runnel.server.config.Endpoint;
import dev.runnel.server.config.SecurityProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The broker-wide limits of the network layer over real loopback sockets: {@code max.connections},
 * {@code max.connections.per.ip} and its overrides ({@link ConnectionLimit}; clients bind 127.0.0.2 etc. to be
 * other addresses) and {@code queued.max.requests} ({@link RequestQueueLimit}). Every wait is bounded;
 * "nothing happens" is checked with a short socket read timeout, after the broker's own counters say it settled.
 */
class BrokerLimitsTest {
    private static final int TIMEOUT_MS = 10_000;
    private static final int QUIET_MS = 300;
    private static final NetworkSettings SETTINGS = new NetworkSettings(1 << 20, 64, 1 << 20, 60_000, -1, -1, 50, 2);

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    /** Answers each frame at once with its own bytes. */
    private static final RequestDispatcher ECHO = (connection, frame, slot) -> {
        Response.Builder builder = Response.builder(connection.alloc());
        builder.addBuffer(frame);
        slot.complete(builder.build());
    };

    @Test
    void connectionsPastMaxConnectionsWaitUntilOneCloses() throws Exception {
        BrokerServer server = start(SETTINGS.withMaxConnections(2), ECHO);
        Socket first = connect(server);
        Socket second = connect(server);
        assertEchoes(first, 1);
        assertEchoes(second, 2);

        // The kernel completes the handshake (listen backlog) but the broker does not take the connection.
        Socket third = connect(server);
        writeFrame(third, new byte[] {3});
        assertEquals(2, server.openConnections());
        third.setSoTimeout(QUIET_MS);
        assertThrows(SocketTimeoutException.class, () -> readFrame(third), "third connection served past the limit");

        first.close();
        third.setSoTimeout(TIMEOUT_MS);
        assertArrayEquals(new byte[] {3}, readFrame(third), "served once a slot freed");
        assertEchoes(second, 4);
        awaitTrue(() -> server.openConnections() == 2, "second and third counted");

        second.close();
        third.close();
        awaitTrue(() -> server.openConnections() == 0, "every close counted");
        Socket fourth = connect(server);
        assertEchoes(fourth, 5);
    }

    @Test
    void readingStopsBrokerWideWhileQueuedMaxRequestsAreUnanswered() throws Exception {
        BlockingQueue<Runnable> parked = new LinkedBlockingQueue<>();
        RequestDispatcher parking = (connection, frame, slot) -> parked.add(() -> {
            Response.Builder builder = Response.builder(connection.alloc());
            builder.addBuffer(frame);
            slot.complete(builder.build());
        });
        BrokerServer server = start(SETTINGS.withQueuedMaxRequests(2), parking);
        Socket a = connect(server);
        Socket b = connect(server);
        writeFrame(a, new byte[] {1});
        writeFrame(b, new byte[] {2});
        awaitTrue(() -> parked.size() == 2, "two requests dispatched");
        writeFrame(a, new byte[] {3});
        writeFrame(b, new byte[] {4});
        Socket c = connect(server);
        writeFrame(c, new byte[] {5});
        assertEquals(2, server.queuedRequests());
        c.setSoTimeout(QUIET_MS);
        assertThrows(SocketTimeoutException.class, () -> readFrame(c));
        assertEquals(2, parked.size(), "no request past queued.max.requests is dispatched");

        // Answering frees permits one by one; every request is eventually answered, each connection in order.
        c.setSoTimeout(TIMEOUT_MS);
        for (int i = 0; i < 5; i++) {
            Runnable next = parked.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (next == null) {
                fail("request " + i + " was never dispatched");
            }
            next.run();
        }
        assertArrayEquals(new byte[] {1}, readFrame(a));
        assertArrayEquals(new byte[] {3}, readFrame(a));
        assertArrayEquals(new byte[] {2}, readFrame(b));
        assertArrayEquals(new byte[] {4}, readFrame(b));
        assertArrayEquals(new byte[] {5}, readFrame(c));
        awaitTrue(() -> server.queuedRequests() == 0, "every permit returned");
    }

    @Test
    void aRequestThatLeftTheQueueNoLongerHoldsAPermit() throws Exception {
        BlockingQueue<Runnable> longPolls = new LinkedBlockingQueue<>();
        RequestDispatcher dispatcher = (connection, frame, slot) -> {
            Runnable answer = () -> {
                Response.Builder builder = Response.builder(connection.alloc());
                builder.addBuffer(frame);
                slot.complete(builder.build());
            };
            if (frame.getByte(frame.readerIndex()) == 9) {
                slot.leaveRequestQueue(); // as a fetch parked in the purgatory
                longPolls.add(answer);
            } else {
                answer.run();
            }
        };
        BrokerServer server = start(SETTINGS.withQueuedMaxRequests(1), dispatcher);
        Socket polling = connect(server);
        Socket other = connect(server);
        writeFrame(polling, new byte[] {9});
        awaitTrue(() -> longPolls.size() == 1, "the long poll dispatched");
        assertEquals(0, server.queuedRequests());
        writeFrame(other, new byte[] {1});
        writeFrame(other, new byte[] {2});
        assertArrayEquals(new byte[] {1}, readFrame(other));
        assertArrayEquals(new byte[] {2}, readFrame(other));
        longPolls.take().run();
        assertArrayEquals(new byte[] {9}, readFrame(polling));
        assertEquals(0, server.queuedRequests(), "the permit is not returned twice");
    }

    @Test
    void connectionsPastTheirAddressLimitAreClosedWhileOtherAddressesConnect() throws Exception {
        BrokerServer server = start(SETTINGS.withConnectionQuotas(
                new ConnectionQuotaSettings(Integer.MAX_VALUE, 2, Map.of("127.0.0.3", 1))), ECHO);
        Socket first = connect(server, "127.0.0.2");
        Socket second = connect(server, "127.0.0.2");
        assertClosedByBroker(connect(server, "127.0.0.2"));
        assertClosedByBroker(connect(server, "127.0.0.2"));
        Socket overridden = connect(server, "127.0.0.3");
        assertClosedByBroker(connect(server, "127.0.0.3"));
        assertEchoes(first, 1);
        assertEchoes(second, 2);
        assertEchoes(overridden, 3);
        assertEchoes(connect(server, "127.0.0.1"), 4);
        assertEquals(2, server.openConnections(InetAddress.getByName("127.0.0.2")));
        assertEquals(1, server.openConnections(InetAddress.getByName("127.0.0.3")));
        assertEquals(4, server.openConnections(), "refused connections are not counted");

        first.close();
        InetAddress two = InetAddress.getByName("127.0.0.2");
        awaitTrue(() -> server.openConnections(two) == 1, "the close counted");
        assertEchoes(connect(server, "127.0.0.2"), 5);
        assertClosedByBroker(connect(server, "127.0.0.2"));
    }

    @Test
    void changedAddressLimitsApplyToTheNextConnectionAndKeepOpenOnes() throws Exception {
        BrokerServer server = start(SETTINGS.withConnectionQuotas(
                new ConnectionQuotaSettings(Integer.MAX_VALUE, 1, Map.of())), ECHO);
        Socket first = connect(server, "127.0.0.2");
        assertEchoes(first, 1);
        assertClosedByBroker(connect(server, "127.0.0.2"));

        server.updateConnectionQuotas(new ConnectionQuotaSettings(Integer.MAX_VALUE, 3, Map.of()));
        Socket second = connect(server, "127.0.0.2");
        Socket third = connect(server, "127.0.0.2");
        assertEchoes(second, 2);
        assertEchoes(third, 3);
        assertClosedByBroker(connect(server, "127.0.0.2"));

        server.updateConnectionQuotas(new ConnectionQuotaSettings(Integer.MAX_VALUE, 3, Map.of("127.0.0.2", 0)));
        assertClosedByBroker(connect(server, "127.0.0.2"));
        assertEchoes(first, 4);
        assertEchoes(third, 5);
        assertEchoes(connect(server, "127.0.0.3"), 6);
    }

    @Test
    void loweringMaxConnectionsClosesTheLongestOpenPastIt() throws Exception {
        BrokerServer server = start(SETTINGS.withMaxConnections(5), ECHO);
        Socket oldest = connect(server);
        Socket older = connect(server);
        Socket newest = connect(server);
        assertEchoes(oldest, 1);
        assertEchoes(older, 2);
        assertEchoes(newest, 3);

        server.updateConnectionQuotas(ConnectionQuotaSettings.UNLIMITED.withMaxConnections(1));
        assertClosedByBroker(oldest);
        assertClosedByBroker(older);
        assertEchoes(newest, 4);
        awaitTrue(() -> server.openConnections() == 1, "closes counted");

        Socket waiting = connect(server);
        writeFrame(waiting, new byte[] {5});
        waiting.setSoTimeout(QUIET_MS);
        assertThrows(SocketTimeoutException.class, () -> readFrame(waiting), "served past the lowered limit");
        server.updateConnectionQuotas(ConnectionQuotaSettings.UNLIMITED.withMaxConnections(2));
        waiting.setSoTimeout(TIMEOUT_MS);
        assertArrayEquals(new byte[] {5}, readFrame(waiting), "served once the limit was raised");
    }

    @Test
    void aHeldConnectionMeetsItsAddressLimitWhenASlotFrees() throws Exception {
        BrokerServer server = start(SETTINGS.withConnectionQuotas(new ConnectionQuotaSettings(2, 1, Map.of())), ECHO);
        Socket a = connect(server, "127.0.0.2");
        Socket b = connect(server, "127.0.0.3");
        assertEchoes(a, 1);
        assertEchoes(b, 2);
        Socket heldFromA = connect(server, "127.0.0.2");
        Socket heldFromC = connect(server, "127.0.0.4");
        writeFrame(heldFromC, new byte[] {3});
        b.close();
        assertClosedByBroker(heldFromA);
        assertArrayEquals(new byte[] {3}, readFrame(heldFromC));
        assertEchoes(a, 4);
    }

    @Test
    void aServerBuiltFromTheConfigFollowsItsDynamicChanges() throws Exception {
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:0", "num.network.threads", "1",
                "max.connections.per.ip", "1"));
        BrokerServer server = new BrokerServer(config, ECHO);
        closeables.add(server);
        server.start();
        assertEchoes(connect(server, "127.0.0.2"), 1);
        assertClosedByBroker(connect(server, "127.0.0.2"));

        config.alterDynamic(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, Map.of("max.connections.per.ip.overrides",
                "127.0.0.2:2"));
        assertEchoes(connect(server, "127.0.0.2"), 2);
        assertClosedByBroker(connect(server, "127.0.0.2"));
        config.alterDynamic(ConfigSource.DYNAMIC_BROKER_CONFIG, Map.of("max.connections.per.ip", "5"));
        assertEchoes(connect(server, "127.0.0.3"), 3);
        assertClosedByBroker(connect(server, "127.0.0.2"));
    }

    @Test
    void anOverrideHostThatDoesNotResolveStopsStartUp() {
        BrokerServer server = new BrokerServer(List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 0)),
                Map.of("PLAINTEXT", SecurityProtocol.PLAINTEXT), SETTINGS.withConnectionQuotas(
                new ConnectionQuotaSettings(10, 1, Map.of("no-such-host.invalid", 3))), ECHO, Transport.best());
        closeables.add(server);
        ConfigException e = assertThrows(ConfigException.class, server::start);
        assertEquals("max.connections.per.ip.overrides", e.key());
    }

    @Test
    void limitsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> SETTINGS.withQueuedMaxRequests(0));
        assertThrows(IllegalArgumentException.class, () -> SETTINGS.withMaxConnections(-1));
    }

    private BrokerServer start(NetworkSettings settings, RequestDispatcher dispatcher) throws InterruptedException {
        BrokerServer server = new BrokerServer(List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 0)),
                Map.of("PLAINTEXT", SecurityProtocol.PLAINTEXT), settings, dispatcher, Transport.best());
        closeables.add(server);
        server.start();
        return server;
    }

    private Socket connect(BrokerServer server) throws IOException {
        return connect(server, "127.0.0.1");
    }

    /** Connects to the listener on 127.0.0.1 from another loopback address (Linux routes all of 127/8 to lo). */
    private Socket connect(BrokerServer server, String from) throws IOException {
        Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), server.port("PLAINTEXT"),
                InetAddress.getByName(from), 0);
        socket.setSoTimeout(TIMEOUT_MS);
        closeables.add(0, socket);
        return socket;
    }

    /** The broker closed the connection: end of stream, or a reset if it had unread bytes. */
    private static void assertClosedByBroker(Socket socket) throws IOException {
        try {
            assertEquals(-1, socket.getInputStream().read(), "connection still open");
        } catch (SocketException reset) {
            // closed with data unread: the client sees a reset
        }
    }

    private static void assertEchoes(Socket socket, int id) throws IOException {
        writeFrame(socket, new byte[] {(byte) id});
        assertArrayEquals(new byte[] {(byte) id}, readFrame(socket));
    }

    private static void writeFrame(Socket socket, byte[] body) throws IOException {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    private static byte[] readFrame(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return body;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
