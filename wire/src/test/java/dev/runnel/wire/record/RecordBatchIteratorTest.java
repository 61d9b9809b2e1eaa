package dev.runnel.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Walking consecutive batches: whole ones are returned, a partial tail stops the walk cleanly. */
class RecordBatchIteratorTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @Test
    void stopsBeforeAPartialLastBatchAtEveryCutPoint() {
        Seeds.run(rnd -> {
            List<ByteBuf> batches = new ArrayList<>();
            ByteBuf all = Unpooled.buffer();
            try {
                long offset = 100;
                for (int i = 0; i < 3; i++) {
                    CompressionType codec = CompressionType.values()[rnd.nextInt(CompressionType.values().length)];
                    List<KafkaOracle.Input> inputs = KafkaOracle.randomRecords(rnd, offset, 1 + rnd.nextInt(5), false);
                    ByteBuf batch = KafkaOracle.ourBatch(new KafkaOracle.Spec(codec, offset, 0, -1, (short) -1, -1, false, -1), inputs).build(ALLOC);
                    batches.add(batch);
                    all.writeBytes(batch, batch.readerIndex(), batch.readableBytes());
                    offset += inputs.size();
                }
                int firstTwo = batches.get(0).readableBytes() + batches.get(1).readableBytes();
                for (int end = firstTwo; end <= all.writerIndex(); end++) {
                    RecordBatchIterator iterator = new RecordBatchIterator(all, 0, end);
                    long expectedOffset = 100;
                    int seen = 0;
                    while (iterator.hasNext()) {
                        RecordBatchView view = iterator.next();
                        view.validate(end - view.start());
                        assertEquals(expectedOffset, view.baseOffset());
                        expectedOffset = view.nextOffset();
                        seen++;
                    }
                    boolean whole = end == all.writerIndex();
                    assertEquals(whole ? 3 : 2, seen, "end " + end);
                    assertEquals(whole ? end : firstTwo, iterator.position());
                    assertEquals(!whole && end > firstTwo, iterator.hasPartialTail());
                    assertEquals(end - iterator.position(), iterator.remaining());
                    assertThrows(NoSuchElementException.class, iterator::next);
                }
            } finally {
                all.release();
                batches.forEach(ByteBuf::release);
            }
        });
    }

    @Test
    void walksBatchesSpreadOverACompositeBuffer() {
        ByteBuf first = new RecordBatchBuilder().append(1, "a".getBytes(), "1".getBytes()).build(ALLOC);
        ByteBuf second = new RecordBatchBuilder().baseOffset(1).compression(CompressionType.LZ4).append(2, "b".getBytes(), "2".getBytes()).build(ALLOC);
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        // Split the second batch across two components.
        composite.addComponents(true, first, second.retainedSlice(0, 30), second.retainedSlice(30, second.readableBytes() - 30));
        second.release();
        try {
            RecordBatchIterator iterator = new RecordBatchIterator(composite);
            List<String> values = new ArrayList<>();
            while (iterator.hasNext()) {
                RecordBatchView view = iterator.next();
                view.validate(composite.writerIndex() - view.start());
                try (RecordIterator records = view.records(ALLOC, 1 << 20)) {
                    records.forEachRemaining(r -> values.add(new String(r.valueBytes())));
                }
            }
            assertEquals(List.of("1", "2"), values);
            assertFalse(iterator.hasPartialTail());
        } finally {
            composite.release();
        }
    }

    @Test
    void emptyRangeHasNoBatches() {
        ByteBuf empty = Unpooled.EMPTY_BUFFER;
        RecordBatchIterator iterator = new RecordBatchIterator(empty);
        assertFalse(iterator.hasNext());
        assertFalse(iterator.hasPartialTail());
        assertTrue(iterator.remaining() == 0);
    }
}
