package dev.runnel.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateHandler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ordering, skipping, closing, backpressure and idle handling of one connection, on an embedded channel. */
class ConnectionHandlerTest {
    private static final NetworkSettings SETTINGS = new NetworkSettings(1000, 64, 1 << 20, 60_000, -1, -1, 50, 1);

    /** Remembers each request's text and slot; the test ends the slots. */
    private static final class Recorder implements RequestDispatcher {
        final List<String> requests = new ArrayList<>();
        final List<ResponseSlot> slots = new ArrayList<>();
        int closedCalls;

        @Override
        public void dispatch(Connection connection, ByteBuf frame, ResponseSlot slot) {
            requests.add(frame.toString(StandardCharsets.UTF_8));
            frame.release();
            slots.add(slot);
        }

        @Override
        public void connectionClosed(Connection connection) {
            closedCalls++;
        }

        void answer(EmbeddedChannel channel, int index, String text) {
            slots.get(index).complete(response(channel, text));
        }
    }

    private static Response response(EmbeddedChannel channel, String text) {
        Response.Builder builder = Response.builder(channel.alloc());
        builder.buffer().writeCharSequence(text, StandardCharsets.UTF_8);
        return builder.build();
    }

    private static EmbeddedChannel channel(Recorder recorder, NetworkSettings settings) {
        return new EmbeddedChannel(
                new IdleStateHandler(0, 0, settings.idleTimeoutMs(), TimeUnit.MILLISECONDS),
                new KafkaFrameDecoder(settings.maxRequestBytes()),
                new ConnectionHandler(recorder, settings, "PLAINTEXT"));
    }

    private static void send(EmbeddedChannel channel, String... requests) {
        ByteBuf bytes = Unpooled.buffer();
        for (String request : requests) {
            byte[] body = request.getBytes(StandardCharsets.UTF_8);
            bytes.writeInt(body.length).writeBytes(body);
        }
        channel.writeInbound(bytes);
    }

    /** Reads every written chunk and splits it into frames by the size prefix. */
    private static List<String> written(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (Object chunk; (chunk = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) chunk;
            all.writeBytes(buf);
            buf.release();
        }
        List<String> frames = new ArrayList<>();
        while (all.isReadable()) {
            int size = all.readInt();
            frames.add(all.readCharSequence(size, StandardCharsets.UTF_8).toString());
        }
        all.release();
        return frames;
    }

    @Test
    void responsesLeaveInRequestOrderWhateverOrderTheyComplete() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = channel(recorder, SETTINGS);
        send(channel, "r0", "r1", "r2", "r3", "r4");
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), recorder.requests);

        recorder.answer(channel, 3, "a3");
        recorder.answer(channel, 1, "a1");
        assertEquals(List.of(), written(channel));
        recorder.answer(channel, 0, "a0");
        assertEquals(List.of("a0", "a1"), written(channel));
        recorder.answer(channel, 4, "a4");
        assertEquals(List.of(), written(channel));
        recorder.answer(channel, 2, "a2");
        assertEquals(List.of("a2", "a3", "a4"), written(channel));
        assertFalse(channel.finish());
    }

    @Test
    void slotsWithoutResponseAreSkipped() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = channel(recorder, SETTINGS);
        send(channel, "r0", "r1", "r2");
        recorder.answer(channel, 2, "a2");
        recorder.slots.get(1).noResponse();
        assertEquals(List.of(), written(channel));
        recorder.slots.get(0).noResponse();
        assertEquals(List.of("a2"), written(channel));
        assertFalse(channel.finish());
    }

    @Test
    void closeConnectionWritesEarlierResponsesThenCloses() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = channel(recorder, SETTINGS);
        send(channel, "r0", "r1", "r2");
        recorder.slots.get(1).closeConnection();
        recorder.answer(channel, 2, "dropped");
        assertTrue(channel.isOpen());
        recorder.answer(channel, 0, "a0");
        assertEquals(List.of("a0"), written(channel));
        assertFalse(channel.isOpen());
        assertEquals(1, recorder.closedCalls);
        assertFalse(channel.finish());
    }

    @Test
    void responsesForAClosedConnectionAreReleased() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = channel(recorder, SETTINGS);
        send(channel, "r0", "r1");
        recorder.answer(channel, 1, "held");
        channel.close();
        recorder.answer(channel, 0, "late");
        assertEquals(List.of(), written(channel));
        assertFalse(channel.finish());
    }

    @Test
    void endingASlotTwiceFailsAndReleasesTheSecondResponse() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = channel(recorder, SETTINGS);
        send(channel, "r0");
        recorder.answer(channel, 0, "a0");
        Response second = response(channel, "again");
        assertThrows(IllegalStateException.class, () -> recorder.slots.get(0).complete(second));
        assertThrows(IllegalStateException.class, () -> recorder.slots.get(0).noResponse());
        assertEquals(List.of("a0"), written(channel));
        assertFalse(channel.finish());
    }

    @Test
    void readingPausesAtTheInFlightLimitAndResumesAsRequestsAreAnswered() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = channel(recorder, SETTINGS.withMaxInFlight(2));
        send(channel, "r0", "r1", "r2", "r3", "r4");
        assertEquals(List.of("r0", "r1"), recorder.requests, "frames beyond the limit wait");
        assertFalse(channel.config().isAutoRead());

        recorder.answer(channel, 1, "a1");
        assertEquals(2, recorder.requests.size(), "an answer held behind r0 does not free a place");
        recorder.answer(channel, 0, "a0");
        assertEquals(List.of("r0", "r1", "r2", "r3"), recorder.requests);
        assertFalse(channel.config().isAutoRead());
        recorder.answer(channel, 2, "a2");
        assertEquals(5, recorder.requests.size());
        assertFalse(channel.config().isAutoRead(), "r3 and r4 in flight");
        recorder.answer(channel, 3, "a3");
        assertTrue(channel.config().isAutoRead(), "only r4 in flight");
        recorder.answer(channel, 4, "a4");
        assertTrue(channel.config().isAutoRead());
        assertEquals(List.of("a0", "a1", "a2", "a3", "a4"), written(channel));
        assertFalse(channel.finish());
    }

    @Test
    void readingPausesWhileTooManyResponseBytesWaitForAnEarlierOne() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = channel(recorder, SETTINGS.withMaxQueuedBytes(100));
        send(channel, "r0", "r1");
        assertTrue(channel.config().isAutoRead());
        recorder.answer(channel, 1, "x".repeat(200));
        assertFalse(channel.config().isAutoRead());
        recorder.answer(channel, 0, "a0");
        assertTrue(channel.config().isAutoRead());
        assertEquals(List.of("a0", "x".repeat(200)), written(channel));
        assertFalse(channel.finish());
    }

    @Test
    void idleConnectionIsClosedUnlessARequestIsInFlight() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = channel(recorder, SETTINGS.withIdleTimeoutMs(1000));
        channel.freezeTime();
        send(channel, "r0");
        channel.advanceTimeBy(1001, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "a request is in flight");

        recorder.answer(channel, 0, "a0");
        assertEquals(List.of("a0"), written(channel));
        channel.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen());
        channel.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen());
        assertFalse(channel.finish());
    }

    @Test
    void waitingFramesAreReleasedWhenTheConnectionCloses() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = channel(recorder, SETTINGS.withMaxInFlight(1));
        send(channel, "r0", "r1", "r2");
        assertEquals(1, recorder.requests.size());
        channel.close();
        recorder.slots.get(0).noResponse();
        assertEquals(1, recorder.requests.size(), "nothing dispatched after close");
        assertFalse(channel.finish());
    }
}
