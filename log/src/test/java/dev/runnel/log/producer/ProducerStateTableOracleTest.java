package dev.runnel.log.producer;

import dev.runnel.log.producer.ProducerCheck.Outcome;
import dev.runnel.wire.record.RecordBatchView;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogOffsetMetadata;
import org.apache.kafka.storage.internals.log.ProducerAppendInfo;
import org.apache.kafka.storage.internals.log.ProducerStateEntry;
import org.apache.kafka.storage.internals.log.ProducerStateManager;
import org.apache.kafka.storage.internals.log.ProducerStateManagerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seeded random sequences of produce, marker, high watermark, expiry, restart and truncation, run against
 * this table and against Kafka's own {@code ProducerStateManager} side by side: every verdict, every
 * completed transaction, every producer's state and the unstable offsets must agree after every step.
 * Reproduce a failure with {@code -Dseed=<seed>}.
 */
class ProducerStateTableOracleTest {
    private static final int EXPIRATION_MS = 60_000;
    private static final long[] PIDS = {11L, 12L, 13L};

    @TempDir
    Path tmp;

    @Test
    void agreesWithKafkasProducerStateManager() throws Exception {
        long seed = Long.getLong("seed", System.nanoTime());
        for (int round = 0; round < 20; round++) {
            long roundSeed = seed + round;
            try (Run run = new Run(roundSeed, Files.createTempDirectory(tmp, "round"))) {
                run.steps(300);
            } catch (Throwable e) {
                throw new AssertionError("seed " + roundSeed + " (rerun with -Dseed=" + roundSeed + "): " + e.getMessage(), e);
            }
        }
    }

    private static final class Run implements AutoCloseable {
        private static final Method FIND_DUPLICATE = findDuplicateMethod();

        private final Random random;
        private final Path ourDir;
        private final Path kafkaDir;
        private final TestBatches batches = new TestBatches();
        private final List<MemoryRecords> log = new ArrayList<>();
        private final TreeSet<Long> snapshotOffsets = new TreeSet<>();
        private ProducerStateTable ours = new ProducerStateTable(EXPIRATION_MS);
        private ProducerStateManager kafka;
        private long logEnd;
        private long highWatermark;
        private long now = 1_000_000L;
        private int step;

        Run(long seed, Path dir) throws IOException {
            random = new Random(seed);
            ourDir = Files.createDirectories(dir.resolve("ours"));
            kafkaDir = Files.createDirectories(dir.resolve("kafka"));
            kafka = newKafka();
        }

        private ProducerStateManager newKafka() throws IOException {
            return new ProducerStateManager(new TopicPartition("t", 0), kafkaDir.toFile(), 60_000,
                new ProducerStateManagerConfig(EXPIRATION_MS, false), Time.SYSTEM);
        }

        void steps(int count) throws Exception {
            for (step = 0; step < count; step++) {
                now += random.nextInt(3_000);
                int op = random.nextInt(100);
                if (op < 70) {
                    produce(false);
                } else if (op < 82) {
                    produce(true);
                } else if (op < 90) {
                    highWatermark += (long) random.nextInt((int) (logEnd - highWatermark) + 1);
                    ours.onHighWatermarkUpdated(highWatermark);
                    kafka.onHighWatermarkUpdated(highWatermark);
                } else if (op < 94) {
                    ours.removeExpiredProducers(now);
                    kafka.removeExpiredProducers(now);
                } else if (op < 97) {
                    snapshot();
                } else if (op < 98) {
                    restart();
                } else {
                    truncate();
                }
                compare();
            }
        }

        private void produce(boolean marker) throws Exception {
            long pid = PIDS[random.nextInt(PIDS.length)];
            ProducerEntry entry = ours.producer(pid);
            short epoch = pickEpoch(entry);
            MemoryRecords records;
            short tv = 0;
            if (marker) {
                tv = random.nextBoolean() ? (short) 0 : (short) 2;
                int coordinatorEpoch = Math.max(0, (entry == null ? 0 : entry.coordinatorEpoch()) + random.nextInt(3) - 1);
                records = TestBatches.kafkaMarker(random.nextBoolean(), pid, epoch, coordinatorEpoch, logEnd, now);
            } else {
                boolean transactional = entry != null && entry.hasOngoingTransaction() ? random.nextInt(10) > 0 : random.nextInt(3) == 0;
                records = TestBatches.kafkaData(transactional, pid, epoch, pickSequence(entry, epoch), 1 + random.nextInt(4), logEnd, now);
            }
            RecordBatch kafkaBatch = records.batches().iterator().next();
            RecordBatchView batch = batches.view(records);

            ProducerCheck verdict = ours.check(batch, tv);
            KafkaVerdict expected = kafkaCheck(kafkaBatch, marker, tv);
            assertEquals(expected.outcome, verdict.outcome(), "step " + step + ": verdict for " + kafkaBatch);
            if (expected.outcome == Outcome.DUPLICATE) {
                assertEquals(expected.firstOffset, verdict.firstOffset());
                assertEquals(expected.lastOffset, verdict.lastOffset());
            }
            if (verdict.isOk()) {
                CompletedTxn completed = ours.update(batch, kafkaBatch.baseOffset(), kafkaBatch.lastOffset());
                kafka.update(expected.append);
                expected.completed.ifPresent(txn -> {
                    long lso = kafka.lastStableOffset(txn);
                    kafka.completeTxn(txn);
                    assertEquals(new CompletedTxn(txn.producerId(), txn.firstOffset(), txn.lastOffset(), txn.isAborted(), lso),
                        completed, "step " + step + ": completed transaction");
                });
                if (expected.completed.isEmpty()) {
                    assertEquals(null, completed, "step " + step);
                }
                logEnd = kafkaBatch.lastOffset() + 1;
                kafka.updateMapEndOffset(logEnd);
                log.add(records);
            }
        }

