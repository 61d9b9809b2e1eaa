package dev.runnel.server.group;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Kafka's {@code __consumer_offsets} record format, so that Kafka's tools can read our topic and we can read
 * theirs. A key is an int16 record type followed by the key fields; a value is an int16 version followed by the
 * value fields; a tombstone has a null value.
 *
 * <pre>
 * key type 0, 1  OffsetCommitKey    group string, topic string, partition int32
 * key type 2     GroupMetadataKey   group string
 * key types 3-8, 16  consumer group (KIP-848) records, see {@link ConsumerGroupRecordCodec}
 * OffsetCommitValue  v0: offset int64, metadata string, commit_timestamp int64
 *                    v1: v0 + expire_timestamp int64        v2: as v0
 *                    v3: offset, leader_epoch int32, metadata, commit_timestamp
 *                    v4: as v3, flexible (compact string; tagged field 0 = topic_id uuid)
 * GroupMetadataValue protocol_type string, generation int32, protocol string?, leader string?,
 *                    [v2+ current_state_timestamp int64], members [member_id, [v3+ group_instance_id?],
 *                    client_id, client_host, [v1+ rebalance_timeout int32], session_timeout int32,
 *                    subscription bytes, assignment bytes]; v4 flexible
 * </pre>
 * Strings are int16-length UTF-8 (-1 = null), bytes and arrays int32-length; flexible versions use unsigned
 * varint lengths plus one and end each struct with a tagged-field section. We write what Kafka 4.x writes:
 * key type 1 with value v4 (v1 when the offset has an expire timestamp) and GroupMetadataValue v3.
 * Stateless and thread-safe.
 */
public final class CoordinatorRecordCodec {
    static final short LEGACY_OFFSET_COMMIT_KEY = 0;
    static final short OFFSET_COMMIT_KEY = 1;
    static final short GROUP_METADATA_KEY = 2;
    static final short GROUP_METADATA_VALUE_VERSION = 3;
    private static final int TOPIC_ID_TAG = 0;

    private CoordinatorRecordCodec() {
    }

    public static byte[] encodeKey(CoordinatorRecord record) {
        if (record instanceof ConsumerGroupRecord c) {
            return ConsumerGroupRecordCodec.encodeKey(c);
        }
        Writer w = new Writer();
        if (record instanceof CoordinatorRecord.OffsetCommit c) {
            w.int16(OFFSET_COMMIT_KEY);
            w.string(c.group());
            w.string(c.topic());
            w.int32(c.partition());
        } else {
            w.int16(GROUP_METADATA_KEY);
            w.string(record.group());
        }
        return w.toBytes();
    }

    /** The value bytes, or null for a tombstone. */
    public static byte[] encodeValue(CoordinatorRecord record) {
        if (record.isTombstone()) {
            return null;
        }
        if (record instanceof ConsumerGroupRecord c) {
            return ConsumerGroupRecordCodec.encodeValue(c);
        }
        if (record instanceof CoordinatorRecord.OffsetCommit c) {
            return encodeOffset(c.value());
        }
        return encodeGroup(((CoordinatorRecord.GroupMetadata) record).value(), GROUP_METADATA_VALUE_VERSION);
    }

    /**
     * Decodes a record; {@code value} null means a tombstone. Returns null for record types this coordinator
     * does not keep (consumer group partition metadata, share and streams groups). Throws IllegalArgumentException on bytes
     * that are not a valid record.
     */
    public static CoordinatorRecord decode(ByteBuffer key, ByteBuffer value) {
        try {
            short type = key.getShort();
            switch (type) {
                case LEGACY_OFFSET_COMMIT_KEY, OFFSET_COMMIT_KEY -> {
                    String group = RecordReader.string(key, false);
                    String topic = RecordReader.string(key, false);
                    int partition = key.getInt();
                    return new CoordinatorRecord.OffsetCommit(group, topic, partition, value == null ? null : decodeOffset(value));
                }
                case GROUP_METADATA_KEY -> {
                    String group = RecordReader.string(key, false);
                    return new CoordinatorRecord.GroupMetadata(group, value == null ? null : decodeGroup(value));
                }
                case ConsumerGroupRecordCodec.METADATA, ConsumerGroupRecordCodec.PARTITION_METADATA,
                        ConsumerGroupRecordCodec.MEMBER_METADATA, ConsumerGroupRecordCodec.TARGET_ASSIGNMENT_METADATA,
                        ConsumerGroupRecordCodec.TARGET_ASSIGNMENT_MEMBER,
                        ConsumerGroupRecordCodec.CURRENT_MEMBER_ASSIGNMENT, ConsumerGroupRecordCodec.REGULAR_EXPRESSION -> {
                    return ConsumerGroupRecordCodec.decode(type, key, value);
                }
                default -> {
                    return null;
                }
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated __consumer_offsets record", e);
        }
    }

    public static CoordinatorRecord decode(byte[] key, byte[] value) {
        return decode(ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value));
    }

    static byte[] encodeOffset(OffsetAndMetadata o) {
        // Kafka keeps version 1 for offsets with an explicit expire timestamp (OffsetCommit v2-v4 retention_time_ms)
        short version = o.expireTimestampMs() >= 0 ? (short) 1 : (short) 4;
        Writer w = new Writer();
        w.int16(version);
        w.int64(o.offset());
        if (version == 4) {
            w.int32(o.leaderEpoch());
            w.compactString(o.metadata());
            w.int64(o.commitTimestampMs());
            if (o.topicId().equals(OffsetAndMetadata.NO_TOPIC_ID)) {
                w.uvarint(0);
            } else {
                w.uvarint(1);
                w.uvarint(TOPIC_ID_TAG);
                w.uvarint(16);
                w.uuid(o.topicId());
            }
        } else {
            w.string(o.metadata());
            w.int64(o.commitTimestampMs());
            w.int64(o.expireTimestampMs());
        }
        return w.toBytes();
    }

