package dev.runnel.log;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.tools.DumpLogSegments;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our files and Kafka's are interchangeable: Apache Kafka's own {@code DumpLogSegments} tool reads the segments,
 * offset indexes and time indexes we write (including compacted ones) and finds them consistent, and we read a log
 * directory written by Kafka's own {@code LogSegment}.
 */
class KafkaFileCompatibilityTest {
    private static final TopicPartition TP = new TopicPartition("dump", 0);
    private static final Pattern BATCH = Pattern.compile("baseOffset: (\\d+) lastOffset: (\\d+) count: (\\d+)");
    private static final Pattern INDEX_ENTRY = Pattern.compile("^offset: (\\d+) position: (\\d+)", Pattern.MULTILINE);
    private static final Pattern TIME_ENTRY = Pattern.compile("^timestamp: (\\d+) offset: (\\d+)", Pattern.MULTILINE);

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final LogResources resources = new LogResources(new FileHandles(64), new IndexCache(1 << 20), clock);

    @AfterEach
    void closeFiles() {
        resources.files().close();
    }

    @Test
    void kafkaDumpToolReadsOurSegmentsAndIndexes() throws IOException {
        Path dir = root.resolve(TP.directoryName());
        LogConfig config = LogCleanerTest.compacted(1 << 20).with(Map.of(LogConfig.INDEX_INTERVAL_BYTES, "200"));
        PartitionLog log = PartitionLog.open(dir, TP, config, resources, 0, 0, false, ProducerStateHook.NONE, null, e -> { });
        int n = 0;
        for (CompressionType type : CompressionType.values()) {
            for (int b = 0; b < 12; b++, n++) {
                String key = "key-" + (n % 7);
                KeyedLog.append(log, KeyedLog.batch(Compression.of(type).build(), 1_000 + n, new String[] {key, key + "x"},
                        new String[] {n % 5 == 0 ? null : "value-" + n, "v"}));
            }
            log.roll();
        }
        new LogCleaner().clean(log, clock.millis()); // compacted segments too: delete horizons, gaps
        for (int b = 0; b < 10; b++) {
            KeyedLog.append(log, KeyedLog.batch(Compression.NONE, 5_000 + b, new String[] {"late"}, new String[] {"v" + b}));
        }
        log.roll();
        List<Long> bases = new ArrayList<>(log.segmentBaseOffsets());
        log.close();

        int batchesSeen = 0;
        for (long base : bases) {
            Path logFile = LogFiles.logFile(dir, base);
            List<RecordBatch> ours = Batches.segmentFile(logFile);
            String dump = dump(logFile, "--deep-iteration", "--print-data-log");
            Matcher m = BATCH.matcher(dump);
            List<String> dumped = new ArrayList<>();
            while (m.find()) {
                dumped.add(m.group(1) + "-" + m.group(2) + "/" + m.group(3));
            }
            List<String> expected = new ArrayList<>();
            for (RecordBatch batch : ours) {
                expected.add(batch.baseOffset() + "-" + batch.lastOffset() + "/" + batch.countOrNull());
            }
            assertEquals(expected, dumped, dump);
            assertFalse(dump.contains("crcValid: false"), dump);
            assertFalse(dump.contains("Found"), dump); // "Found N invalid bytes at the end of ..."
            // (the tool also reports "Non-consecutive offsets" for any segment not based at 0 and for compacted
            // segments, Kafka's own included: it starts from offset -1 and expects consecutive records)
            batchesSeen += dumped.size();

            if (ours.isEmpty() && !Files.exists(LogFiles.offsetIndexFile(dir, base))) {
                // an empty segment's index files are created with their first entry (Kafka rebuilds missing ones)
                assertFalse(Files.exists(LogFiles.timeIndexFile(dir, base)));
                continue;
            }
            String index = dump(LogFiles.offsetIndexFile(dir, base));
            assertFalse(index.contains("Mismatches") || index.contains("mismatch"), index);
            assertEquals(Files.size(LogFiles.offsetIndexFile(dir, base)) / 8, count(INDEX_ENTRY, index), index);
            String timeIndex = dump(LogFiles.timeIndexFile(dir, base));
            assertFalse(timeIndex.contains("mismatch") || timeIndex.contains("not found") || timeIndex.contains("Indexed"), timeIndex);
            assertEquals(Files.size(LogFiles.timeIndexFile(dir, base)) / 12, count(TIME_ENTRY, timeIndex), timeIndex);
        }
        assertTrue(batchesSeen > 10);
        assertTrue(count(INDEX_ENTRY, dumpAll(dir, bases, LogFiles.INDEX_SUFFIX)) > 3, "the indexes are not trivially empty");
    }

