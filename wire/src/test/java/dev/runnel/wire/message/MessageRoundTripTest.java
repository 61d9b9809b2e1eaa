package dev.runnel.wire.message;

import dev.runnel.generator.Spec.MessageSpec;
import dev.runnel.wire.protocol.Message;
import dev.runnel.wire.protocol.Messages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every message of every spec at every version, proven against kafka-clients byte for byte: random valid
 * encodings are normalised by Kafka (read then written by its own classes); our classes must read Kafka's
 * bytes and write them back identically, must produce the same normal form from the raw random bytes, and
 * Kafka must read what we write back into the same bytes. Seeded; {@code -Dseed=} replays a failure.
 */
class MessageRoundTripTest {
    private static final long SEED = Long.getLong("seed", System.nanoTime());
    private static final int SAMPLES_PER_VERSION = Integer.getInteger("samples", 25);

    @TestFactory
    List<DynamicTest> everyMessageEveryVersionMatchesKafkaByteForByte() {
        List<DynamicTest> tests = new ArrayList<>();
        for (MessageSpec spec : SpecCatalog.all()) {
            for (short v = spec.validVersions().lowest(); v <= spec.validVersions().highest(); v++) {
                short version = v;
                tests.add(DynamicTest.dynamicTest(spec.name() + " v" + v, () -> roundTrip(spec, version)));
            }
        }
        return tests;
    }

    private static void roundTrip(MessageSpec spec, short version) throws Exception {
        long seed = SEED ^ ((long) spec.name().hashCode() << 16) ^ version;
        Random random = new Random(seed);
        for (int i = 0; i < SAMPLES_PER_VERSION; i++) {
            ByteBuf raw = new RandomWireMessage(spec, random).write(version);
            try {
                byte[] rawBytes = ByteBufUtil.getBytes(raw);
                String context = spec.name() + " v" + version + " sample " + i + " (seed " + SEED + ") raw "
                        + HexFormat.of().formatHex(rawBytes);
                byte[] kafkaNormal = KafkaOracle.roundTrip(spec, rawBytes, version);
                assertArrayEquals(kafkaNormal, ours(spec, kafkaNormal, version), "ours(kafka bytes) " + context);
                byte[] oursFromRaw = ours(spec, rawBytes, version);
                assertArrayEquals(kafkaNormal, oursFromRaw, "ours(raw) vs kafka(raw) " + context);
                assertArrayEquals(oursFromRaw, KafkaOracle.roundTrip(spec, oursFromRaw, version), "kafka(ours) " + context);
                Message first = read(spec, kafkaNormal, version);
                assertEquals(first, read(spec, oursFromRaw, version), "equals() " + context);
                assertEquals(first.hashCode(), read(spec, oursFromRaw, version).hashCode(), "hashCode() " + context);
            } finally {
                raw.release();
            }
        }
    }

    private static Message read(MessageSpec spec, byte[] bytes, short version) {
        return Messages.read(SpecCatalog.newOurs(spec), Unpooled.wrappedBuffer(bytes), version);
    }

    private static byte[] ours(MessageSpec spec, byte[] bytes, short version) {
        ByteBuf out = Messages.toByteBuf(read(spec, bytes, version), version);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }
}
