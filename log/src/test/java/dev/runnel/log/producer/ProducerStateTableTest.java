package dev.runnel.log.producer;

import dev.runnel.log.producer.ProducerCheck.Outcome;
import dev.runnel.wire.record.InvalidRecordException;
import dev.runnel.wire.record.RecordBatchView;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProducerStateTableTest {
    private static final long PID = 1000L;
    private static final short EPOCH = 3;

    private final TestBatches batches = new TestBatches();
    private final ProducerStateTable table = new ProducerStateTable();
    /** The log end offset of the imaginary partition: where the next appended batch goes. */
    private long logEnd = 100;

    @AfterEach
    void release() {
        batches.close();
    }

    /** Checks a client batch (client base offset 0), expects OK, "appends" it at the log end and updates. */
    private long[] append(RecordBatchView batch) {
        assertSame(ProducerCheck.OK, table.check(batch));
        return appendUnchecked(batch);
    }

    private long[] appendUnchecked(RecordBatchView batch) {
        long first = logEnd;
        long last = first + batch.lastOffsetDelta();
        table.update(batch, first, last);
        logEnd = last + 1;
        return new long[] {first, last};
    }

    private RecordBatchView data(short epoch, int seq, int count) {
        return batches.idempotent(PID, epoch, seq, count, 0L, 5_000L);
    }

    @Test
    void eachOfTheLastFiveBatchesIsAnsweredAsDuplicateWithItsOriginalOffsetsButNotTheSixth() {
        long[][] offsets = new long[6][];
        for (int i = 0; i < 6; i++) {
            offsets[i] = append(data(EPOCH, i * 2, 2));
        }
        for (int i = 1; i < 6; i++) {
            ProducerCheck retry = table.check(data(EPOCH, i * 2, 2));
            assertEquals(Outcome.DUPLICATE, retry.outcome(), "batch " + i);
            assertEquals(offsets[i][0], retry.firstOffset());
            assertEquals(offsets[i][1], retry.lastOffset());
            assertEquals(0, retry.outcome().errorCode());
        }
        // The oldest batch fell out of the cache: its retry is just an old sequence.
        assertEquals(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, table.check(data(EPOCH, 0, 2)).outcome());
        // A batch must match a cached one exactly: same start, different length is out of order.
        assertEquals(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, table.check(data(EPOCH, 10, 1)).outcome());
        assertEquals(11, table.producer(PID).lastSequence());
        assertEquals(5, table.producer(PID).batches().size());
    }

    @Test
    void sequenceGapsAndOldSequencesAreOutOfOrder() {
        append(data(EPOCH, 0, 3));
        assertEquals(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, table.check(data(EPOCH, 4, 1)).outcome());
        assertEquals(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, table.check(data(EPOCH, 2, 1)).outcome());
        ProducerCheck gap = table.check(data(EPOCH, 5, 1));
        assertTrue(gap.isError());
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), gap.outcome().errorCode());
        assertFalse(gap.message().isEmpty());
        append(data(EPOCH, 3, 1));
    }

    @Test
    void lowerEpochIsFenced() {
        append(data(EPOCH, 0, 1));
        ProducerCheck zombie = table.check(data((short) (EPOCH - 1), 1, 1));
        assertEquals(Outcome.INVALID_PRODUCER_EPOCH, zombie.outcome());
        assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(), zombie.outcome().errorCode());
        // Even a sequence that would be a duplicate under the old epoch is fenced.
        assertEquals(Outcome.INVALID_PRODUCER_EPOCH, table.check(data((short) (EPOCH - 1), 0, 1)).outcome());
    }

    @Test
    void epochBumpMustStartAtZeroAndResetsSequenceAndDuplicateCache() {
        long[] first = append(data(EPOCH, 0, 4));
        short bumped = (short) (EPOCH + 1);
        assertEquals(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, table.check(data(bumped, 4, 1)).outcome());
        append(data(bumped, 0, 2));
        assertEquals(bumped, table.producer(PID).producerEpoch());
        assertEquals(1, table.producer(PID).lastSequence());
        assertEquals(1, table.producer(PID).batches().size());
        // The old epoch is fenced now, its batches no longer count as duplicates.
        assertEquals(Outcome.INVALID_PRODUCER_EPOCH, table.check(data(EPOCH, 0, 4)).outcome());
        assertEquals(first[1] + 1, table.producer(PID).batches().get(0).firstOffset());
        append(data(bumped, 2, 1));
    }

    @Test
    void unknownProducerIsAcceptedAtAnySequence() {
        assertSame(ProducerCheck.OK, table.check(data(EPOCH, 0, 1)));
        assertSame(ProducerCheck.OK, table.check(data(EPOCH, 12345, 1)));
        assertSame(ProducerCheck.OK, table.check(data((short) 0, Integer.MAX_VALUE, 1)));
        append(data(EPOCH, 777, 3));
        assertEquals(779, table.producer(PID).lastSequence());
        append(data(EPOCH, 780, 1));
    }

    @Test
    void checkChangesNothing() {
        append(data(EPOCH, 0, 2));
        String before = table.producer(PID).toString();
        table.check(data(EPOCH, 2, 5));
        table.check(data((short) (EPOCH + 1), 0, 1));
        table.check(batches.transactional(PID, EPOCH, 2, 1, 0L, 6_000L));
        table.check(batches.idempotent(PID + 1, EPOCH, 0, 1, 0L, 6_000L));
        assertEquals(before, table.producer(PID).toString());
        assertEquals(1, table.producerCount());
        assertEquals(OptionalLong.empty(), table.firstUnstableOffset());
    }

    @Test
    void sequenceWrapsToZeroAfterIntegerMaxValue() {
        append(data(EPOCH, Integer.MAX_VALUE - 2, 2));
        assertEquals(Integer.MAX_VALUE - 1, table.producer(PID).lastSequence());
        // A batch that crosses the wrap: MAX, 0, 1.
        long[] crossing = append(data(EPOCH, Integer.MAX_VALUE, 3));
        assertEquals(1, table.producer(PID).lastSequence());
        BatchMetadata cached = table.producer(PID).batches().get(1);
        assertEquals(Integer.MAX_VALUE, cached.firstSeq());
        ProducerCheck retry = table.check(data(EPOCH, Integer.MAX_VALUE, 3));
        assertEquals(Outcome.DUPLICATE, retry.outcome());
        assertEquals(crossing[0], retry.firstOffset());
        append(data(EPOCH, 2, 1));
    }

    @Test
    void wrapFromExactlyIntegerMaxValueToZero() {
        append(data(EPOCH, Integer.MAX_VALUE, 1));
        assertEquals(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, table.check(data(EPOCH, 1, 1)).outcome());
        append(data(EPOCH, 0, 1));
    }

    @Test
    void batchesWithoutProducerIdAreAlwaysOkAndLeaveNoState() {
        RecordBatchView plain = batches.plain(3, 0L);
        assertSame(ProducerCheck.OK, table.check(plain));
        assertNull(table.update(plain, 0, 2));
        assertEquals(0, table.producerCount());
    }

    @Test
    void transactionIsUnstableUntilItsMarkerIsBelowTheHighWatermark() {
        long other = PID + 1;
        long[] txn = append(batches.transactional(PID, EPOCH, 0, 2, 0L, 5_000L));
        append(batches.idempotent(other, EPOCH, 0, 1, 0L, 5_000L));
        append(batches.transactional(PID, EPOCH, 2, 1, 0L, 5_000L));
        assertEquals(OptionalLong.of(txn[0]), table.firstUnstableOffset());
        assertEquals(OptionalLong.of(txn[0]), table.firstUndecidedOffset());
        assertTrue(table.hasOngoingTransaction(PID, EPOCH));
        assertFalse(table.hasOngoingTransaction(PID, (short) (EPOCH + 1)));

        // A non-transactional write from a producer inside a transaction is refused.
        ProducerCheck mixed = table.check(data(EPOCH, 3, 1));
        assertEquals(Outcome.INVALID_TXN_STATE, mixed.outcome());
        assertEquals(Errors.INVALID_TXN_STATE.code(), mixed.outcome().errorCode());

        RecordBatchView commit = batches.marker(true, PID, EPOCH, 7, 0L, 9_000L);
        assertSame(ProducerCheck.OK, table.check(commit));
        long markerOffset = logEnd;
        CompletedTxn completed = table.update(commit, markerOffset, markerOffset);
        logEnd++;
        assertEquals(new CompletedTxn(PID, txn[0], markerOffset, false, markerOffset + 1), completed);
        assertEquals(OptionalLong.empty(), table.firstUndecidedOffset());
        assertEquals(OptionalLong.of(txn[0]), table.firstUnstableOffset(), "marker not replicated yet");
        table.onHighWatermarkUpdated(markerOffset);
        assertEquals(OptionalLong.of(txn[0]), table.firstUnstableOffset());
        table.onHighWatermarkUpdated(markerOffset + 1);
        assertEquals(OptionalLong.empty(), table.firstUnstableOffset());

        ProducerEntry entry = table.producer(PID);
        assertEquals(7, entry.coordinatorEpoch());
        assertEquals(9_000L, entry.lastTimestamp());
        assertFalse(entry.hasOngoingTransaction());
        // Same epoch after a TV0/1 marker: the cached batches and sequence carry on.
        append(data(EPOCH, 3, 1));
    }

    @Test
    void abortCompletesWithLastStableOffsetAtTheNextOpenTransaction() {
        long other = PID + 1;
        long[] first = append(batches.transactional(PID, EPOCH, 0, 1, 0L, 5_000L));
        long[] second = append(batches.transactional(other, EPOCH, 0, 1, 0L, 5_000L));
        long markerOffset = logEnd++;
        CompletedTxn aborted = table.update(batches.marker(false, PID, EPOCH, 0, 0L, 6_000L), markerOffset, markerOffset);
        assertEquals(new CompletedTxn(PID, first[0], markerOffset, true, second[0]), aborted);
        assertEquals(OptionalLong.of(first[0]), table.firstUnstableOffset());
        table.onHighWatermarkUpdated(logEnd);
        assertEquals(OptionalLong.of(second[0]), table.firstUnstableOffset());
    }

    @Test
    void markerWithoutOpenTransactionCompletesNothing() {
        append(data(EPOCH, 0, 1));
        assertNull(table.update(batches.marker(true, PID, EPOCH, 1, 0L, 6_000L), logEnd, logEnd));
        assertEquals(OptionalLong.empty(), table.firstUnstableOffset());
        assertEquals(1, table.producer(PID).coordinatorEpoch());
    }

    @Test
    void markerFromOlderCoordinatorEpochIsFenced() {
        append(batches.transactional(PID, EPOCH, 0, 1, 0L, 5_000L));
        table.update(batches.marker(true, PID, EPOCH, 5, 0L, 6_000L), logEnd, logEnd);
        logEnd++;
        append(batches.transactional(PID, EPOCH, 1, 1, 0L, 7_000L));
        ProducerCheck zombie = table.check(batches.marker(false, PID, EPOCH, 4, 0L, 8_000L));
        assertEquals(Outcome.TRANSACTION_COORDINATOR_FENCED, zombie.outcome());
        assertEquals(Errors.TRANSACTION_COORDINATOR_FENCED.code(), zombie.outcome().errorCode());
        assertSame(ProducerCheck.OK, table.check(batches.marker(false, PID, EPOCH, 5, 0L, 8_000L)));
    }

    @Test
    void transactionVersion2MarkerMustBumpTheEpochUnlessItRetriesAFinishedOne() {
        append(batches.transactional(PID, EPOCH, 0, 1, 0L, 5_000L));
        short tv2 = 2;
        assertEquals(Outcome.INVALID_PRODUCER_EPOCH, table.check(batches.marker(true, PID, EPOCH, 0, 0L, 6_000L), tv2).outcome());
        assertSame(ProducerCheck.OK, table.check(batches.marker(true, PID, EPOCH, 0, 0L, 6_000L)), "legacy rule allows it");
        short bumped = (short) (EPOCH + 1);
        RecordBatchView commit = batches.marker(true, PID, bumped, 0, 0L, 6_000L);
        assertSame(ProducerCheck.OK, table.check(commit, tv2));
        assertNotNull(table.update(commit, logEnd, logEnd));
        logEnd++;
        // KAFKA-19999: the same marker again, transaction already over: accepted as a retry.
        assertSame(ProducerCheck.OK, table.check(batches.marker(true, PID, bumped, 0, 0L, 6_000L), tv2));
        assertEquals(Outcome.INVALID_PRODUCER_EPOCH, table.check(batches.marker(true, PID, EPOCH, 0, 0L, 6_000L), tv2).outcome());
        // The bumped epoch has no cached batches: the next transaction starts at sequence 0.
        assertEquals(Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER, table.check(batches.transactional(PID, bumped, 1, 1, 0L, 7_000L)).outcome());
        append(batches.transactional(PID, bumped, 0, 1, 0L, 7_000L));
    }

    @Test
    void idleProducersExpireExceptThoseInATransaction() {
        ProducerStateTable expiring = new ProducerStateTable(1_000L);
        expiring.update(batches.idempotent(1L, EPOCH, 0, 1, 0L, 10_000L), 0, 0);
        expiring.update(batches.idempotent(2L, EPOCH, 0, 1, 0L, 10_500L), 1, 1);
        expiring.update(batches.transactional(3L, EPOCH, 0, 1, 0L, 10_000L), 2, 2);
        expiring.removeExpiredProducers(10_999L);
        assertEquals(3, expiring.producerCount());
        expiring.removeExpiredProducers(11_000L);
        assertNull(expiring.producer(1L));
        assertNotNull(expiring.producer(2L));
        assertNotNull(expiring.producer(3L), "open transaction keeps the producer");
        expiring.removeExpiredProducers(1_000_000L);
        assertEquals(List.of(3L), expiring.producers().stream().map(ProducerEntry::producerId).toList());
        // Once expired the producer is unknown again: any sequence is accepted.
        assertSame(ProducerCheck.OK, expiring.check(batches.idempotent(1L, EPOCH, 99, 1, 0L, 2_000_000L)));
    }

    @Test
    void replayUsesTheBatchOwnOffsets() {
        RecordBatchView stored = batches.idempotent(PID, EPOCH, 0, 3, 500L, 5_000L);
        assertNull(table.replay(stored));
        BatchMetadata cached = table.producer(PID).batches().get(0);
        assertEquals(new BatchMetadata(2, 502L, 2, 5_000L), cached);
        assertEquals(500L, cached.firstOffset());
        table.replay(batches.transactional(PID, EPOCH, 3, 1, 503L, 5_000L));
        CompletedTxn txn = table.replay(batches.marker(true, PID, EPOCH, 0, 504L, 6_000L));
        assertEquals(new CompletedTxn(PID, 503L, 504L, false, 505L), txn);
    }

    @Test
    void controlBatchThatIsNotATransactionMarkerIsRejected() {
        RecordBatchView marker = batches.marker(true, PID, EPOCH, 0, 0L, 6_000L);
        // Record header: length, attributes, timestamp delta, offset delta, key length (one byte each here),
        // then the key: version int16, type int16.
        int keyType = RecordBatchView.RECORDS_OFFSET + 5 + 2;
        assertEquals(1, marker.buffer().getShort(keyType), "COMMIT");
        marker.buffer().setShort(keyType, 5);
        assertThrows(InvalidRecordException.class, () -> table.check(marker));
        marker.buffer().setShort(keyType, 1);
        marker.buffer().setByte(RecordBatchView.RECORDS_OFFSET + 4, 0x7f); // key length overruns the batch
        assertThrows(InvalidRecordException.class, () -> table.update(marker, 0, 0));
        assertEquals(0, table.producerCount(), "nothing changed");
    }

    @Test
    void errorCodesAreKafkas() {
        assertEquals(Errors.NONE.code(), Outcome.OK.errorCode());
        assertEquals(Errors.NONE.code(), Outcome.DUPLICATE.errorCode());
        assertEquals(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code(), Outcome.OUT_OF_ORDER_SEQUENCE_NUMBER.errorCode());
        assertEquals(Errors.INVALID_PRODUCER_EPOCH.code(), Outcome.INVALID_PRODUCER_EPOCH.errorCode());
        assertEquals(Errors.INVALID_TXN_STATE.code(), Outcome.INVALID_TXN_STATE.errorCode());
        assertEquals(Errors.TRANSACTION_COORDINATOR_FENCED.code(), Outcome.TRANSACTION_COORDINATOR_FENCED.errorCode());
    }
}
