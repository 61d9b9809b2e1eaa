package dev.runnel.wire.record;

import dev.runnel.wire.record.KafkaOracle.Input;
import dev.runnel.wire.record.KafkaOracle.Spec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batches from our builder are read back by Kafka with the same records and a valid CRC. */
class RecordBatchBuilderTest {
    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void kafkaReadsOurBatchesWithIdenticalRecords(CompressionType compression) {
        Seeds.run(rnd -> {
            for (int round = 0; round < 20; round++) {
                Spec spec = KafkaOracle.randomSpec(rnd, compression);
                List<Input> inputs = KafkaOracle.randomRecords(rnd, spec.baseOffset(), 1 + rnd.nextInt(30), rnd.nextInt(4) == 0);
                ByteBuf ours = KafkaOracle.ourBatch(spec, inputs).build(ALLOC);
                try {
                    MemoryRecords expected = KafkaOracle.kafkaBatch(spec, inputs);
                    MutableRecordBatch batch = KafkaOracle.onlyBatch(KafkaOracle.toMemoryRecords(ours));
                    batch.ensureValid();
                    MutableRecordBatch kafkaBatch = KafkaOracle.onlyBatch(expected);
                    assertEquals(kafkaBatch.baseOffset(), batch.baseOffset());
                    assertEquals(kafkaBatch.lastOffset(), batch.lastOffset());
                    assertEquals(kafkaBatch.maxTimestamp(), batch.maxTimestamp());
                    assertEquals(kafkaBatch.countOrNull(), batch.countOrNull());
                    assertEquals(kafkaBatch.producerId(), batch.producerId());
                    assertEquals(kafkaBatch.baseSequence(), batch.baseSequence());
                    assertEquals(kafkaBatch.isTransactional(), batch.isTransactional());
                    assertEquals(kafkaBatch.timestampType(), batch.timestampType());
                    assertEquals(kafkaBatch.compressionType(), batch.compressionType());
                    List<org.apache.kafka.common.record.internal.Record> actual = new ArrayList<>();
                    batch.forEach(actual::add);
                    List<org.apache.kafka.common.record.internal.Record> wanted = new ArrayList<>();
                    kafkaBatch.forEach(wanted::add);
                    assertEquals(wanted, actual);
                    // And our own reader agrees with Kafka's reading of our bytes.
                    KafkaOracle.assertSameHeader(batch, new RecordBatchView(ours, ours.readerIndex()));
                    KafkaOracle.assertSameRecords(batch, new RecordBatchView(ours, ours.readerIndex()));
                } finally {
                    ours.release();
                }
            }
        });
    }

    /** Same libraries, levels, framing and stream buffering as Kafka's producer, so the same bytes. */
    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void writesTheSameBytesAsKafka(CompressionType compression) {
        Seeds.run(rnd -> {
            for (int round = 0; round < 20; round++) {
                Spec spec = KafkaOracle.randomSpec(rnd, compression);
                List<Input> inputs = KafkaOracle.randomRecords(rnd, spec.baseOffset(), 1 + rnd.nextInt(30), rnd.nextInt(4) == 0);
                ByteBuf ours = KafkaOracle.ourBatch(spec, inputs).build(ALLOC);
                try {
                    MemoryRecords kafka = KafkaOracle.kafkaBatch(spec, inputs);
                    byte[] expected = new byte[kafka.sizeInBytes()];
                    kafka.buffer().duplicate().get(expected);
                    assertArrayEquals(expected, ByteBufUtil.getBytes(ours));
                } finally {
                    ours.release();
                }
            }
        });
    }

    @Test
    void endTransactionMarkerBatchIsByteIdenticalToKafkas() {
        for (ControlRecordType type : List.of(ControlRecordType.COMMIT, ControlRecordType.ABORT)) {
            ByteBuf ours = ControlRecord.endTxnMarkerBatch(ALLOC, 42L, 1_700_000_000_000L, 7, 9_000L, (short) 3, type, 11);
            try {
                MemoryRecords kafka = MemoryRecords.withEndTransactionMarker(42L, 1_700_000_000_000L, 7, 9_000L, (short) 3,
                        new EndTransactionMarker(org.apache.kafka.common.record.internal.ControlRecordType.valueOf(type.name()), 11));
                byte[] expected = new byte[kafka.sizeInBytes()];
                kafka.buffer().duplicate().get(expected);
                assertArrayEquals(expected, ByteBufUtil.getBytes(ours));
                MutableRecordBatch batch = KafkaOracle.onlyBatch(KafkaOracle.toMemoryRecords(ours));
                batch.ensureValid();
                assertTrue(batch.isControlBatch());
                EndTransactionMarker marker = EndTransactionMarker.deserialize(batch.iterator().next());
                assertEquals(type.name(), marker.controlType().name());
                assertEquals(11, marker.coordinatorEpoch());
            } finally {
                ours.release();
            }
        }
    }

