package dev.runnel.server.txn;

import dev.runnel.log.TopicPartition;
import dev.runnel.wire.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The coordinator's state machine with Kafka's TV1 rules, against an in-memory log (records encoded and decoded
 * with Kafka's format), a marker recorder, a manual clock, and lanes that run work in place.
 */
class TransactionCoordinatorTest {
    private static final TopicPartition A = new TopicPartition("a", 0);
    private static final TopicPartition B = new TopicPartition("b", 1);

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final AtomicLong nextProducerId = new AtomicLong(1000);
    private final MemoryLog log = new MemoryLog();
    private final List<String> markers = new ArrayList<>();
    private boolean failMarkers;
    private TransactionCoordinator coordinator = newCoordinator();

    private TransactionCoordinator newCoordinator() {
        TransactionCoordinator c = new TransactionCoordinator(new TransactionCoordinatorConfig(3, 60_000, 10_000, 100_000), log,
                (tp, pid, epoch, commit, coordinatorEpoch) -> {
                    if (failMarkers) {
                        return CompletableFuture.failedFuture(new RuntimeException("partition unavailable"));
                    }
                    markers.add((commit ? "COMMIT " : "ABORT ") + tp + " " + pid + "/" + epoch);
                    return CompletableFuture.completedFuture(null);
                }, nextProducerId::getAndIncrement, clock::get, p -> Runnable::run);
        for (int p = 0; p < 3; p++) {
            c.loadPartition(p).join();
        }
        return c;
    }

    private TransactionCoordinator.InitResult init(String id) {
        return coordinator.initProducerId(id, 30_000, -1, (short) -1).join();
    }

    @Test
    void initGivesANewProducerIdThenBumpsTheEpoch() {
        TransactionCoordinator.InitResult first = init("t1");
        assertEquals(new TransactionCoordinator.InitResult(Errors.NONE, 1000, (short) 0), first);
        assertEquals(new TransactionCoordinator.InitResult(Errors.NONE, 1000, (short) 1), init("t1"));
        assertEquals(new TransactionCoordinator.InitResult(Errors.NONE, 1001, (short) 0), init("t2"));
    }

    @Test
    void invalidTimeoutsAndEmptyIdsAreRejected() {
        assertEquals(Errors.INVALID_TRANSACTION_TIMEOUT, coordinator.initProducerId("t", 60_001, -1, (short) -1).join().error());
        assertEquals(Errors.INVALID_TRANSACTION_TIMEOUT, coordinator.initProducerId("t", 0, -1, (short) -1).join().error());
        assertEquals(Errors.INVALID_REQUEST, coordinator.initProducerId("", 1000, -1, (short) -1).join().error());
    }

    @Test
    void commitWritesMarkersToEveryPartitionThenCompletes() {
        TransactionCoordinator.InitResult p = init("t");
        assertEquals(Errors.NONE, coordinator.addPartitions("t", p.producerId(), p.producerEpoch(), Set.of(A)).join());
        assertEquals(Errors.NONE, coordinator.addPartitions("t", p.producerId(), p.producerEpoch(), Set.of(A, B)).join());
        assertEquals(TransactionState.ONGOING, state("t").state());
        assertEquals(Set.of(A, B), state("t").partitions());

        assertEquals(Errors.NONE, coordinator.endTxn("t", p.producerId(), p.producerEpoch(), true).join());
        assertEquals(List.of("COMMIT a-0 1000/0", "COMMIT b-1 1000/0"), markers.stream().sorted().toList());
        assertEquals(TransactionState.COMPLETE_COMMIT, state("t").state());
        assertEquals(Set.of(), state("t").partitions());
        assertEquals(Errors.NONE, coordinator.endTxn("t", p.producerId(), p.producerEpoch(), true).join(), "a retried commit");
        assertEquals(Errors.INVALID_TXN_STATE, coordinator.endTxn("t", p.producerId(), p.producerEpoch(), false).join());
        // the log holds Ongoing, PrepareCommit, CompleteCommit after Empty
        assertEquals(List.of(TransactionState.EMPTY, TransactionState.ONGOING, TransactionState.ONGOING,
                TransactionState.PREPARE_COMMIT, TransactionState.COMPLETE_COMMIT), log.states("t"));
    }

    @Test
    void abortWithoutAnOngoingTransactionIsAnInvalidState() {
        TransactionCoordinator.InitResult p = init("t");
        assertEquals(Errors.INVALID_TXN_STATE, coordinator.endTxn("t", p.producerId(), p.producerEpoch(), false).join());
    }

    @Test
    void aNewInitFencesTheOldProducerAndAbortsItsTransaction() {
        TransactionCoordinator.InitResult zombie = init("t");
        coordinator.addPartitions("t", zombie.producerId(), zombie.producerEpoch(), Set.of(A)).join();
        assertEquals(Errors.CONCURRENT_TRANSACTIONS, init("t").error(), "the ongoing transaction is aborted first");
        assertEquals(List.of("ABORT a-0 1000/1"), markers, "aborted with the bumped epoch, fencing the zombie's writes");
        TransactionCoordinator.InitResult fresh = init("t");
        assertEquals(new TransactionCoordinator.InitResult(Errors.NONE, 1000, (short) 2), fresh);
        assertEquals(Errors.PRODUCER_FENCED, coordinator.addPartitions("t", zombie.producerId(), zombie.producerEpoch(), Set.of(B)).join());
        assertEquals(Errors.PRODUCER_FENCED, coordinator.endTxn("t", zombie.producerId(), zombie.producerEpoch(), true).join());
        assertEquals(Errors.INVALID_PRODUCER_ID_MAPPING, coordinator.addPartitions("t", 77, (short) 2, Set.of(B)).join());
        assertEquals(Errors.INVALID_PRODUCER_ID_MAPPING, coordinator.addPartitions("nobody", 1000, (short) 2, Set.of(B)).join());
    }

    @Test
    void initWithAnExpectedEpochMustMatch() {
        TransactionCoordinator.InitResult p = init("t");
        assertEquals(Errors.PRODUCER_FENCED, coordinator.initProducerId("t", 1000, p.producerId(), (short) 5).join().error());
        assertEquals(new TransactionCoordinator.InitResult(Errors.NONE, 1000, (short) 1),
                coordinator.initProducerId("t", 1000, p.producerId(), p.producerEpoch()).join());
    }

    @Test
    void transactionsPastTheirTimeoutAreAbortedAndTheirProducerFenced() {
        TransactionCoordinator.InitResult p = init("t");
        coordinator.addPartitions("t", p.producerId(), p.producerEpoch(), Set.of(A)).join();
        clock.addAndGet(30_000);
        coordinator.abortTimedOutTransactions().join();
        assertEquals(List.of(), markers, "not yet: exactly the timeout");
        clock.addAndGet(1);
        coordinator.abortTimedOutTransactions().join();
        assertEquals(List.of("ABORT a-0 1000/1"), markers);
        assertEquals(TransactionState.COMPLETE_ABORT, state("t").state());
        assertEquals(Errors.PRODUCER_FENCED, coordinator.endTxn("t", p.producerId(), p.producerEpoch(), true).join());
    }

    @Test
    void stateSurvivesAReloadAndAPreparedTransactionIsCompletedOnLoad() {
        TransactionCoordinator.InitResult p = init("t");
        coordinator.addPartitions("t", p.producerId(), p.producerEpoch(), Set.of(A, B)).join();
        failMarkers = true;
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE, coordinator.endTxn("t", p.producerId(), p.producerEpoch(), false).join());
        assertEquals(TransactionState.PREPARE_ABORT, state("t").state());
        assertEquals(Errors.CONCURRENT_TRANSACTIONS, coordinator.endTxn("t", p.producerId(), p.producerEpoch(), false).join());

        failMarkers = false;
        coordinator = newCoordinator(); // a restart: replays the log
        assertEquals(List.of("ABORT a-0 1000/0", "ABORT b-1 1000/0"), markers.stream().sorted().toList());
        assertEquals(TransactionState.COMPLETE_ABORT, state("t").state());
        assertEquals(Errors.NONE, coordinator.endTxn("t", p.producerId(), p.producerEpoch(), false).join());
        assertEquals(new TransactionCoordinator.InitResult(Errors.NONE, 1000, (short) 1), init("t"));
    }

    @Test
    void idleTransactionalIdsExpireWithATombstoneAndStartOverWithANewProducerId() {
        TransactionCoordinator.InitResult p = init("t");
        coordinator.addPartitions("t", p.producerId(), p.producerEpoch(), Set.of(A)).join();
        clock.addAndGet(50_000);
        coordinator.abortTimedOutTransactions().join(); // times out and aborts (30 s): not idle yet
        assertEquals(TransactionState.COMPLETE_ABORT, state("t").state());
        clock.addAndGet(99_999);
        coordinator.abortTimedOutTransactions().join();
        assertEquals(TransactionState.COMPLETE_ABORT, state("t").state(), "idle for less than the expiration");
        clock.addAndGet(1);
        coordinator.abortTimedOutTransactions().join();
        assertEquals(Errors.TRANSACTIONAL_ID_NOT_FOUND, coordinator.describe("t").join().error());
        coordinator = newCoordinator();
        assertEquals(Errors.TRANSACTIONAL_ID_NOT_FOUND, coordinator.describe("t").join().error(), "the tombstone replays");
        assertEquals(new TransactionCoordinator.InitResult(Errors.NONE, 1001, (short) 0), init("t"));
    }

    @Test
    void unloadedPartitionsAnswerNotCoordinator() {
        coordinator.unloadPartition(coordinator.partitionFor("t"));
        assertEquals(Errors.NOT_COORDINATOR, init("t").error());
        assertEquals(TransactionCoordinator.PartitionState.NOT_COORDINATOR, coordinator.partitionState(coordinator.partitionFor("t")));
    }

    @Test
    void partitionForIsKafkasHash() {
        assertEquals(Math.abs("my-txn".hashCode()) % 3, coordinator.partitionFor("my-txn"));
    }

    private TransactionMetadata state(String id) {
        return coordinator.describe(id).join().metadata();
    }

    /** The log, kept as Kafka-encoded key and value bytes per partition. */
    private static final class MemoryLog implements TransactionStateLog {
        private final Map<Integer, List<byte[][]>> records = new HashMap<>();

        @Override
        public CompletableFuture<Void> append(int partition, TransactionMetadata metadata) {
            records.computeIfAbsent(partition, p -> new ArrayList<>()).add(new byte[][] {
                TransactionLogCodec.encodeKey(metadata.transactionalId()), TransactionLogCodec.encodeValue(metadata)});
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> appendTombstone(int partition, String transactionalId) {
            records.computeIfAbsent(partition, p -> new ArrayList<>()).add(new byte[][] {
                TransactionLogCodec.encodeKey(transactionalId), null});
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> replay(int partition, BiConsumer<String, TransactionMetadata> sink) {
            for (byte[][] r : records.getOrDefault(partition, List.of())) {
                String id = TransactionLogCodec.decodeKey(ByteBuffer.wrap(r[0]));
                sink.accept(id, TransactionLogCodec.decodeValue(id, r[1] == null ? null : ByteBuffer.wrap(r[1])));
            }
            return CompletableFuture.completedFuture(null);
        }

        List<TransactionState> states(String id) {
            List<TransactionState> states = new ArrayList<>();
            for (List<byte[][]> partition : records.values()) {
                for (byte[][] r : partition) {
                    if (r[1] != null && id.equals(TransactionLogCodec.decodeKey(ByteBuffer.wrap(r[0])))) {
                        states.add(TransactionLogCodec.decodeValue(id, ByteBuffer.wrap(r[1])).state());
                    }
                }
            }
            return states;
        }
    }

    @Test
    void unknownIdDescribesAsNull() {
        assertEquals(new TransactionCoordinator.Described(Errors.TRANSACTIONAL_ID_NOT_FOUND, null), coordinator.describe("none").join());
    }
}
