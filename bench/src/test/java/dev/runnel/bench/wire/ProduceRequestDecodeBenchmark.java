package dev.runnel.bench.wire;

import dev.runnel.wire.message.ProduceRequest;
import dev.runnel.wire.protocol.Messages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decoding a Produce request body of {@code partitions} x {@code batchBytes} of record batches (16 x 64 KiB =
 * 1 MiB by default), written by kafka-clients. Neither decoder copies or parses the batches (ours slices the
 * frame, Kafka's wraps a ByteBuffer slice), so the time should not grow with {@code batchBytes}.
 * Baseline: Kafka's generated {@code ProduceRequestData}, on the same bytes.
 */
@State(Scope.Thread)
// a broker measures its codec, not Netty's sampling leak detector
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProduceRequestDecodeBenchmark {
    @Param({"13"})
    public short version;

    @Param({"16"})
    public int partitions;

    @Param({"1024", "16384", "65536"})
    public int batchBytes;

    private ByteBuffer kafkaFrame;
    private ByteBuf ourFrame;

    @Setup
    public void setUp() {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
                .setName("bench").setTopicId(Uuid.randomUuid());
        List<ProduceRequestData.PartitionProduceData> data = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            data.add(new ProduceRequestData.PartitionProduceData().setIndex(p)
                    .setRecords(MemoryRecords.readableRecords(KafkaBatches.batchOf(batchBytes, p))));
        }
        topics.add(topic.setPartitionData(data));
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
                .setTopicData(topics);
        ByteBuffer encoded = MessageUtil.toByteBufferAccessor(request, version).buffer();
        encoded.rewind();
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        kafkaFrame = ByteBuffer.wrap(bytes);
        ourFrame = Unpooled.wrappedBuffer(bytes);
        int recordBytes = ours().topicData().get(0).partitionData().stream().mapToInt(d -> d.records().sizeInBytes()).sum();
        if (recordBytes != kafka().topicData().iterator().next().partitionData().stream()
                .mapToInt(d -> d.records().sizeInBytes()).sum()) {
            throw new IllegalStateException("decoders disagree on the record sections");
        }
    }

    @TearDown
    public void tearDown() {
        ourFrame.release();
    }

    @Benchmark
    public ProduceRequest ours() {
        ourFrame.readerIndex(0);
        return Messages.read(new ProduceRequest(), ourFrame, version);
    }

    @Benchmark
    public ProduceRequestData kafka() {
        return new ProduceRequestData(new ByteBufferAccessor(kafkaFrame.duplicate()), version);
    }
}