    @Test
    void controlRecordKeyAndValueMatchKafkas() {
        for (ControlRecordType type : ControlRecordType.values()) {
            if (type == ControlRecordType.UNKNOWN) {
                continue;
            }
            org.apache.kafka.common.record.internal.ControlRecordType kafkaType = org.apache.kafka.common.record.internal.ControlRecordType.valueOf(type.name());
            assertArrayEquals(ByteBufUtil.getBytes(io.netty.buffer.Unpooled.wrappedBuffer(kafkaType.recordKey())), ControlRecord.key(type));
            assertEquals(type, ControlRecord.type(io.netty.buffer.Unpooled.wrappedBuffer(ControlRecord.key(type))));
        }
        assertArrayEquals(ByteBufUtil.getBytes(io.netty.buffer.Unpooled.wrappedBuffer(
                new EndTransactionMarker(org.apache.kafka.common.record.internal.ControlRecordType.COMMIT, -5).serializeValue())),
                ControlRecord.endTxnMarkerValue(-5));
        assertEquals(ControlRecordType.UNKNOWN, ControlRecord.type(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {0, 1, 0, 99})));
        assertThrows(InvalidRecordException.class, () -> ControlRecord.type(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {-1, -1, 0, 0})));
        assertThrows(InvalidRecordException.class, () -> ControlRecord.coordinatorEpoch(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {0, 0, 1})));
    }

    @Test
    void compressedBatchUsesTheRequestedLevel() {
        byte[] value = KafkaOracle.bytes(new java.util.Random(1), 100_000);
        for (CompressionType type : List.of(CompressionType.GZIP, CompressionType.LZ4, CompressionType.ZSTD)) {
            ByteBuf fast = new RecordBatchBuilder().compression(type, type.minLevel() < 1 ? 1 : type.minLevel()).append(0, null, value).build(ALLOC);
            ByteBuf best = new RecordBatchBuilder().compression(type, type.maxLevel()).append(0, null, value).build(ALLOC);
            try {
                assertTrue(best.readableBytes() <= fast.readableBytes(), type + ": best level no larger than fastest");
                KafkaOracle.onlyBatch(KafkaOracle.toMemoryRecords(best)).ensureValid();
            } finally {
                fast.release();
                best.release();
            }
        }
    }

    @Test
    void rejectsInconsistentSettingsLikeKafka() {
        assertThrows(IllegalStateException.class, () -> new RecordBatchBuilder().build(ALLOC));
        assertThrows(IllegalStateException.class, () -> new RecordBatchBuilder().transactional(true).append(0, null, null).build(ALLOC));
        assertThrows(IllegalStateException.class, () -> new RecordBatchBuilder().producer(1, (short) -1, 0).append(0, null, null).build(ALLOC));
        assertThrows(IllegalStateException.class, () -> new RecordBatchBuilder().producer(1, (short) 0, -1).append(0, null, null).build(ALLOC));
        assertThrows(IllegalStateException.class, () -> new RecordBatchBuilder().control(true).append(0, null, null).build(ALLOC));
        assertThrows(IllegalArgumentException.class, () -> new RecordBatchBuilder().append(-2, null, null));
        assertThrows(IllegalArgumentException.class, () -> new RecordBatchBuilder().baseOffset(10).appendWithOffset(9, 0, null, null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new RecordBatchBuilder().append(0, null, null).appendWithOffset(0, 0, null, null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new RecordBatchBuilder().compression(CompressionType.LZ4, 18));
        assertThrows(IllegalStateException.class, () -> new RecordBatchBuilder().append(0, null, null).baseOffset(3));
    }

    @Test
    void buildsIntoTheCallersAllocator() {
        ByteBuf heap = new RecordBatchBuilder().append(0, new byte[1], new byte[2]).build(UnpooledByteBufAllocator.DEFAULT);
        try {
            assertEquals(1, heap.refCnt());
            assertEquals(RecordBatch.MAGIC_VALUE_V2, new RecordBatchView(heap, 0).magic());
        } finally {
            heap.release();
        }
    }
}
