package dev.runnel.server.txn;

import dev.runnel.log.TopicPartition;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kafka's {@code __transaction_state} record format ({@code TransactionLogKey}, {@code TransactionLogValue}),
 * each prefixed by its int16 version. We write value version 0, as Kafka does under transaction version 1, and
 * read versions 0 and 1 (flexible, with tagged fields we skip).
 *
 * <pre>
 * key   v0: version int16 (0), transactionalId string
 * value v0: version int16 (0), producerId int64, producerEpoch int16, timeoutMs int32, status int8,
 *           partitions nullable array of (topic string, partitionIds array of int32) (null when Empty),
 *           lastUpdateTimestampMs int64, startTimestampMs int64
 * value v1: the same fields, compact encodings, then tagged fields (previous/next producer id, ...)
 * </pre>
 * A null value is a tombstone (the transactional id expired). Stateless.
 */
public final class TransactionLogCodec {
    private TransactionLogCodec() {
    }

    public static byte[] encodeKey(String transactionalId) {
        byte[] id = transactionalId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + id.length).putShort((short) 0).putShort((short) id.length).put(id).array();
    }

    public static byte[] encodeValue(TransactionMetadata m) {
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition tp : m.partitions()) {
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        }
        int size = 2 + 8 + 2 + 4 + 1 + 4 + 8 + 8;
        for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
            size += 2 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4 + 4 * e.getValue().size();
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort((short) 0).putLong(m.producerId()).putShort(m.producerEpoch()).putInt(m.timeoutMs()).put(m.state().id());
        if (m.state() == TransactionState.EMPTY) {
            b.putInt(-1);
        } else {
            b.putInt(byTopic.size());
            for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
                byte[] topic = e.getKey().getBytes(StandardCharsets.UTF_8);
                b.putShort((short) topic.length).put(topic).putInt(e.getValue().size());
                e.getValue().stream().sorted().forEach(b::putInt);
            }
        }
        b.putLong(m.lastUpdateTimestampMs()).putLong(m.startTimestampMs());
        return b.array();
    }

    /**
     * The transactional id of a key, or null for a key of another record type.
     *
     * @throws IllegalArgumentException on malformed bytes
     */
    public static String decodeKey(ByteBuffer key) {
        try {
            short version = key.getShort();
            if (version != 0) {
                return null;
            }
            return string(key, false);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated transaction log key", e);
        }
    }

    /**
     * The metadata of a value (null for a tombstone).
     *
     * @throws IllegalArgumentException on malformed bytes or an unknown version
     */
    public static TransactionMetadata decodeValue(String transactionalId, ByteBuffer value) {
        if (value == null) {
            return null;
        }
        try {
            short version = value.getShort();
            if (version < 0 || version > 1) {
                throw new IllegalArgumentException("unknown transaction log value version " + version);
            }
            boolean flexible = version >= 1;
            long producerId = value.getLong();
            short epoch = value.getShort();
            int timeoutMs = value.getInt();
            TransactionState state = TransactionState.fromId(value.get());
            int topics = length(value, flexible);
            Set<TopicPartition> partitions = new HashSet<>();
            for (int t = 0; t < topics; t++) {
                String topic = string(value, flexible);
                int count = length(value, flexible);
                for (int p = 0; p < count; p++) {
                    partitions.add(new TopicPartition(topic, value.getInt()));
                }
                if (flexible) {
                    skipTaggedFields(value);
                }
            }
            long lastUpdate = value.getLong();
            long start = value.getLong();
            return new TransactionMetadata(transactionalId, producerId, epoch, timeoutMs, state, partitions, start, lastUpdate);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated transaction log value", e);
        }
    }

    /** An array length; null arrays read as empty. */
    private static int length(ByteBuffer b, boolean compact) {
        int n = compact ? uvarint(b) - 1 : b.getInt();
        if (n > b.remaining()) {
            throw new IllegalArgumentException("array length " + n + " exceeds the record");
        }
        return Math.max(0, n);
    }

    private static String string(ByteBuffer b, boolean compact) {
        int n = compact ? uvarint(b) - 1 : b.getShort();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("bad string length " + n);
        }
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void skipTaggedFields(ByteBuffer b) {
        int count = uvarint(b);
        for (int i = 0; i < count; i++) {
            uvarint(b);
            int size = uvarint(b);
            b.position(b.position() + size);
        }
    }

    private static int uvarint(ByteBuffer b) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte x = b.get();
            value |= (x & 0x7f) << shift;
            if (x >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }
}