    static OffsetAndMetadata decodeOffset(ByteBuffer b) {
        short version = b.getShort();
        if (version < 0 || version > 4) {
            throw new IllegalArgumentException("unknown OffsetCommitValue version " + version);
        }
        boolean flexible = version >= 4;
        long offset = b.getLong();
        int leaderEpoch = version >= 3 ? b.getInt() : -1;
        String metadata = RecordReader.string(b, flexible);
        long commitTimestamp = b.getLong();
        long expireTimestamp = version == 1 ? b.getLong() : -1L;
        UUID topicId = OffsetAndMetadata.NO_TOPIC_ID;
        if (flexible) {
            int fields = RecordReader.uvarint(b);
            for (int i = 0; i < fields; i++) {
                int tag = RecordReader.uvarint(b);
                int size = RecordReader.uvarint(b);
                if (tag == TOPIC_ID_TAG && size == 16) {
                    topicId = new UUID(b.getLong(), b.getLong());
                } else {
                    b.position(b.position() + size);
                }
            }
        }
        return new OffsetAndMetadata(offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp, topicId);
    }

    static byte[] encodeGroup(StoredGroup g, short version) {
        boolean flexible = version >= 4;
        Writer w = new Writer();
        w.int16(version);
        w.anyString(g.protocolType(), flexible);
        w.int32(g.generation());
        w.anyString(g.protocol(), flexible);
        w.anyString(g.leader(), flexible);
        if (version >= 2) {
            w.int64(g.currentStateTimestamp());
        }
        w.length(g.members().size(), flexible);
        for (StoredGroup.Member m : g.members()) {
            w.anyString(m.memberId(), flexible);
            if (version >= 3) {
                w.anyString(m.groupInstanceId(), flexible);
            }
            w.anyString(m.clientId(), flexible);
            w.anyString(m.clientHost(), flexible);
            if (version >= 1) {
                w.int32(m.rebalanceTimeoutMs());
            }
            w.int32(m.sessionTimeoutMs());
            w.bytes(m.subscription(), flexible);
            w.bytes(m.assignment(), flexible);
            if (flexible) {
                w.uvarint(0);
            }
        }
        if (flexible) {
            w.uvarint(0);
        }
        return w.toBytes();
    }

    static StoredGroup decodeGroup(ByteBuffer b) {
        short version = b.getShort();
        if (version < 0 || version > 4) {
            throw new IllegalArgumentException("unknown GroupMetadataValue version " + version);
        }
        boolean flexible = version >= 4;
        String protocolType = RecordReader.string(b, flexible);
        int generation = b.getInt();
        String protocol = RecordReader.string(b, flexible);
        String leader = RecordReader.string(b, flexible);
        long timestamp = version >= 2 ? b.getLong() : -1L;
        int count = flexible ? RecordReader.uvarint(b) - 1 : b.getInt();
        if (count < 0 || count > b.remaining()) {
            throw new IllegalArgumentException("invalid member count " + count);
        }
        List<StoredGroup.Member> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String memberId = RecordReader.string(b, flexible);
            String instanceId = version >= 3 ? RecordReader.string(b, flexible) : null;
            String clientId = RecordReader.string(b, flexible);
            String clientHost = RecordReader.string(b, flexible);
            int rebalanceTimeout = version >= 1 ? b.getInt() : -1;
            int sessionTimeout = b.getInt();
            byte[] subscription = RecordReader.bytes(b, flexible);
            byte[] assignment = RecordReader.bytes(b, flexible);
            if (flexible) {
                RecordReader.skipTaggedFields(b);
            }
            members.add(new StoredGroup.Member(memberId, instanceId, clientId, clientHost, rebalanceTimeout,
                    sessionTimeout, subscription, assignment));
        }
        if (flexible) {
            RecordReader.skipTaggedFields(b);
        }
        return new StoredGroup(protocolType, generation, protocol, leader, timestamp, members);
    }





    /** Big-endian writer into a growing array. */
    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

        void int16(int v) {
            out.write(v >>> 8);
            out.write(v);
        }

        void int32(int v) {
            int16(v >>> 16);
            int16(v);
        }

        void int64(long v) {
            int32((int) (v >>> 32));
            int32((int) v);
        }

        void uuid(UUID id) {
            int64(id.getMostSignificantBits());
            int64(id.getLeastSignificantBits());
        }

        void uvarint(int v) {
            while ((v & ~0x7f) != 0) {
                out.write((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            out.write(v);
        }

        void length(int n, boolean flexible) {
            if (flexible) {
                uvarint(n + 1);
            } else {
                int32(n);
            }
        }

        void string(String s) {
            anyString(s, false);
        }

        void compactString(String s) {
            anyString(s, true);
        }

        void anyString(String s, boolean flexible) {
            if (s == null) {
                if (flexible) {
                    uvarint(0);
                } else {
                    int16(-1);
                }
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            if (flexible) {
                uvarint(utf8.length + 1);
            } else {
                int16(utf8.length);
            }
            out.writeBytes(utf8);
        }

        void bytes(byte[] b, boolean flexible) {
            byte[] v = b == null ? new byte[0] : b;
            length(v.length, flexible);
            out.writeBytes(v);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }
}
