package dev.runnel.bench.record;

import dev.runnel.wire.record.CompressionType;
import dev.runnel.wire.record.Record;
import dev.runnel.wire.record.RecordBatchBuilder;
import dev.runnel.wire.record.RecordBatchView;
import dev.runnel.wire.record.RecordIterator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Decoding and building one v2 batch of 100 records (16-byte keys, 200-byte values): ours against
 * Kafka's DefaultRecordBatch and MemoryRecordsBuilder (the baselines) on the same bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RecordBatchBenchmark {
    private static final int RECORDS = 100;
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @Param({"NONE", "LZ4", "ZSTD"})
    public String codec;

    private byte[][] keys;
    private byte[][] values;
    private ByteBuf batch;
    private MutableRecordBatch kafkaBatch;
    private BufferSupplier kafkaBuffers;

    @Setup(Level.Trial)
    public void setUp() {
        Random rnd = new Random(42);
        keys = new byte[RECORDS][16];
        values = new byte[RECORDS][200];
        for (int i = 0; i < RECORDS; i++) {
            for (int j = 0; j < values[i].length; j++) {
                values[i][j] = (byte) ('a' + rnd.nextInt(8));
            }
            rnd.nextBytes(keys[i]);
        }
        batch = runnelBuild();
        kafkaBatch = MemoryRecords.readableRecords(batch.nioBuffer()).batches().iterator().next();
        kafkaBuffers = BufferSupplier.create();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        batch.release();
    }

    @Benchmark
    public long runnelIterate() {
        long sum = 0;
        try (RecordIterator records = new RecordBatchView(batch, 0).records(ALLOC, 1 << 20)) {
            while (records.hasNext()) {
                Record record = records.next();
                sum += record.offset() + record.value().readableBytes();
            }
        }
        return sum;
    }

    @Benchmark
    public long kafkaIterate() {
        long sum = 0;
        try (CloseableIterator<org.apache.kafka.common.record.internal.Record> records = kafkaBatch.streamingIterator(kafkaBuffers)) {
            while (records.hasNext()) {
                org.apache.kafka.common.record.internal.Record record = records.next();
                sum += record.offset() + record.valueSize();
            }
        }
        return sum;
    }

    @Benchmark
    public int runnelBuildAndRelease() {
        ByteBuf built = runnelBuild();
        int size = built.readableBytes();
        built.release();
        return size;
    }

    @Benchmark
    public int kafkaBuild() {
        MemoryRecordsBuilder builder = new MemoryRecordsBuilder(ByteBuffer.allocate(32 * 1024), RecordBatch.MAGIC_VALUE_V2,
                Compression.of(CompressionType.valueOf(codec).kafkaName()).build(), TimestampType.CREATE_TIME, 0, -1, -1, (short) -1, -1,
                false, false, -1, Integer.MAX_VALUE);
        for (int i = 0; i < RECORDS; i++) {
            builder.appendWithOffset(i, 1_700_000_000_000L + i, keys[i], values[i]);
        }
        return builder.build().sizeInBytes();
    }

    private ByteBuf runnelBuild() {
        RecordBatchBuilder builder = new RecordBatchBuilder().compression(CompressionType.valueOf(codec));
        for (int i = 0; i < RECORDS; i++) {
            builder.append(1_700_000_000_000L + i, keys[i], values[i]);
        }
        return builder.build(ALLOC);
    }
}
