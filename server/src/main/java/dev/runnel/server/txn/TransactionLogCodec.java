package dev.runnel.server.txn;

import dev.runnel.log.TopicPartition;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * each prefixed by its int16 version. We write value version 1 with the bytes Kafka 4.3 writes under transaction
 * version 1, and read versions 0 and 1 (tagged fields skipped).
 *
 * <pre>
 * key   v0: version int16 (0), transactionalId string
 * value v0: version int16 (0), producerId int64, producerEpoch int16, timeoutMs int32, status int8,
 *           partitions nullable array of (topic string, partitionIds array of int32) (null when Empty),
 *           lastUpdateTimestampMs int64, startTimestampMs int64
 * value v1: the same fields, compact encodings (unsigned varint length + 1, 0 for null), a tagged-field section
 *           after each partition entry and at the end (previous/next producer id, ClientTransactionVersion)
 * </pre>
 * A null value is a tombstone (the transactional id expired). Stateless.
 */
public final class TransactionLogCodec {
    /** Kafka 4.x writes the flexible version 1 under every transaction version. */
    private static final short VALUE_VERSION = 1;
    private static final int CLIENT_TRANSACTION_VERSION_TAG = 2;
    /** The transaction version clients use with this broker (KIP-890 part 2 is not offered). */
    private static final short CLIENT_TRANSACTION_VERSION = 1;

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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeShort(VALUE_VERSION);
            out.writeLong(m.producerId());
            out.writeShort(m.producerEpoch());
            out.writeInt(m.timeoutMs());
            out.writeByte(m.state().id());
            if (m.state() == TransactionState.EMPTY) {
                uvarint(out, 0); // null: Kafka writes no partitions for an Empty transaction
            } else {
                uvarint(out, byTopic.size() + 1);
                for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
                    byte[] topic = e.getKey().getBytes(StandardCharsets.UTF_8);
                    uvarint(out, topic.length + 1);
                    out.write(topic);
                    uvarint(out, e.getValue().size() + 1);
                    for (int p : e.getValue().stream().sorted().toList()) {
                        out.writeInt(p);
                    }
                    uvarint(out, 0); // no tagged fields
                }
            }
            out.writeLong(m.lastUpdateTimestampMs());
            out.writeLong(m.startTimestampMs());
            // tagged fields: only ClientTransactionVersion differs from its default (previous/next ids are TV2's)
            uvarint(out, 1);
            uvarint(out, CLIENT_TRANSACTION_VERSION_TAG);
            uvarint(out, 2);
            out.writeShort(CLIENT_TRANSACTION_VERSION);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return bytes.toByteArray();
    }

    private static void uvarint(DataOutputStream out, int v) throws IOException {
        while ((v & ~0x7f) != 0) {
            out.writeByte((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
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
