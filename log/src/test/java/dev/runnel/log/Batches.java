package dev.runnel.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds record batches with kafka-clients (the oracle) and reads slices and segment files back with it. */
final class Batches {
    private Batches() {
    }

    /** One uncompressed batch with {@code count} records at the given timestamps (cycled), values "v<i>". */
    static ByteBuf batch(int count, long... timestamps) {
        return wrap(memoryRecords(Compression.NONE, count, timestamps));
    }

    static MemoryRecords memoryRecords(Compression compression, int count, long... timestamps) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            long ts = timestamps.length == 0 ? 1_000 : timestamps[i % timestamps.length];
            records[i] = new SimpleRecord(ts, ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(compression, records);
    }

    static ByteBuf wrap(MemoryRecords records) {
        ByteBuffer buffer = records.buffer();
        ByteBuf buf = Unpooled.buffer(buffer.remaining());
        buf.writeBytes(buffer.duplicate());
        return buf;
    }

    /** The complete batches of a slice, parsed by kafka-clients. Does not release the slice. */
    static List<RecordBatch> read(LogSlice slice) throws IOException {
        if (slice.isEmpty()) {
            return List.of();
        }
        ByteBuffer bytes = ByteBuffer.allocate(slice.size());
        while (bytes.hasRemaining()) {
            if (slice.channel().read(bytes, slice.position() + bytes.position()) < 0) {
                throw new IOException("slice beyond end of file");
            }
        }
        bytes.flip();
        List<RecordBatch> batches = new ArrayList<>();
        MemoryRecords.readableRecords(bytes).batches().forEach(batches::add);
        return batches;
    }

    /** Reads and releases. */
    static List<RecordBatch> readAndRelease(LogSlice slice) throws IOException {
        try {
            return read(slice);
        } finally {
            slice.release();
        }
    }

    /** Every batch of a segment file, parsed and CRC-checked by kafka-clients' FileRecords. */
    static List<RecordBatch> segmentFile(Path file) throws IOException {
        List<RecordBatch> batches = new ArrayList<>();
        try (FileRecords records = FileRecords.open(file.toFile(), false)) {
            records.batches().forEach(b -> {
                b.ensureValid();
                batches.add(b);
            });
        }
        return batches;
    }
}
