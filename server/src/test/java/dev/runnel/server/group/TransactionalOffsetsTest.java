package dev.runnel.server.group;

import dev.runnel.server.purgatory.ManualTimer;
import dev.runnel.wire.message.OffsetFetchRequest;
import dev.runnel.wire.message.OffsetFetchResponse;
import dev.runnel.wire.message.TxnOffsetCommitRequest;
import dev.runnel.wire.message.TxnOffsetCommitResponse;
import dev.runnel.wire.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * TxnOffsetCommit (KIP-98, KIP-447): offsets pending until the transaction's marker, committed or dropped by it,
 * UNSTABLE_OFFSET_COMMIT for require_stable fetches meanwhile, and the same outcome after a replay of the log.
 */
class TransactionalOffsetsTest {
    private static final String GROUP = "eos";

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final TxnLog log = new TxnLog();
    private GroupCoordinator coordinator = start();

    private GroupCoordinator start() {
        GroupCoordinator c = new GroupCoordinator(GroupCoordinatorConfig.defaults(), log, new ManualTimer(), clock::get,
                p -> Runnable::run);
        c.loadPartition(c.partitionFor(GROUP)).join();
        return c;
    }

    private Errors commit(long producerId, long offset) {
        TxnOffsetCommitResponse r = coordinator.commitTransactionalOffsets(new TxnOffsetCommitRequest()
                .setTransactionalId("t").setGroupId(GROUP).setProducerId(producerId).setProducerEpoch((short) 0)
                .setGenerationId(-1).setMemberId("")
                .setTopics(List.of(new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic().setName("in")
                        .setPartitions(List.of(new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(offset).setCommittedLeaderEpoch(-1)))))).join();
        return Errors.forCode(r.topics().get(0).partitions().get(0).errorCode());
    }

    private OffsetFetchResponse.OffsetFetchResponsePartitions fetch(boolean requireStable) {
        OffsetFetchResponse.OffsetFetchResponseGroup g = coordinator.fetchOffsets(new Requester("c", "h", (short) 8),
                new OffsetFetchRequest.OffsetFetchRequestGroup().setGroupId(GROUP).setMemberEpoch(-1)
                        .setTopics(List.of(new OffsetFetchRequest.OffsetFetchRequestTopics().setName("in")
                                .setPartitionIndexes(List.of(0)))), requireStable).join();
        return g.topics().get(0).partitions().get(0);
    }

    @Test
    void offsetsArePendingUntilTheCommitMarker() {
        assertEquals(Errors.NONE, commit(7, 42));
        assertEquals(-1, fetch(false).committedOffset(), "not visible before the marker");
        assertEquals(Errors.UNSTABLE_OFFSET_COMMIT.code(), fetch(true).errorCode());
        marker(7, true);
        assertEquals(42, fetch(false).committedOffset());
        assertEquals(Errors.NONE.code(), fetch(true).errorCode());
        assertEquals(42, fetch(true).committedOffset());
    }

    @Test
    void anAbortDropsThePendingOffsets() {
        commit(7, 42);
        marker(7, true);
        commit(7, 50);
        marker(7, false);
        assertEquals(42, fetch(true).committedOffset());
    }

    @Test
    void aReplayRestoresPendingAndCommittedOffsets() {
        commit(7, 42);
        commit(8, 10);
        marker(7, true);
        coordinator = start(); // a restart: replays records and markers
        assertEquals(42, fetch(false).committedOffset());
        assertEquals(Errors.UNSTABLE_OFFSET_COMMIT.code(), fetch(true).errorCode(), "producer 8 is still undecided");
        marker(8, false);
        assertEquals(42, fetch(true).committedOffset());
        coordinator = start();
        assertEquals(42, fetch(true).committedOffset());
    }

    @Test
    void aMemberOfAnUnknownGroupIsAnIllegalGeneration() {
        TxnOffsetCommitResponse r = coordinator.commitTransactionalOffsets(new TxnOffsetCommitRequest()
                .setTransactionalId("t").setGroupId(GROUP).setProducerId(1).setProducerEpoch((short) 0)
                .setGenerationId(3).setMemberId("m")
                .setTopics(List.of(new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic().setName("in")
                        .setPartitions(List.of(new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(1)))))).join();
        assertEquals(Errors.ILLEGAL_GENERATION.code(), r.topics().get(0).partitions().get(0).errorCode());
    }

    /** The transaction coordinator writes the marker to the log, then tells the group coordinator. */
    private void marker(long producerId, boolean commit) {
        int partition = coordinator.partitionFor(GROUP);
        log.events.computeIfAbsent(partition, p -> new ArrayList<>()).add(new Event(producerId, null, commit));
        coordinator.completeTransaction(partition, producerId, commit).join();
    }

    /** A record (producer id -1 when not transactional) or a marker (record null). */
    private record Event(long producerId, CoordinatorRecord record, boolean commit) {
    }

    private static final class TxnLog implements CoordinatorLog {
        final Map<Integer, List<Event>> events = new HashMap<>();

        @Override
        public CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records) {
            return appendTransactional(partition, -1, (short) -1, records);
        }

        @Override
        public CompletableFuture<Void> appendTransactional(int partition, long producerId, short producerEpoch,
                                                           List<CoordinatorRecord> records) {
            for (CoordinatorRecord r : records) {
                // through Kafka's format, as a real log would
                CoordinatorRecord decoded = CoordinatorRecordCodec.decode(CoordinatorRecordCodec.encodeKey(r), CoordinatorRecordCodec.encodeValue(r));
                events.computeIfAbsent(partition, p -> new ArrayList<>()).add(new Event(producerId, decoded, false));
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> replay(int partition, Consumer<CoordinatorRecord> sink) {
            throw new AssertionError("the coordinator replays with a transaction sink");
        }

        @Override
        public CompletableFuture<Void> replay(int partition, Consumer<CoordinatorRecord> sink, TransactionSink transactions) {
            for (Event e : events.getOrDefault(partition, List.of())) {
                if (e.record() == null) {
                    transactions.marker(e.producerId(), e.commit());
                } else if (e.producerId() >= 0 && e.record() instanceof CoordinatorRecord.OffsetCommit c) {
                    transactions.offsetCommit(e.producerId(), c);
                } else {
                    sink.accept(e.record());
                }
            }
            return CompletableFuture.completedFuture(null);
        }
    }
}
