package dev.runnel.server.txn;

import dev.runnel.log.TopicPartition;
import org.apache.kafka.coordinator.transaction.TransactionLog;
import org.apache.kafka.coordinator.transaction.TxnTransitMetadata;
import org.apache.kafka.server.common.TransactionVersion;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Our {@code __transaction_state} records against Kafka's own {@code TransactionLog}, both directions. */
class TransactionLogCodecTest {
    @Test
    void keysAreKafkas() {
        assertArrayEquals(TransactionLog.keyToBytes("my-txn"), TransactionLogCodec.encodeKey("my-txn"));
        assertEquals("my-txn", TransactionLogCodec.decodeKey(ByteBuffer.wrap(TransactionLog.keyToBytes("my-txn"))));
    }

    @Test
    void valuesAreKafkasBytes() {
        for (TransactionState state : new TransactionState[] {TransactionState.EMPTY, TransactionState.ONGOING,
            TransactionState.PREPARE_COMMIT, TransactionState.COMPLETE_ABORT}) {
            Set<TopicPartition> partitions = state == TransactionState.EMPTY ? Set.of() : Set.of(new TopicPartition("t", 3));
            TransactionMetadata ours = new TransactionMetadata("id", 42, (short) 7, 60_000, state, partitions, 500, 900);
            byte[] kafka = TransactionLog.valueToBytes(kafka(ours), TransactionVersion.TV_1);
            assertArrayEquals(kafka, TransactionLogCodec.encodeValue(ours), state + " " + java.util.HexFormat.of().formatHex(kafka));
            assertEquals(ours, TransactionLogCodec.decodeValue("id", ByteBuffer.wrap(kafka)));
        }
    }

    @Test
    void manyPartitionsAndKafkasFlexibleVersionDecode() {
        Set<TopicPartition> partitions = Set.of(new TopicPartition("a", 0), new TopicPartition("a", 5),
                new TopicPartition("__consumer_offsets", 17), new TopicPartition("b", 2));
        TransactionMetadata ours = new TransactionMetadata("id", 42, (short) 7, 60_000, TransactionState.ONGOING, partitions, 500, 900);
        for (TransactionVersion tv : new TransactionVersion[] {TransactionVersion.TV_1, TransactionVersion.TV_2}) {
            byte[] kafka = TransactionLog.valueToBytes(kafka(ours), tv);
            assertEquals(ours, TransactionLogCodec.decodeValue("id", ByteBuffer.wrap(kafka)), tv.toString());
        }
        TransactionLog.ReadResult back = TransactionLog.read(ByteBuffer.wrap(TransactionLogCodec.encodeKey("id")),
                ByteBuffer.wrap(TransactionLogCodec.encodeValue(ours)));
        assertEquals(4, ((TransactionLog.TxnRecord) back).metadata().topicPartitions().size());
    }

    private static TxnTransitMetadata kafka(TransactionMetadata m) {
        HashSet<org.apache.kafka.common.TopicPartition> tps = new HashSet<>();
        m.partitions().forEach(tp -> tps.add(new org.apache.kafka.common.TopicPartition(tp.topic(), tp.partition())));
        return new TxnTransitMetadata(m.producerId(), -1L, -1L, m.producerEpoch(), (short) -1, m.timeoutMs(),
                org.apache.kafka.coordinator.transaction.TransactionState.fromId(m.state().id()), tps,
                m.startTimestampMs(), m.lastUpdateTimestampMs(), TransactionVersion.TV_1);
    }
}
