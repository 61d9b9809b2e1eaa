package dev.runnel.bench.log;

import dev.runnel.log.FileHandles;
import dev.runnel.log.IndexCache;
import dev.runnel.log.LogConfig;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Appending 16 KiB batches of 1 KiB records to a partition log (validation, CRC, offset assignment, one positional
 * write, sparse index entries, no fsync) against the baseline: a raw positional FileChannel append of the same bytes.
 * Both write 64 MiB files and delete them every 256 MiB (the log by restarting empty), so both extend files the same
 * way.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AppendBenchmark {
    private static final long WRAP_BYTES = 256L * 1024 * 1024;
    private static final long FILE_BYTES = 64L * 1024 * 1024;

    private Path dir;
    private PartitionLog log;
    private ByteBuf batch;
    private FileChannel raw;
    private long rawPosition;
    private long rawTotal;
    private int rawFiles;
    private LogResources resources;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("append-bench");
        resources = LogResources.defaults(Clock.systemUTC());
        log = PartitionLog.open(dir.resolve("bench-0"), new TopicPartition("bench", 0),
                LogConfig.of(Map.of(LogConfig.SEGMENT_BYTES, String.valueOf(64 * 1024 * 1024))), resources, 0, 0, true,
                ProducerStateHook.NONE, null, e -> { });
        RecordBatchBuilder builder = new RecordBatchBuilder();
        Random random = new Random(7);
        for (int i = 0; i < 16; i++) {
            byte[] value = new byte[1024 - 30];
            random.nextBytes(value);
            builder.append(System.currentTimeMillis(), ("key-" + i).getBytes(), value);
        }
        batch = builder.build(ByteBufAllocator.DEFAULT);
        raw = openRaw();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.close();
        raw.close();
        resources.files().close();
        batch.release();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public long partitionLogAppend() {
        if (log.size() > WRAP_BYTES) {
            log.truncateFullyAndStartAt(log.logEndOffset());
        }
        return log.appendAsLeader(batch, 0).lastOffset();
    }

    @Benchmark
    public long rawFileChannelAppend() throws IOException {
        if (rawPosition >= FILE_BYTES) {
            raw.close();
            rawTotal += rawPosition;
            rawPosition = 0;
            if (rawTotal > WRAP_BYTES) {
                for (int i = 0; i < rawFiles; i++) {
                    Files.deleteIfExists(dir.resolve("raw-" + i + ".log"));
                }
                rawFiles = 0;
                rawTotal = 0;
            }
            raw = openRaw();
        }
        ByteBuffer bytes = batch.nioBuffer();
        while (bytes.hasRemaining()) {
            rawPosition += raw.write(bytes, rawPosition);
        }
        return rawPosition;
    }

    private FileChannel openRaw() throws IOException {
        return FileChannel.open(dir.resolve("raw-" + rawFiles++ + ".log"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.READ);
    }
}
