package dev.runnel.server.net;

import dev.runnel.server.config.Endpoint;
import dev.runnel.server.config.SecurityProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
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
 * The broker-wide limits of the network layer over real loopback sockets: {@code max.connections}
 * ({@link ConnectionLimit}) and {@code queued.max.requests} ({@link RequestQueueLimit}). Every wait is bounded;
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
        Socket socket = new Socket("127.0.0.1", server.port("PLAINTEXT"));
        socket.setSoTimeout(TIMEOUT_MS);
        closeables.add(0, socket);
        return socket;
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
