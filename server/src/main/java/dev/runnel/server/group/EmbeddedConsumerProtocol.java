package dev.runnel.server.group;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The "consumer" embedded protocol of classic groups, as the coordinator needs it to run classic members in a
 * consumer group (KIP-848 online migration). Not flexible; strings int16-length, arrays int32-counted, bytes
 * int32-length (-1 null). Both start with int16 version; versions above the highest known read as the highest.
 *
 * <pre>
 * ConsumerProtocolSubscription v0-3: [topics string], user_data bytes?, v1+ [owned: topic string, [partition int32]],
 *                                    v2+ generation_id int32, v3+ rack_id string?
 * ConsumerProtocolAssignment   v0-3: [assigned: topic string, [partition int32]], user_data bytes?
 * </pre>
 * Stateless.
 */
final class EmbeddedConsumerProtocol {
    static final String PROTOCOL_TYPE = "consumer";
    private static final short HIGHEST_VERSION = 3;

    /** A member's subscription: topics, what it says it owns (topic name to partitions) and its rack. */
    record Subscription(List<String> topics, Map<String, Set<Integer>> ownedPartitions, String rackId) {
    }

    /** An assignment read back: topic name to partitions, and whether it carried user data (custom assignors). */
    record Assignment(Map<String, Set<Integer>> partitions, boolean hasUserData) {
    }

    private EmbeddedConsumerProtocol() {
    }

    /** The version a member's metadata was written at (Kafka's {@code ConsumerProtocol.deserializeVersion}). */
    static short version(byte[] metadata) {
        short version = ByteBuffer.wrap(metadata).getShort();
        if (version < 0) {
            throw new IllegalArgumentException("negative consumer protocol version " + version);
        }
        return (short) Math.min(version, HIGHEST_VERSION);
    }

    /** @throws IllegalArgumentException when the bytes are not a consumer protocol subscription */
    static Subscription subscription(byte[] metadata) {
        try {
            ByteBuffer b = ByteBuffer.wrap(metadata);
            short version = version(metadata);
            b.getShort();
            int count = count(b);
            List<String> topics = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                topics.add(string(b));
            }
            skipBytes(b);
            Map<String, Set<Integer>> owned = version >= 1 ? partitions(b) : Map.of();
            if (version >= 2) {
                b.getInt();
            }
            String rack = version >= 3 ? string(b) : null;
            return new Subscription(topics, owned, rack);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated consumer protocol subscription", e);
        }
    }

    /** @throws IllegalArgumentException when the bytes are not a consumer protocol assignment */
    static Assignment assignment(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            version(bytes);
            b.getShort();
            Map<String, Set<Integer>> partitions = partitions(b);
            int userData = b.getInt();
            return new Assignment(partitions, userData > 0);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated consumer protocol assignment", e);
        }
    }

    /** An assignment without user data, at {@code version} (clamped to the known versions, as Kafka does). */
    static byte[] serializeAssignment(Map<String, Set<Integer>> partitions, short version) {
        int size = 2 + 4 + 4;
        List<byte[]> names = new ArrayList<>();
        for (Map.Entry<String, Set<Integer>> e : partitions.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            names.add(name);
            size += 2 + name.length + 4 + 4 * e.getValue().size();
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort((short) Math.max(0, Math.min(version, HIGHEST_VERSION))).putInt(partitions.size());
        int i = 0;
        for (Set<Integer> ps : partitions.values()) {
            byte[] name = names.get(i++);
            b.putShort((short) name.length).put(name).putInt(ps.size());
            ps.forEach(b::putInt);
        }
        b.putInt(-1);
        return b.array();
    }

    /** Kafka's toConsumerProtocolAssignment then serializeAssignment: topics unknown to the broker are left out. */
    static byte[] assignmentBytes(TopicLookup topics, Map<UUID, Set<Integer>> partitions, short version) {
        Map<UUID, String> names = new HashMap<>();
        if (!partitions.isEmpty()) {
            topics.topics().forEach(t -> names.put(t.topicId(), t.name()));
        }
        Map<String, Set<Integer>> byName = new LinkedHashMap<>();
        partitions.forEach((id, ps) -> {
            String name = names.get(id);
            if (name != null) {
                byName.put(name, ps);
            }
        });
        return serializeAssignment(byName, version);
    }

    /** Topic names to topic ids; topics the broker does not know are left out (Kafka's toTopicPartitionMap). */
    static Map<UUID, Set<Integer>> byTopicId(TopicLookup topics, Map<String, Set<Integer>> partitions) {
        Map<UUID, Set<Integer>> out = new HashMap<>();
        partitions.forEach((name, ps) -> topics.topic(name).ifPresent(t -> {
            if (!ps.isEmpty()) {
                out.computeIfAbsent(t.topicId(), id -> new TreeSet<>()).addAll(ps);
            }
        }));
        return Partitions.copy(out);
    }

    private static Map<String, Set<Integer>> partitions(ByteBuffer b) {
        int topics = count(b);
        Map<String, Set<Integer>> out = new LinkedHashMap<>();
        for (int i = 0; i < topics; i++) {
            String topic = string(b);
            int n = count(b);
            Set<Integer> ps = out.computeIfAbsent(topic, t -> new TreeSet<>());
            for (int j = 0; j < n; j++) {
                ps.add(b.getInt());
            }
        }
        return out;
    }

    private static int count(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("invalid array length " + n);
        }
        return n;
    }

    private static String string(ByteBuffer b) {
        int length = b.getShort();
        if (length < 0) {
            return null;
        }
        if (length > b.remaining()) {
            throw new IllegalArgumentException("invalid string length " + length);
        }
        byte[] utf8 = new byte[length];
        b.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static void skipBytes(ByteBuffer b) {
        int length = b.getInt();
        if (length > b.remaining()) {
            throw new IllegalArgumentException("invalid bytes length " + length);
        }
        if (length > 0) {
            b.position(b.position() + length);
        }
    }
}
