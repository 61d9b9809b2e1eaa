package dev.runnel.bench.log;

import dev.runnel.log.FileHandles;
import dev.runnel.log.IndexCache;
import dev.runnel.log.LogConfig;
import dev.runnel.log.LogDirectory;
import dev.runnel.log.LogResources;
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
import org.openjdk.jmh.annotations.Param;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Start-up after a clean shutdown: opening a log directory of N partitions (each with two segments of a few batches)
 * that was closed cleanly. Measures {@link LogDirectory#open} only; the close (which fsyncs every partition) runs
 * in the per-invocation teardown.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class ReopenBenchmark {
    @Param({"1000", "10000"})
    public int partitions;

    private Path root;
    private LogDirectory opened;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = Files.createTempDirectory("reopen-bench");
        LogResources resources = resources();
        LogDirectory directory = LogDirectory.open(root, resources, tp -> LogConfig.DEFAULT, (tp, d) -> ProducerStateHook.NONE, null);
        ByteBuf batch = new RecordBatchBuilder().append(1L, "k".getBytes(), new byte[100]).append(2L, "k".getBytes(), new byte[100])
                .build(ByteBufAllocator.DEFAULT);
        try {
            for (int p = 0; p < partitions; p++) {
                PartitionLog log = directory.getOrCreate(new TopicPartition("topic-" + p / 100, p % 100), null, LogConfig.DEFAULT);
                for (int i = 0; i < 3; i++) {
                    log.appendAsLeader(batch, 0);
                }
                log.roll();
                log.appendAsLeader(batch, 0);
            }
        } finally {
            batch.release();
        }
        directory.close();
        resources.files().close();
    }

    private static LogResources resources() {
        return new LogResources(new FileHandles(4096), new IndexCache(64L * 1024 * 1024), Clock.systemUTC());
    }

    @Benchmark
    public int open() throws IOException {
        opened = LogDirectory.open(root, resources(), tp -> LogConfig.DEFAULT, (tp, d) -> ProducerStateHook.NONE, null);
        if (!opened.openedAfterCleanShutdown()) {
            throw new IllegalStateException("expected a clean shutdown");
        }
        return opened.logs().size();
    }

    @TearDown(Level.Invocation)
    public void closeOpened() {
        if (opened != null) {
            opened.close();
            opened = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
