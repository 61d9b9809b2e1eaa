package dev.runnel.server.net;

import dev.runnel.server.config.Endpoint;
import dev.runnel.server.config.SecurityProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The network layer over real loopback sockets, with fake dispatchers. Every wait is bounded. */
class BrokerServerTest {
    private static final long SEED = Long.getLong("seed", System.nanoTime());
    private static final int TIMEOUT_MS = 10_000;
    private static final NetworkSettings SETTINGS = new NetworkSettings(1 << 20, 64, 1 << 20, 60_000, -1, -1, 50, 2);

    private final ScheduledExecutorService workers = Executors.newScheduledThreadPool(3);
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        workers.shutdownNow();
        assertTrue(workers.awaitTermination(TIMEOUT_MS, TimeUnit.MILLISECONDS));
    }

    static Stream<Transport> transports() {
        return Epoll.isAvailable() ? Stream.of(Transport.EPOLL, Transport.NIO) : Stream.of(Transport.NIO);
    }

    private BrokerServer start(NetworkSettings settings, RequestDispatcher dispatcher, Transport transport)
            throws InterruptedException {
        BrokerServer server = new BrokerServer(List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 0)),
                Map.of("PLAINTEXT", SecurityProtocol.PLAINTEXT), settings, dispatcher, transport);
        closeables.add(server);
        server.start();
        return server;
    }

    private Socket connect(BrokerServer server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port("PLAINTEXT"));
        socket.setSoTimeout(TIMEOUT_MS);
        closeables.add(socket);
        return socket;
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

    /** Echoes the body after its first byte, zero-copy, from another thread after a random delay; flag 1 = no response. */
    private RequestDispatcher delayedEcho() {
        return (connection, frame, slot) -> workers.schedule(() -> {
            if (frame.getByte(frame.readerIndex()) == 1) {
                frame.release();
                slot.noResponse();
                return;
            }
            Response.Builder builder = Response.builder(connection.alloc());
            builder.addBuffer(frame.skipBytes(1)); // the response takes ownership of the frame itself
            slot.complete(builder.build());
        }, ThreadLocalRandom.current().nextInt(2000), TimeUnit.MICROSECONDS);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void responsesKeepRequestOrderWhenCompletedOutOfOrderOnOtherThreads(Transport transport) throws Exception {
        BrokerServer server = start(SETTINGS, delayedEcho(), transport);
        Random random = new Random(SEED);
        List<Socket> sockets = List.of(connect(server), connect(server), connect(server));
        List<List<byte[]>> expected = new ArrayList<>();
        for (Socket socket : sockets) {
            List<byte[]> answers = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                boolean skip = random.nextInt(5) == 0;
                byte[] payload = new byte[4 + random.nextInt(200)];
                random.nextBytes(payload);
                byte[] body = new byte[payload.length + 1];
                body[0] = (byte) (skip ? 1 : 0);
                System.arraycopy(payload, 0, body, 1, payload.length);
                writeFrame(socket, body);
                if (!skip) {
                    answers.add(payload);
                }
            }
            expected.add(answers);
        }
        for (int s = 0; s < sockets.size(); s++) {
            for (byte[] answer : expected.get(s)) {
                assertArrayEquals(answer, readFrame(sockets.get(s)), "seed " + SEED);
            }
        }
    }

    @Test
    void readingPausesAtTheInFlightLimitAndResumesAsRequestsComplete() throws Exception {
        BlockingQueue<ResponseSlot> parked = new LinkedBlockingQueue<>();
        AtomicReference<Connection> connection = new AtomicReference<>();
        AtomicInteger outstanding = new AtomicInteger();
        AtomicInteger maxOutstanding = new AtomicInteger();
        CountDownLatch fiveDispatched = new CountDownLatch(5);
        BrokerServer server = start(SETTINGS.withMaxInFlight(4), (conn, frame, slot) -> {
            connection.set(conn);
            fiveDispatched.countDown();
            maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            int id = frame.readInt();
            frame.release();
            parked.add(new ResponseSlot() {
                @Override
                public void complete(Response response) {
                    slot.complete(response);
                }

                @Override
                public void noResponse() {
                    outstanding.decrementAndGet();
                    Response.Builder builder = Response.builder(conn.alloc());
                    builder.buffer().writeInt(id);
                    slot.complete(builder.build());
                }

                @Override
                public void closeConnection() {
                    slot.closeConnection();
                }
            });
        }, Transport.best());
        Socket socket = connect(server);
        for (int i = 0; i < 40; i++) {
            writeFrame(socket, new byte[] {0, 0, 0, (byte) i});
        }
        awaitTrue(() -> parked.size() == 4, "four requests dispatched");
        awaitTrue(() -> !autoRead(connection.get()), "reading paused");
        assertFalse(fiveDispatched.await(100, TimeUnit.MILLISECONDS), "no fifth request while four are in flight");
        assertEquals(4, parked.size());

        for (int i = 0; i < 40; i++) {
            ResponseSlot slot = parked.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (slot == null) {
                fail("request " + i + " was never dispatched");
            }
            slot.noResponse(); // our wrapper answers with the request id
        }
        for (int i = 0; i < 40; i++) {
            assertArrayEquals(new byte[] {0, 0, 0, (byte) i}, readFrame(socket));
        }
        assertEquals(4, maxOutstanding.get());
        awaitTrue(() -> autoRead(connection.get()), "reading resumed");
    }

    @Test
    void aClientThatDoesNotReadIsPausedUntilItCatchesUp() throws Exception {
        int responseBytes = 32 * 1024;
        AtomicReference<Connection> connection = new AtomicReference<>();
        AtomicInteger dispatched = new AtomicInteger();
        NetworkSettings settings = new NetworkSettings(1 << 20, 64, 64 * 1024, 60_000, 16 * 1024, 16 * 1024, 50, 1);
        BrokerServer server = start(settings, (conn, frame, slot) -> {
            connection.set(conn);
            dispatched.incrementAndGet();
            byte fill = frame.readByte();
            frame.release();
            Response.Builder builder = Response.builder(conn.alloc());
            builder.buffer().writeBytes(filled(responseBytes, fill));
            slot.complete(builder.build());
        }, Transport.best());
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        socket.setSoTimeout(TIMEOUT_MS);
        closeables.add(socket);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port("PLAINTEXT")));

        int requests = 400; // 12.5 MiB of responses, far more than socket buffers and the 64 KiB limit hold
        for (int i = 0; i < requests; i++) {
            writeFrame(socket, new byte[] {(byte) i});
        }
        awaitTrue(() -> connection.get() != null && !autoRead(connection.get()), "reading paused");
        assertTrue(dispatched.get() < requests, "paused before every request was read: " + dispatched.get());

        for (int i = 0; i < requests; i++) {
            assertArrayEquals(filled(responseBytes, (byte) i), readFrame(socket), "response " + i);
        }
        assertEquals(requests, dispatched.get());
        awaitTrue(() -> autoRead(connection.get()), "reading resumed");
    }

    @Test
    void anOversizedFrameClosesOnlyItsConnection() throws Exception {
        BrokerServer server = start(new NetworkSettings(1024, 64, 1 << 20, 60_000, -1, -1, 50, 2), delayedEcho(),
                Transport.best());
        Socket good = connect(server);
        Socket bad = connect(server);
        writeFrame(good, new byte[] {0, 1, 2});
        assertArrayEquals(new byte[] {1, 2}, readFrame(good));

        new DataOutputStream(bad.getOutputStream()).writeInt(1025);
        assertClosedByPeer(bad);

        byte[] largest = new byte[1024];
        largest[1] = 7;
        writeFrame(good, largest);
        assertArrayEquals(Arrays.copyOfRange(largest, 1, 1024), readFrame(good));
    }

    @ParameterizedTest
    @MethodSource("transports")
    void fileRegionsAreSentFromTheSegmentAndReleaseTheirLeaseOnce(Transport transport, @TempDir Path dir) throws Exception {
        byte[] content = new byte[1 << 20];
        new Random(SEED).nextBytes(content);
        Path file = dir.resolve("00000000000000000000.log");
        Files.write(file, content);
        AtomicInteger leases = new AtomicInteger();
        try (FileChannel segment = FileChannel.open(file, StandardOpenOption.READ)) {
            BrokerServer server = start(SETTINGS, (conn, frame, slot) -> {
                frame.release();
                Response.Builder builder = Response.builder(conn.alloc());
                builder.buffer().writeInt(0xCAFE);
                builder.addRegion(new LeasedFileRegion(segment, 1000, 500_000, leases::incrementAndGet));
                builder.buffer().writeByte(1);
                slot.complete(builder.build());
            }, transport);
            Socket socket = connect(server);
            for (int round = 1; round <= 3; round++) {
                writeFrame(socket, new byte[0]);
                byte[] body = readFrame(socket);
                assertEquals(4 + 500_000 + 1, body.length);
                assertEquals(0xCAFE, java.nio.ByteBuffer.wrap(body).getInt());
                assertArrayEquals(Arrays.copyOfRange(content, 1000, 501_000), Arrays.copyOfRange(body, 4, 500_004), "seed " + SEED);
                assertEquals(1, body[500_004]);
                int expectedLeases = round;
                awaitTrue(() -> leases.get() == expectedLeases, "lease released once per response");
            }
            assertTrue(segment.isOpen());
        }
    }

    @Test
    void closingTheServerClosesConnectionsAndStopsAccepting() throws Exception {
        AtomicInteger closedConnections = new AtomicInteger();
        CountDownLatch dispatched = new CountDownLatch(1);
        BrokerServer server = start(SETTINGS, new RequestDispatcher() {
            @Override
            public void dispatch(Connection connection, ByteBuf frame, ResponseSlot slot) {
                frame.release(); // never answered: the server must drop the open slot on close
                dispatched.countDown();
            }

            @Override
            public void connectionClosed(Connection connection) {
                closedConnections.incrementAndGet();
            }
        }, Transport.best());
        int port = server.port("PLAINTEXT");
        Socket socket = connect(server);
        writeFrame(socket, new byte[] {1});
        assertTrue(dispatched.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        server.close();
        assertClosedByPeer(socket);
        assertEquals(1, closedConnections.get());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }

    @Test
    void aListenerThatCannotBindFailsStartAndReleasesTheOthers() throws Exception {
        BrokerServer first = start(SETTINGS, delayedEcho(), Transport.best());
        int taken = first.port("PLAINTEXT");
        BrokerServer second = new BrokerServer(
                List.of(new Endpoint("A", "127.0.0.1", 0), new Endpoint("B", "127.0.0.1", taken)),
                Map.of("A", SecurityProtocol.PLAINTEXT, "B", SecurityProtocol.PLAINTEXT), SETTINGS, delayedEcho());
        closeables.add(second);
        IllegalStateException e = assertThrows(IllegalStateException.class, second::start);
        assertTrue(e.getMessage().startsWith("Cannot bind listener B://127.0.0.1:" + taken), e.getMessage());
        assertTrue(second.boundEndpoints().size() <= 1);
    }

    private static byte[] filled(int size, byte value) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, value);
        return bytes;
    }

    private static boolean autoRead(Connection connection) {
        return call(() -> connection.channel().config().isAutoRead(), connection);
    }

    private static <T> T call(Callable<T> task, Connection connection) {
        try {
            return connection.eventLoop().submit(task).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertClosedByPeer(Socket socket) throws IOException {
        try {
            int read = socket.getInputStream().read();
            assertEquals(-1, read, "expected end of stream");
        } catch (SocketException | EOFException e) {
            // a reset is also a close
        }
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
