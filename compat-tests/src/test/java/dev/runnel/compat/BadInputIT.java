package dev.runnel.compat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Hostile bytes on one connection close that connection only: another client producing and consuming at
 * the same time is unaffected, and the broker leaks no buffer (the leak check fails this class otherwise).
 */
class BadInputIT {
    @TempDir
    static Path dataDir;
    static RunningBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = RunningBroker.start(dataDir);
        try (Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic("healthy", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void garbageBytesCloseOnlyThatConnection() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        garbage[0] = 0; // a plausible small size prefix, then nonsense
        garbage[1] = 0;
        garbage[2] = 1;
        assertClosedAndOthersUnaffected(out -> write(out, garbage));
    }

    @Test
    void twoGigabyteSizePrefixClosesTheConnectionWithoutAllocating() throws Exception {
        assertClosedAndOthersUnaffected(out -> {
            try {
                out.writeInt(Integer.MAX_VALUE);
                out.write(new byte[100]);
            } catch (IOException e) {
                // the broker may close before everything is written
            }
        });
    }

    @Test
    void negativeSizePrefixClosesTheConnection() throws Exception {
        assertClosedAndOthersUnaffected(out -> write(out, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe}));
    }

    @Test
    void unknownApiKeyClosesTheConnection() throws Exception {
        assertClosedAndOthersUnaffected(out -> write(out, new byte[] {0, 0, 0, 10, 0x7f, 0x00, 0, 0, 0, 0, 0, 1, 0, 0}));
    }

    @Test
    void malformedProduceBodyClosesTheConnection() throws Exception {
        // Produce v9 header (flexible: header v2) followed by a body whose compact array length is absurd
        byte[] frame = {0, 0, 0, 0x11, 0, 0, 0, 9, 0, 0, 0, 5, 0, 1, 'x', 0, 0, 0, 1, 0, 0, 0x75, 0x30, (byte) 0xff, (byte) 0xff};
        frame[3] = (byte) (frame.length - 4);
        assertClosedAndOthersUnaffected(out -> write(out, frame));
    }

    @Test
    void truncatedFrameThenCloseLeavesTheBrokerHealthy() throws Exception {
        try (Socket socket = connect()) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(1000);
            out.write(new byte[10]);
            out.flush();
        }
        produceAndConsumeStillWork();
    }

    private static void write(DataOutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            // the broker may close first
        }
    }

    private void assertClosedAndOthersUnaffected(Consumer<DataOutputStream> attack) throws Exception {
        try (Socket socket = connect()) {
            attack.accept(new DataOutputStream(socket.getOutputStream()));
            assertEquals(-1, readUntilClosed(socket.getInputStream()), "the broker closed the attacking connection");
        }
        produceAndConsumeStillWork();
    }

    private static Socket connect() throws IOException {
        String[] hostPort = broker.bootstrap().split(":");
        Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static int readUntilClosed(InputStream in) throws IOException {
        try {
            while (in.read() != -1) {
                // discard any response bytes that came before the close
            }
            return -1;
        } catch (SocketException reset) {
            return -1;
        } catch (SocketTimeoutException stillOpen) {
            return 0;
        }
    }

    private static void produceAndConsumeStillWork() throws Exception {
        String value = "still-alive-" + System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), Map.of())) {
            producer.send(new ProducerRecord<>("healthy", value.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(broker.bootstrap(), Map.of())) {
            TopicPartition tp = new TopicPartition("healthy", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            boolean found = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!found && System.nanoTime() < deadline) {
                for (var r : consumer.poll(java.time.Duration.ofMillis(200))) {
                    found |= new String(r.value(), StandardCharsets.UTF_8).equals(value);
                }
            }
            assertEquals(true, found, "the other client's record was produced and consumed");
        }
    }
}