    @Test
    void weReadALogDirectoryWrittenByKafka() throws IOException {
        Path dir = root.resolve(TP.directoryName());
        Files.createDirectories(dir);
        org.apache.kafka.storage.internals.log.LogConfig kafkaConfig = new org.apache.kafka.storage.internals.log.LogConfig(
                Map.of("index.interval.bytes", "150", "segment.index.bytes", "4096"));
        List<String> written = new ArrayList<>();
        long offset = 0;
        for (long base : new long[] {0, 40, 95}) {
            org.apache.kafka.storage.internals.log.LogSegment segment = org.apache.kafka.storage.internals.log.LogSegment.open(
                    dir.toFile(), base, kafkaConfig, Time.SYSTEM, 0, false);
            offset = base;
            for (int b = 0; b < 10; b++) {
                SimpleRecord[] records = new SimpleRecord[1 + b % 4];
                for (int i = 0; i < records.length; i++) {
                    records[i] = new SimpleRecord(10_000 + offset, ("k" + offset).getBytes(StandardCharsets.UTF_8),
                            ("v" + offset).getBytes(StandardCharsets.UTF_8));
                    written.add(offset + i + ":k" + offset + "=v" + offset);
                }
                CompressionType type = CompressionType.values()[b % CompressionType.values().length];
                MemoryRecords batch = MemoryRecords.withRecords(offset, Compression.of(type).build(), records);
                segment.append(offset + records.length - 1, batch);
                offset += records.length;
            }
            segment.onBecomeInactiveSegment();
            segment.flush();
            segment.close();
        }
        Files.writeString(root.resolve(LogDirectory.CLEAN_SHUTDOWN_FILE), "{\"version\":0,\"brokerEpoch\":-1}");

        LogDirectory directory = LogDirectory.open(root, resources, tp -> LogConfig.DEFAULT, (tp, d) -> ProducerStateHook.NONE, null);
        try {
            PartitionLog log = directory.log(TP);
            assertTrue(directory.openedAfterCleanShutdown(), "Kafka's indexes are used as they are");
            assertEquals(offset, log.logEndOffset());
            List<String> read = new ArrayList<>();
            for (KeyedLog.Entry e : KeyedLog.records(log)) {
                read.add(e.offset() + ":" + e.key() + "=" + e.value());
            }
            assertEquals(written, read);
            for (String entry : written) { // every offset through Kafka's offset index
                long o = Long.parseLong(entry.substring(0, entry.indexOf(':')));
                RecordBatch first = Batches.readAndRelease(log.read(o, 1, true, Long.MAX_VALUE)).get(0);
                assertTrue(first.baseOffset() <= o && o <= first.lastOffset(), "offset " + o);
            }
            assertEquals(40, log.offsetForTimestamp(10_040, Long.MAX_VALUE).offset(), "through Kafka's time index");
        } finally {
            directory.close();
        }
    }

    private static long count(Pattern pattern, String text) {
        return pattern.matcher(text).results().count();
    }

    private static String dumpAll(Path dir, List<Long> bases, String suffix) throws IOException {
        StringBuilder all = new StringBuilder();
        for (long base : bases) {
            Path file = dir.resolve(LogFiles.baseName(base) + suffix);
            if (Files.exists(file)) { // an empty segment may have no index files yet
                all.append(dump(file));
            }
        }
        return all.toString();
    }

    /** Runs Kafka's DumpLogSegments on one file and returns what it printed. */
    private static synchronized String dump(Path file, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("--files", file.toString()));
        args.addAll(List.of(options));
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            DumpLogSegments.main(args.toArray(new String[0]));
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
