package dev.runnel.wire.protocol;

import dev.runnel.wire.message.FetchResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class MessageWriterTest {
    private static FetchResponse response(List<ByteBuf> records) {
        List<FetchResponse.PartitionData> partitions = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            partitions.add(new FetchResponse.PartitionData().setPartitionIndex(i).setHighWatermark(100 + i)
                    .setRecords(new ByteBufRecords(records.get(i))));
        }
        return new FetchResponse().setSessionId(7).setResponses(List.of(
                new FetchResponse.FetchableTopicResponse().setTopic("t").setPartitions(partitions)));
    }

    @Test
    void chunkedWriteEqualsInlineWriteAndKeepsRecordBuffersUncopied() {
        Random random = new Random(1);
        List<ByteBuf> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] bytes = new byte[i == 2 ? 0 : 100 + random.nextInt(1000)];
            random.nextBytes(bytes);
            records.add(Unpooled.wrappedBuffer(bytes));
        }
        FetchResponse response = response(records);
        for (short version : new short[] {4, 11, 12, 16, 18}) {
            ByteBuf inline = Messages.toByteBuf(response, version);
            MessageWriter writer = MessageWriter.chunked(PooledByteBufAllocator.DEFAULT, 64);
            response.write(writer, version);
            List<Object> chunks = writer.finish();
            ByteBuf joined = Unpooled.buffer();
            int recordChunks = 0;
            for (Object chunk : chunks) {
                ByteBuf buf = (ByteBuf) chunk;
                if (records.stream().anyMatch(r -> r.readableBytes() > 0 && buf.unwrap() == r)) {
                    recordChunks++;
                }
                joined.writeBytes(buf, buf.readerIndex(), buf.readableBytes());
                buf.release();
            }
            assertArrayEquals(ByteBufUtil.getBytes(inline), ByteBufUtil.getBytes(joined), "v" + version);
            assertEquals(4, recordChunks, "every non-empty records section is a slice of its own buffer");
            inline.release();
            joined.release();
        }
        records.forEach(r -> assertEquals(1, r.refCnt()));
        records.forEach(ByteBuf::release);
    }

    @Test
    void discardReleasesEverything() {
        ByteBuf records = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        MessageWriter writer = MessageWriter.chunked(PooledByteBufAllocator.DEFAULT, 16);
        response(List.of(records)).write(writer, (short) 12);
        writer.discard();
        assertEquals(1, records.refCnt());
        assertSame(null, writer.out());
        records.release();
    }
}
