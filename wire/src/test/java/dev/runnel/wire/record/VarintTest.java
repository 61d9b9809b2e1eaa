package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.utils.ByteUtils;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Our zig-zag varints against Kafka's ByteUtils, byte for byte. */
class VarintTest {
    @Test
    void intsEncodeAndDecodeLikeKafka() {
        Seeds.run(rnd -> {
            int[] edges = {0, 1, -1, 63, 64, -64, -65, Integer.MAX_VALUE, Integer.MIN_VALUE};
            for (int i = 0; i < 20_000; i++) {
                int value = i < edges.length ? edges[i] : rnd.nextInt() >> rnd.nextInt(32);
                ByteBuffer kafka = ByteBuffer.allocate(5);
                ByteUtils.writeVarint(value, kafka);
                ByteBuf ours = Unpooled.buffer(5);
                Varint.writeVarint(ours, value);
                assertArrayEquals(Arrays.copyOf(kafka.array(), kafka.position()), ByteBufUtil.getBytes(ours), "value " + value);
                assertEquals(ByteUtils.sizeOfVarint(value), Varint.sizeOfVarint(value));
                assertEquals(value, Varint.readVarint(ours));
                ours.release();
            }
        });
    }

    @Test
    void longsEncodeAndDecodeLikeKafka() {
        Seeds.run(rnd -> {
            long[] edges = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 56, -(1L << 56)};
            for (int i = 0; i < 20_000; i++) {
                long value = i < edges.length ? edges[i] : rnd.nextLong() >> rnd.nextInt(64);
                ByteBuffer kafka = ByteBuffer.allocate(10);
                ByteUtils.writeVarlong(value, kafka);
                ByteBuf ours = Unpooled.buffer(10);
                Varint.writeVarlong(ours, value);
                assertArrayEquals(Arrays.copyOf(kafka.array(), kafka.position()), ByteBufUtil.getBytes(ours), "value " + value);
                assertEquals(ByteUtils.sizeOfVarlong(value), Varint.sizeOfVarlong(value));
                assertEquals(value, Varint.readVarlong(ours));
                ours.release();
            }
        });
    }

    @Test
    void overlongAndTruncatedVarintsAreInvalid() {
        assertThrows(InvalidRecordException.class, () -> Varint.readVarint(Unpooled.wrappedBuffer(new byte[] {-1, -1, -1, -1, -1, 1})));
        assertThrows(InvalidRecordException.class, () -> Varint.readVarlong(Unpooled.wrappedBuffer(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1})));
        assertThrows(InvalidRecordException.class, () -> Varint.readVarint(Unpooled.wrappedBuffer(new byte[] {-1, -1})));
        assertThrows(InvalidRecordException.class, () -> Varint.readVarlong(Unpooled.wrappedBuffer(new byte[0])));
        // Five bytes is still a valid int, as Kafka reads it.
        assertEquals(ByteUtils.readVarint(ByteBuffer.wrap(new byte[] {-1, -1, -1, -1, 15})),
                Varint.readVarint(Unpooled.wrappedBuffer(new byte[] {-1, -1, -1, -1, 15})));
    }
}
