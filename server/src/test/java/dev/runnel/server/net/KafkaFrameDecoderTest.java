package dev.runnel.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class KafkaFrameDecoderTest {
    private static final int MAX = 1000;
    private static final long SEED = Long.getLong("seed", System.nanoTime());

    /** Frames of sizes 0, 1, 7 and MAX with seeded random content. */
    private static List<byte[]> bodies() {
        return bodies(MAX);
    }

    private static List<byte[]> bodies(int largest) {
        Random random = new Random(SEED);
        List<byte[]> bodies = new ArrayList<>();
        for (int size : new int[] {0, 1, 7, largest}) {
            byte[] body = new byte[size];
            random.nextBytes(body);
            bodies.add(body);
        }
        return bodies;
    }

    private static byte[] stream(List<byte[]> bodies) {
        ByteBuf buf = Unpooled.buffer();
        for (byte[] body : bodies) {
            buf.writeInt(body.length).writeBytes(body);
        }
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    @Test
    void decodesFramesFedWhole() {
        List<byte[]> bodies = bodies();
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(MAX));
        channel.writeInbound(Unpooled.wrappedBuffer(stream(bodies)));
        assertFrames(channel, bodies);
        assertFalse(channel.finish());
    }

    @Test
    void decodesFramesSplitAtEveryPosition() {
        List<byte[]> bodies = bodies(40); // every split inside a longer body is alike; keep the loop short
        byte[] bytes = stream(bodies);
        for (int split = 0; split <= bytes.length; split++) {
            EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(MAX));
            channel.writeInbound(Unpooled.copiedBuffer(bytes, 0, split));
            channel.writeInbound(Unpooled.copiedBuffer(bytes, split, bytes.length - split));
            assertFrames(channel, bodies);
            assertFalse(channel.finish(), "split at " + split + ", seed " + SEED);
        }
    }

    @Test
    void decodesFramesFedOneByteAtATime() {
        List<byte[]> bodies = bodies();
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(MAX));
        for (byte b : stream(bodies)) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertFrames(channel, bodies);
        assertFalse(channel.finish());
    }

    @Test
    void decodesALargeFrameArrivingInManyReadsBehindASliceStillInUse() {
        int size = 3 << 20;
        byte[] body = new byte[size];
        new Random(SEED).nextBytes(body);
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(size));
        // A small frame first, kept unreleased: its slice shares the cumulation, so it must not be grown in place.
        channel.writeInbound(io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer().writeInt(1).writeByte(5).writeInt(size));
        ByteBuf small = channel.readInbound();
        for (int offset = 0; offset < size; offset += 16 * 1024) {
            ByteBuf chunk = io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(16 * 1024);
            chunk.writeBytes(body, offset, Math.min(16 * 1024, size - offset));
            channel.writeInbound(chunk);
        }
        assertEquals(5, small.readByte());
        small.release();
        assertFrames(channel, List.of(body));
        assertFalse(channel.finish());
    }

    @Test
    void emitsSlicesOfTheCumulationNotCopies() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(MAX));
        channel.writeInbound(Unpooled.buffer().writeInt(3).writeBytes(new byte[] {1, 2, 3}).writeInt(1).writeByte(9));
        ByteBuf first = channel.readInbound();
        ByteBuf second = channel.readInbound();
        assertNotNull(first.unwrap(), "a slice has an underlying buffer; a copy has none");
        assertEquals(first.unwrap(), second.unwrap());
        first.release();
        second.release();
        assertFalse(channel.finish());
    }

    @Test
    void oversizedPrefixClosesBeforeAnyBodyIsBuffered() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(MAX));
        channel.writeInbound(Unpooled.buffer().writeInt(Integer.MAX_VALUE));
        assertFalse(channel.isOpen());
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void sizeOneAboveTheLimitClosesAndLaterBytesAreDropped() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(MAX));
        channel.writeInbound(Unpooled.buffer().writeInt(MAX + 1).writeBytes(new byte[MAX + 1]).writeInt(0));
        assertFalse(channel.isOpen());
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void negativeSizeIsMalformedAndCloses() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(MAX));
        channel.writeInbound(Unpooled.buffer().writeInt(-1).writeInt(0));
        assertFalse(channel.isOpen());
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void incompleteFrameAtCloseEmitsNothing() {
        EmbeddedChannel channel = new EmbeddedChannel(new KafkaFrameDecoder(MAX));
        channel.writeInbound(Unpooled.buffer().writeInt(10).writeBytes(new byte[9]));
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    private static void assertFrames(EmbeddedChannel channel, List<byte[]> bodies) {
        for (byte[] expected : bodies) {
            ByteBuf frame = channel.readInbound();
            assertNotNull(frame, "seed " + SEED);
            byte[] actual = new byte[frame.readableBytes()];
            frame.readBytes(actual);
            frame.release();
            assertArrayEquals(expected, actual, "seed " + SEED);
        }
        assertNull(channel.readInbound());
    }
}