        private short pickEpoch(ProducerEntry entry) {
            short current = entry == null ? 0 : entry.producerEpoch();
            int roll = random.nextInt(20);
            if (roll < 15) {
                return (short) Math.max(0, current);
            } else if (roll < 17) {
                return (short) (current + 1);
            } else if (roll < 19) {
                return (short) Math.max(0, current - 1);
            }
            return (short) random.nextInt(4);
        }

        private int pickSequence(ProducerEntry entry, short epoch) {
            int roll = random.nextInt(20);
            if (entry != null && epoch == entry.producerEpoch() && roll < 12) {
                return entry.lastSequence() == Integer.MAX_VALUE ? 0 : entry.lastSequence() + 1;
            } else if (entry != null && roll < 16 && !entry.batches().isEmpty()) {
                List<BatchMetadata> cached = entry.batches();
                return cached.get(random.nextInt(cached.size())).firstSeq(); // often an exact retry
            } else if (roll < 18) {
                return 0;
            } else if (roll < 19) {
                return Integer.MAX_VALUE - random.nextInt(3);
            }
            return random.nextInt(50);
        }

        private record KafkaVerdict(Outcome outcome, long firstOffset, long lastOffset, ProducerAppendInfo append,
                                    Optional<org.apache.kafka.storage.internals.log.CompletedTxn> completed) {
        }

        /** What Kafka's UnifiedLog decides for a client batch (or a coordinator's marker). */
        private KafkaVerdict kafkaCheck(RecordBatch batch, boolean marker, short tv) throws Exception {
            Optional<ProducerStateEntry> last = kafka.lastEntry(batch.producerId());
            if (!marker && last.isPresent()) {
                @SuppressWarnings("unchecked")
                Optional<org.apache.kafka.storage.internals.log.BatchMetadata> duplicate =
                    (Optional<org.apache.kafka.storage.internals.log.BatchMetadata>) FIND_DUPLICATE.invoke(last.get(), batch);
                if (duplicate.isPresent()) {
                    return new KafkaVerdict(Outcome.DUPLICATE, duplicate.get().firstOffset(), duplicate.get().lastOffset(), null,
                        Optional.empty());
                }
            }
            ProducerAppendInfo append = kafka.prepareUpdate(batch.producerId(), marker ? AppendOrigin.COORDINATOR : AppendOrigin.CLIENT);
            try {
                Optional<LogOffsetMetadata> first = Optional.empty();
                var completed = marker ? append.append(batch, first, tv) : append.append(batch, first);
                return new KafkaVerdict(Outcome.OK, -1, -1, append, completed);
            } catch (InvalidProducerEpochException e) {
                return new KafkaVerdict(Outcome.INVALID_PRODUCER_EPOCH, -1, -1, null, Optional.empty());
            } catch (OutOfOrderSequenceException e) {
                return new KafkaVerdict(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, -1, -1, null, Optional.empty());
            } catch (InvalidTxnStateException e) {
                return new KafkaVerdict(Outcome.INVALID_TXN_STATE, -1, -1, null, Optional.empty());
            } catch (TransactionCoordinatorFencedException e) {
                return new KafkaVerdict(Outcome.TRANSACTION_COORDINATOR_FENCED, -1, -1, null, Optional.empty());
            }
        }

        private void snapshot() throws IOException {
            if (logEnd == 0 || snapshotOffsets.contains(logEnd)) {
                return;
            }
            Path file = ours.writeSnapshot(ourDir, logEnd);
            kafka.takeSnapshot();
            snapshotOffsets.add(logEnd);
            Path kafkaFile = ProducerSnapshotFile.path(kafkaDir, logEnd);
            assertEquals(describe(ProducerSnapshotFile.read(kafkaFile)), describe(ProducerSnapshotFile.read(file)),
                "step " + step + ": snapshot contents");
            if (ours.producerCount() <= 1) { // one entry: no iteration order to differ in
                assertArrayEquals(Files.readAllBytes(kafkaFile), Files.readAllBytes(file), "step " + step + ": snapshot bytes");
            }
        }

