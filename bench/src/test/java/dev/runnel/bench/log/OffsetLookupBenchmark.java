package dev.runnel.bench.log;

import dev.runnel.log.LogConfig;
import dev.runnel.log.LogResources;
import dev.runnel.log.LogSlice;
import dev.runnel.log.PartitionLog;
import dev.runnel.log.ProducerStateHook;
import dev.runnel.log.TopicPartition;
import dev.runnel.wire.record.RecordBatchBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A fetch's offset lookup in a log of 1,000 segments (64 batches of 16 records each, 1 KiB records): the segment by
 * base offset, the sparse offset index, then a scan of batch headers; the slice's lease is released at once. The
 * baseline is the same read at the log start (no segment search, no index lookup).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OffsetLookupBenchmark {
    private static final int SEGMENTS = 1_000;
    private static final int BATCHES_PER_SEGMENT = 64;

    private Path dir;
    private PartitionLog log;
    private LogResources resources;
    private final SplittableRandom random = new SplittableRandom(11);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("lookup-bench");
        resources = LogResources.defaults(Clock.systemUTC());
        log = PartitionLog.open(dir.resolve("bench-0"), new TopicPartition("bench", 0), LogConfig.DEFAULT, resources, 0, 0,
                true, ProducerStateHook.NONE, null, e -> { });
        RecordBatchBuilder builder = new RecordBatchBuilder();
        for (int i = 0; i < 16; i++) {
            builder.append(System.currentTimeMillis(), ("key-" + i).getBytes(), new byte[1000]);
        }
        ByteBuf batch = builder.build(ByteBufAllocator.DEFAULT);
        try {
            for (int s = 0; s < SEGMENTS; s++) {
                for (int b = 0; b < BATCHES_PER_SEGMENT; b++) {
                    log.appendAsLeader(batch, 0);
                }
                log.roll();
            }
        } finally {
            batch.release();
        }
        if (log.segmentCount() != SEGMENTS + 1) {
            throw new IllegalStateException("expected " + SEGMENTS + " rolled segments, got " + log.segmentCount());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.close();
        resources.files().close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public long randomOffset() {
        return read(random.nextLong(log.logEndOffset()));
    }

    @Benchmark
    public long logStartOffset() {
        return read(0);
    }

    private long read(long offset) {
        LogSlice slice = log.read(offset, 1 << 20, true, Long.MAX_VALUE);
        try {
            return slice.position() + slice.size();
        } finally {
            slice.release();
        }
    }
}
