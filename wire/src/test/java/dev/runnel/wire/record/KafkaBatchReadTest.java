package dev.runnel.wire.record;

import dev.runnel.wire.record.KafkaOracle.Input;
import dev.runnel.wire.record.KafkaOracle.Spec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batches built by Kafka's MemoryRecordsBuilder are read by our view and iterators with identical fields. */
class KafkaBatchReadTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void readsKafkaBatchesWithIdenticalHeaderAndRecords(CompressionType compression) {
        Seeds.run(rnd -> {
            for (int round = 0; round < 20; round++) {
                Spec spec = KafkaOracle.randomSpec(rnd, compression);
                List<Input> inputs = KafkaOracle.randomRecords(rnd, spec.baseOffset(), 1 + rnd.nextInt(30), rnd.nextInt(4) == 0);
                MemoryRecords kafka = KafkaOracle.kafkaBatch(spec, inputs);
                ByteBuf buf = KafkaOracle.toByteBuf(kafka);
                try {
                    RecordBatchView view = new RecordBatchView(buf, 0);
                    view.validate(buf.readableBytes());
                    MutableRecordBatch batch = KafkaOracle.onlyBatch(kafka);
                    KafkaOracle.assertSameHeader(batch, view);
                    KafkaOracle.assertSameRecords(batch, view);
                    RecordsSummary summary = RecordsSummary.of(view, ALLOC, 64 << 20);
                    assertEquals(inputs.size(), summary.count());
                    assertEquals(inputs.stream().allMatch(r -> r.key() != null), summary.allRecordsHaveKeys());
                    assertEquals(summary.allRecordsHaveKeys(), view.allRecordsHaveKeys(ALLOC, 64 << 20));
                } finally {
                    buf.release();
                }
            }
        });
    }

    @Test
    void logAppendTimeRecordsTakeTheBatchMaxTimestamp() {
        Spec spec = new Spec(CompressionType.NONE, 5, 3, -1, (short) -1, -1, false, 1_234_567L);
        List<Input> inputs = List.of(
                new Input(5, 100, null, "a".getBytes(), List.of()),
                new Input(6, 50, "k".getBytes(), null, List.of()));
        ByteBuf buf = KafkaOracle.toByteBuf(KafkaOracle.kafkaBatch(spec, inputs));
        try (RecordIterator records = new RecordBatchView(buf, 0).records(ALLOC, 1 << 20)) {
            assertEquals(1_234_567L, records.next().timestamp());
            assertEquals(1_234_567L, records.next().timestamp());
            assertFalse(records.hasNext());
        } finally {
            buf.release();
        }
    }

    @Test
    void readsKafkaEndTransactionMarkers() {
        for (org.apache.kafka.common.record.internal.ControlRecordType kafkaType
                : List.of(org.apache.kafka.common.record.internal.ControlRecordType.COMMIT, org.apache.kafka.common.record.internal.ControlRecordType.ABORT)) {
            MemoryRecords kafka = MemoryRecords.withEndTransactionMarker(42L, 1_700_000_000_000L, 7, 9_000L, (short) 3,
                    new EndTransactionMarker(kafkaType, 11));
            ByteBuf buf = KafkaOracle.toByteBuf(kafka);
            try {
                RecordBatchView view = new RecordBatchView(buf, 0);
                view.validate(buf.readableBytes());
                KafkaOracle.assertSameHeader(KafkaOracle.onlyBatch(kafka), view);
                KafkaOracle.assertSameRecords(KafkaOracle.onlyBatch(kafka), view);
                assertTrue(view.isControl());
                assertTrue(view.isTransactional());
                try (RecordIterator records = view.records(ALLOC, 1 << 20)) {
                    Record marker = records.next();
                    assertEquals(kafkaType.name(), ControlRecord.type(marker.key()).name());
                    assertEquals(11, ControlRecord.coordinatorEpoch(marker.value()));
                }
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void walksConsecutiveKafkaBatchesOfEveryCodec() {
        Seeds.run(rnd -> {
            List<MemoryRecords> batches = new ArrayList<>();
            long offset = 0;
            for (CompressionType compression : CompressionType.values()) {
                Spec spec = new Spec(compression, offset, 1, -1, (short) -1, -1, false, -1);
                List<Input> inputs = KafkaOracle.randomRecords(rnd, offset, 1 + rnd.nextInt(10), false);
                batches.add(KafkaOracle.kafkaBatch(spec, inputs));
                offset += inputs.size();
            }
            ByteBuf all = Unpooled.buffer();
            try {
                for (MemoryRecords batch : batches) {
                    all.writeBytes(batch.buffer().duplicate());
                }
                RecordBatchIterator iterator = new RecordBatchIterator(all);
                for (MemoryRecords batch : batches) {
                    assertTrue(iterator.hasNext());
                    RecordBatchView view = iterator.next();
                    view.validate(all.writerIndex() - view.start());
                    KafkaOracle.assertSameHeader(KafkaOracle.onlyBatch(batch), view);
                    KafkaOracle.assertSameRecords(KafkaOracle.onlyBatch(batch), view);
                }
                assertFalse(iterator.hasNext());
                assertFalse(iterator.hasPartialTail());
                assertEquals(all.writerIndex(), iterator.position());
            } finally {
                all.release();
            }
        });
    }
}
