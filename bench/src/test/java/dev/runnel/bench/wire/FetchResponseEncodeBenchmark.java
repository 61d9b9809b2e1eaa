package dev.runnel.bench.wire;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.FetchResponse;
import dev.runnel.wire.protocol.ByteBufRecords;
import dev.runnel.wire.protocol.MessageWriter;
import dev.runnel.wire.protocol.RequestHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ResponseHeader;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Encoding a Fetch response of {@code partitions} x {@code batchBytes} of record batches into what goes on the
 * socket: size prefix, response header, body. Ours writes header and scalars into pooled chunks and keeps each
 * records section as a retained slice (no copy), back-patching the size; the chunks are then released as the
 * network layer would after writing them. Baselines: Kafka's broker send path ({@code SendBuilder}, also
 * zero-copy for records) and Kafka's {@code MessageUtil.toByteBufferAccessor}, which copies everything.
 */
@State(Scope.Thread)
// a broker measures its codec, not Netty's sampling leak detector
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FetchResponseEncodeBenchmark {
    private static final int CORRELATION_ID = 12345;

    @Param({"17"})
    public short version;

    @Param({"16"})
    public int partitions;

    @Param({"1024", "65536"})
    public int batchBytes;

    private final List<ByteBuf> batches = new ArrayList<>();
    private FetchResponse ours;
    private FetchResponseData kafka;
    private ResponseHeader kafkaHeader;

    @Setup
    public void setUp() {
        Uuid topicId = Uuid.randomUuid();
        List<FetchResponse.PartitionData> ourPartitions = new ArrayList<>();
        List<FetchResponseData.PartitionData> kafkaPartitions = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ByteBuffer batch = KafkaBatches.batchOf(batchBytes, p);
            ByteBuf direct = Unpooled.directBuffer(batch.remaining()).writeBytes(batch.duplicate());
            batches.add(direct);
            ourPartitions.add(new FetchResponse.PartitionData().setPartitionIndex(p).setHighWatermark(1_000_000)
                    .setLastStableOffset(1_000_000).setLogStartOffset(0).setRecords(new ByteBufRecords(direct)));
            kafkaPartitions.add(new FetchResponseData.PartitionData().setPartitionIndex(p).setHighWatermark(1_000_000)
                    .setLastStableOffset(1_000_000).setLogStartOffset(0)
                    .setRecords(MemoryRecords.readableRecords(batch)));
        }
        ours = new FetchResponse().setSessionId(7).setResponses(List.of(new FetchResponse.FetchableTopicResponse()
                .setTopic("bench").setTopicId(new UUID(topicId.getMostSignificantBits(), topicId.getLeastSignificantBits()))
                .setPartitions(ourPartitions)));
        kafka = new FetchResponseData().setSessionId(7).setResponses(List.of(new FetchResponseData.FetchableTopicResponse()
                .setTopic("bench").setTopicId(topicId).setPartitions(kafkaPartitions)));
        kafkaHeader = new ResponseHeader(CORRELATION_ID, ApiKeys.FETCH.responseHeaderVersion(version));
        checkSameBytesAsKafka();
    }

    /** Measures nothing unless both sides produce the same frame. */
    private void checkSameBytesAsKafka() {
        ByteBuffer header = MessageUtil.toByteBufferAccessor(kafkaHeader.data(), kafkaHeader.headerVersion()).buffer();
        ByteBuffer body = kafkaCopy();
        header.rewind();
        body.rewind();
        ByteBuf expected = Unpooled.buffer().writeInt(header.remaining() + body.remaining()).writeBytes(header).writeBytes(body);
        MessageWriter writer = MessageWriter.chunked(PooledByteBufAllocator.DEFAULT, 1024);
        writer.out().writeInt(expected.readableBytes() - 4);
        RequestHeaders.writeResponseHeader(writer.out(), ApiMessageType.FETCH, version, CORRELATION_ID);
        ours.write(writer, version);
        ByteBuf actual = Unpooled.buffer();
        for (Object chunk : writer.finish()) {
            actual.writeBytes((ByteBuf) chunk);
            ((ByteBuf) chunk).release();
        }
        try {
            if (!ByteBufUtil.equals(expected, actual)) {
                throw new IllegalStateException("our Fetch response differs from Kafka's");
            }
        } finally {
            expected.release();
            actual.release();
        }
    }

    @TearDown
    public void tearDown() {
        batches.forEach(ByteBuf::release);
        batches.clear();
    }

    /** Size prefix + header + chunked body; returns the frame size after releasing the chunks. */
    @Benchmark
    public int oursChunked() {
        MessageWriter writer = MessageWriter.chunked(PooledByteBufAllocator.DEFAULT, 1024);
        ByteBuf first = writer.out();
        first.writeInt(0); // size prefix, patched below
        RequestHeaders.writeResponseHeader(first, ApiMessageType.FETCH, version, CORRELATION_ID);
        ours.write(writer, version);
        List<Object> chunks = writer.finish();
        int size = 0;
        for (Object chunk : chunks) {
            size += ((ByteBuf) chunk).readableBytes();
        }
        first.setInt(0, size - 4);
        for (Object chunk : chunks) {
            ((ByteBuf) chunk).release();
        }
        return size;
    }

    @Benchmark
    public Send kafkaSendBuilder() {
        return SendBuilder.buildResponseSend(kafkaHeader, kafka, version);
    }

    @Benchmark
    public ByteBuffer kafkaCopy() {
        return MessageUtil.toByteBufferAccessor(kafka, version).buffer();
    }
}
