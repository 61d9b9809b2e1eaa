package dev.runnel.server.group;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A server-side assignor of KIP-848 ({@code group.consumer.assignors}): from the members' subscriptions and the
 * partition counts of the subscribed topics, the target assignment. Must be deterministic; may use the previous
 * target assignment to move as few partitions as possible. Stateless.
 */
interface ConsumerGroupAssignor {
    String name();

    /**
     * @param subscriptions member id to the ids of the topics it subscribes to (only existing topics)
     * @param partitionCounts topic id to its partition count
     * @param previous the previous target assignment (member id to partitions)
     * @return every member's new target, members without partitions mapped to an empty map
     */
    Map<String, Map<UUID, Set<Integer>>> assign(Map<String, Set<UUID>> subscriptions, Map<UUID, Integer> partitionCounts,
                                                Map<String, Map<UUID, Set<Integer>>> previous);

    /**
     * As {@link #assign(Map, Map, Map)}, also knowing the static members' instance ids (member id to instance id;
     * dynamic members are absent), by which some of Kafka's assignors order members.
     */
    default Map<String, Map<UUID, Set<Integer>>> assign(Map<String, Set<UUID>> subscriptions,
                                                        Map<String, String> instanceIds,
                                                        Map<UUID, Integer> partitionCounts,
                                                        Map<String, Map<UUID, Set<Integer>>> previous) {
        return assign(subscriptions, partitionCounts, previous);
    }

    /** The assignors Kafka ships, by name. */
    static ConsumerGroupAssignor named(String name) {
        return switch (name) {
            case UniformAssignor.NAME -> new UniformAssignor();
            case RangeAssignor.NAME -> new RangeAssignor();
            default -> throw new IllegalArgumentException("unknown consumer group assignor " + name);
        };
    }

    static List<String> known() {
        return List.of(UniformAssignor.NAME, RangeAssignor.NAME);
    }
}