        /** A broker restart after an unclean shutdown: newest snapshot, then replay of the log after it. */
        private void restart() throws Exception {
            ours = new ProducerStateTable(EXPIRATION_MS);
            long ourReplay = ours.loadLatestSnapshot(ourDir, 0L, now);
            kafka = newKafka();
            kafka.truncateAndReload(0L, logEnd, now);
            replay(ourReplay, logEnd);
            highWatermark = 0;
        }

        /** Truncation below the log end, as a follower does; Kafka assumes the high watermark is past it. */
        private void truncate() throws Exception {
            if (log.size() < 2) {
                return;
            }
            MemoryRecords cut = log.get(1 + random.nextInt(log.size() - 1));
            long offset = cut.batches().iterator().next().baseOffset();
            highWatermark = Math.max(highWatermark, offset);
            ours.onHighWatermarkUpdated(highWatermark);
            kafka.onHighWatermarkUpdated(highWatermark);
            log.removeIf(records -> records.batches().iterator().next().baseOffset() >= offset);
            snapshotOffsets.removeIf(o -> o > offset);
            long ourReplay = ours.truncateTo(ourDir, offset, 0L, now);
            kafka.truncateAndReload(0L, offset, now);
            logEnd = offset;
            highWatermark = Math.min(highWatermark, offset);
            replay(ourReplay, offset);
        }

        private void replay(long ourFrom, long to) throws IOException {
            long kafkaFrom = kafka.latestSnapshotOffset().orElse(0L);
            assertEquals(kafkaFrom, ourFrom, "step " + step + ": replay start");
            for (MemoryRecords records : log) {
                RecordBatch batch = records.batches().iterator().next();
                if (batch.baseOffset() < ourFrom || batch.baseOffset() >= to) {
                    continue;
                }
                ours.replay(batches.view(records));
                ProducerAppendInfo append = kafka.prepareUpdate(batch.producerId(), AppendOrigin.REPLICATION);
                var completed = append.append(batch, Optional.empty());
                kafka.update(append);
                completed.ifPresent(kafka::completeTxn);
                kafka.updateMapEndOffset(batch.lastOffset() + 1);
            }
        }

        private void compare() {
            List<String> expected = new ArrayList<>();
            kafka.activeProducers().values().forEach(e -> expected.add(describeKafka(e)));
            List<String> actual = new ArrayList<>();
            ours.producers().forEach(e -> actual.add(describeFull(e)));
            expected.sort(null);
            actual.sort(null);
            assertEquals(expected, actual, "step " + step + ": producer state");
            Optional<LogOffsetMetadata> unstable = kafka.firstUnstableOffset();
            assertEquals(unstable.isPresent() ? OptionalLong.of(unstable.get().messageOffset) : OptionalLong.empty(),
                ours.firstUnstableOffset(), "step " + step + ": first unstable offset");
            assertEquals(kafka.firstUndecidedOffset(), ours.firstUndecidedOffset(), "step " + step + ": first undecided offset");
        }

        private static String describeFull(ProducerEntry e) {
            StringBuilder out = new StringBuilder(e.producerId() + "/" + e.producerEpoch() + "/" + e.coordinatorEpoch() + "/"
                + e.lastTimestamp() + "/" + e.currentTxnFirstOffset());
            e.batches().forEach(b -> out.append(' ').append(b.lastSeq()).append('@').append(b.lastOffset()).append('-')
                .append(b.offsetDelta()).append('t').append(b.timestamp()));
            return out.toString();
        }

        private static String describeKafka(ProducerStateEntry e) {
            StringBuilder out = new StringBuilder(e.producerId() + "/" + e.producerEpoch() + "/" + e.coordinatorEpoch() + "/"
                + e.lastTimestamp() + "/" + e.currentTxnFirstOffset().orElse(-1L));
            e.batchMetadata().forEach(b -> out.append(' ').append(b.lastSeq()).append('@').append(b.lastOffset()).append('-')
                .append(b.offsetDelta()).append('t').append(b.timestamp()));
            return out.toString();
        }

        private static List<String> describe(List<ProducerEntry> entries) {
            List<String> out = new ArrayList<>();
            entries.forEach(e -> out.add(describeFull(e)));
            out.sort(null);
            return out;
        }

        private static Method findDuplicateMethod() {
            try {
                // Package-private in Kafka; the exact duplicate rule UnifiedLog applies to client batches.
                Method method = ProducerStateEntry.class.getDeclaredMethod("findDuplicateBatch", RecordBatch.class);
                method.setAccessible(true);
                return method;
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            batches.close();
        }
    }
}
