package dev.runnel.bench.wire;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

import java.nio.ByteBuffer;
import java.util.Random;

/** Real v2 record batches for benchmark inputs, written by kafka-clients. */
final class KafkaBatches {
    private KafkaBatches() {
    }

    /** One uncompressed batch of 1 KiB records (fewer, smaller ones below 1 KiB) totalling about {@code bytes}. */
    static ByteBuffer batchOf(int bytes, long seed) {
        Random random = new Random(seed);
        int valueSize = Math.min(1024, Math.max(16, bytes - 100));
        int count = Math.max(1, (bytes - 61) / (valueSize + 10));
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[valueSize];
            random.nextBytes(value);
            records[i] = new SimpleRecord(1_700_000_000_000L + i, ("key-" + i).getBytes(), value);
        }
        return MemoryRecords.withRecords(Compression.NONE, records).buffer();
    }
}
