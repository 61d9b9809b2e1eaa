package dev.runnel.wire.message;

import dev.runnel.generator.Spec.MessageSpec;
import dev.runnel.wire.protocol.Message;
import dev.runnel.wire.protocol.Messages;
import dev.runnel.wire.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Readable;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutation fuzzing of every generated message at every version: valid random encodings from the spec
 * ({@link RandomWireMessage}) are damaged (bit flips, boundary bytes, truncation, inserted and deleted bytes,
 * huge or negative lengths) and decoded. A decoder may accept the bytes or throw {@link ProtocolException};
 * anything else (an NPE, a negative array size, an out-of-memory error) is a bug a client could trigger.
 * What decodes must also encode again, and where Kafka's decoder accepts the same bytes, both must have read the
 * same message. Seeded; {@code -Dseed=} replays a failure, {@code -Dfuzz.perVersion=}
 * scales the run.
 */
class MessageFuzzTest {
    private static final long SEED = Long.getLong("seed", System.nanoTime());
    private static final int BASES_PER_VERSION = 8;
    private static final int MUTATIONS_PER_BASE = Integer.getInteger("fuzz.perVersion", 320) / BASES_PER_VERSION;
    private static final int MIN_TOTAL_FRAMES = 100_000;
    private static final byte[] BOUNDARY_BYTES = {0x00, (byte) 0xFF, 0x7F, (byte) 0x80};
    /** Big-endian int16/int32 and varint values that make a length prefix huge, negative or null. */
    private static final byte[][] HOSTILE_LENGTHS = {
        {0x7F, (byte) 0xFF}, {(byte) 0xFF, (byte) 0xFF}, {(byte) 0x80, 0x00}, {(byte) 0xFF, (byte) 0xFE},
        {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
        {(byte) 0x80, 0x00, 0x00, 0x00}, {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE},
        {0x00, 0x10, 0x00, 0x00},
        {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}, {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07},
        {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
        {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01},
    };

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void mutatedFramesOfEveryMessageAndVersionDecodeOrThrowProtocolException() {
        long frames = 0;
        long accepted = 0;
        long start = System.nanoTime();
        for (MessageSpec spec : SpecCatalog.all()) {
            for (short v = spec.validVersions().lowest(); v <= spec.validVersions().highest(); v++) {
                Random random = new Random(SEED ^ ((long) spec.name().hashCode() << 16) ^ v);
                for (int b = 0; b < BASES_PER_VERSION; b++) {
                    byte[] base = validEncoding(spec, v, random);
                    for (int m = 0; m < MUTATIONS_PER_BASE; m++) {
                        StringBuilder how = new StringBuilder();
                        byte[] input = mutate(base, random, how);
                        accepted += decode(spec, v, input, how) ? 1 : 0;
                        frames++;
                    }
                }
            }
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("MessageFuzzTest: %d mutated frames in %d ms, %d decoded, seed %d%n", frames, millis, accepted, SEED);
        assertTrue(frames >= MIN_TOTAL_FRAMES, frames + " frames");
    }

    /**
     * Where both our decoder and Kafka's accept a mutated frame whole, they must have read the same thing:
     * what we write back equals what Kafka writes back. (Where they disagree, ours is the stricter one: it
     * rejects lengths below -1, tagged-field sizes that disagree with the field, and tagged-field counts
     * that exceed the bytes left, all of which Kafka's readers let through.)
     */
    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void mutatedFramesBothDecodersAcceptAreReadAlike() throws Exception {
        long compared = 0;
        for (MessageSpec spec : SpecCatalog.all()) {
            for (short v = spec.validVersions().lowest(); v <= spec.validVersions().highest(); v++) {
                Random random = new Random(SEED ^ ((long) spec.name().hashCode() << 20) ^ v);
                for (int b = 0; b < 4; b++) {
                    byte[] base = validEncoding(spec, v, random);
                    for (int m = 0; m < 10; m++) {
                        StringBuilder how = new StringBuilder();
                        byte[] input = mutate(base, random, how);
                        byte[] kafka = kafkaNormalForm(spec, v, input);
                        byte[] ours = kafka == null ? null : oursNormalForm(spec, v, input);
                        if (ours != null) {
                            compared++;
                            assertArrayEquals(kafka, ours, spec.name() + " v" + v + " (seed " + SEED + ", mutations "
                                    + how + ") input " + HexFormat.of().formatHex(input));
                        }
                    }
                }
            }
        }
        System.out.printf("MessageFuzzTest: %d mutated frames read alike by both decoders, seed %d%n", compared, SEED);
        assertTrue(compared > 1000, compared + " frames compared");
    }

    /** What Kafka writes after reading {@code input} whole; null when it rejects it, leaves bytes or cannot write it. */
    private static byte[] kafkaNormalForm(MessageSpec spec, short version, byte[] input) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(input);
            org.apache.kafka.common.protocol.Message message = (org.apache.kafka.common.protocol.Message)
                    SpecCatalog.kafkaClass(spec).getConstructor(Readable.class, short.class)
                            .newInstance(new ByteBufferAccessor(buffer), version);
            return buffer.hasRemaining() ? null : KafkaOracle.write(message, version);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] oursNormalForm(MessageSpec spec, short version, byte[] input) {
        Message message;
        try {
            message = Messages.read(SpecCatalog.newOurs(spec), Unpooled.wrappedBuffer(input), version);
        } catch (ProtocolException rejected) {
            return null;
        }
        ByteBuf out = Messages.toByteBuf(message, version);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    private static byte[] validEncoding(MessageSpec spec, short version, Random random) {
        ByteBuf raw = new RandomWireMessage(spec, random).write(version);
        try {
            return ByteBufUtil.getBytes(raw);
        } finally {
            raw.release();
        }
    }

    /** Returns true when the input decoded (and encoded again); fails the test on any non-protocol error. */
    private static boolean decode(MessageSpec spec, short version, byte[] input, CharSequence how) {
        // every eighth frame is a pooled direct buffer, like a frame off the socket, which the paranoid leak
        // detector tracks (at a cost that rules it out for every frame); the others are plain heap buffers
        ByteBuf buf = (input.length & 7) == 0
                ? PooledByteBufAllocator.DEFAULT.directBuffer(input.length).writeBytes(input)
                : Unpooled.wrappedBuffer(input);
        try {
            Message message = Messages.read(SpecCatalog.newOurs(spec), buf, version);
            Messages.toByteBuf(message, version).release();
            return true;
        } catch (ProtocolException expected) {
            return false;
        } catch (Throwable e) {
            fail(spec.name() + " v" + version + " (seed " + SEED + ", mutations " + how + ") threw " + e
                    + " for input " + HexFormat.of().formatHex(input), e);
            return false;
        } finally {
            buf.release();
        }
    }

    /** Applies one to three random mutations to a copy of {@code base}, describing them in {@code how}. */
    static byte[] mutate(byte[] base, Random random, StringBuilder how) {
        byte[] bytes = base.clone();
        int count = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
        for (int i = 0; i < count; i++) {
            bytes = mutateOnce(bytes, random, how);
        }
        return bytes;
    }

    private static byte[] mutateOnce(byte[] bytes, Random random, StringBuilder how) {
        int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
        switch (random.nextInt(6)) {
            case 0 -> {
                if (bytes.length > 0) {
                    int bit = random.nextInt(8);
                    bytes[at] ^= (byte) (1 << bit);
                    how.append("flip@").append(at).append('.').append(bit).append(' ');
                }
            }
            case 1 -> {
                if (bytes.length > 0) {
                    bytes[at] = BOUNDARY_BYTES[random.nextInt(BOUNDARY_BYTES.length)];
                    how.append("set@").append(at).append(' ');
                }
            }
            case 2 -> {
                int length = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
                how.append("truncate@").append(length).append(' ');
                return java.util.Arrays.copyOf(bytes, length);
            }
            case 3 -> {
                byte[] inserted = new byte[1 + random.nextInt(4)];
                random.nextBytes(inserted);
                how.append("insert").append(inserted.length).append('@').append(at).append(' ');
                return splice(bytes, at, 0, inserted);
            }
            case 4 -> {
                int deleted = Math.min(1 + random.nextInt(4), bytes.length - at);
                how.append("delete").append(deleted).append('@').append(at).append(' ');
                return splice(bytes, at, deleted, new byte[0]);
            }
            default -> {
                byte[] length = HOSTILE_LENGTHS[random.nextInt(HOSTILE_LENGTHS.length)];
                how.append("length@").append(at).append(' ');
                // overwrite what is there, growing the input if the value runs past its end
                return splice(bytes, at, Math.min(length.length, bytes.length - at), length);
            }
        }
        return bytes;
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        byte[] out = new byte[bytes.length - remove + insert.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(bytes, at + remove, out, at + insert.length, bytes.length - at - remove);
        return out;
    }
}
