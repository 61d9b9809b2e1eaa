package dev.runnel.server.group;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.GroupAssignment;
import org.apache.kafka.coordinator.group.api.assignor.SubscribedTopicDescriber;
import org.apache.kafka.coordinator.group.api.assignor.SubscriptionType;
import org.apache.kafka.coordinator.group.modern.Assignment;
import org.apache.kafka.coordinator.group.modern.GroupSpecImpl;
import org.apache.kafka.coordinator.group.modern.MemberSubscriptionAndAssignmentImpl;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Our "range" server assignor gives exactly what Kafka 4.3's RangeAssignor gives, for random groups. */
class RangeAssignorOracleTest {
    private static final long SEED = Long.getLong("seed", System.nanoTime());

    @Test
    void sameAssignmentsAsKafkasRangeAssignor() {
        Random random = new Random(SEED);
        for (int round = 0; round < 500; round++) {
            int topicCount = 1 + random.nextInt(4);
            Map<UUID, Integer> partitions = new TreeMap<>();
            for (int t = 0; t < topicCount; t++) {
                partitions.put(new UUID(random.nextLong(), random.nextLong()), 1 + random.nextInt(12));
            }
            int memberCount = 1 + random.nextInt(8);
            boolean homogeneous = random.nextBoolean();
            Map<String, Set<UUID>> subscriptions = new TreeMap<>();
            Map<String, String> instanceIds = new HashMap<>();
            for (int m = 0; m < memberCount; m++) {
                String memberId = "m" + Integer.toHexString(random.nextInt());
                Set<UUID> topics = new TreeSet<>();
                for (UUID t : partitions.keySet()) {
                    if (homogeneous || random.nextInt(3) > 0) {
                        topics.add(t);
                    }
                }
                if (topics.isEmpty()) {
                    topics.add(partitions.keySet().iterator().next());
                }
                subscriptions.put(memberId, topics);
                if (random.nextInt(3) == 0) {
                    instanceIds.put(memberId, "i" + random.nextInt(100) + "-" + m);
                }
            }
            Map<String, Map<UUID, Set<Integer>>> ours = new RangeAssignor().assign(subscriptions, instanceIds, partitions, Map.of());
            assertEquals(kafka(subscriptions, instanceIds, partitions), withoutEmpty(ours), "seed " + SEED + " round " + round);
        }
    }

    private static Map<String, Map<UUID, Set<Integer>>> kafka(Map<String, Set<UUID>> subscriptions,
                                                              Map<String, String> instanceIds,
                                                              Map<UUID, Integer> partitions) {
        Map<String, MemberSubscriptionAndAssignmentImpl> members = new HashMap<>();
        Set<Set<UUID>> distinct = new HashSet<>(subscriptions.values());
        subscriptions.forEach((id, topics) -> {
            Set<Uuid> ids = new HashSet<>();
            topics.forEach(t -> ids.add(uuid(t)));
            members.put(id, new MemberSubscriptionAndAssignmentImpl(Optional.empty(),
                    Optional.ofNullable(instanceIds.get(id)), ids, Assignment.EMPTY));
        });
        SubscribedTopicDescriber describer = new SubscribedTopicDescriber() {
            @Override
            public int numPartitions(Uuid topicId) {
                return partitions.getOrDefault(new UUID(topicId.getMostSignificantBits(), topicId.getLeastSignificantBits()), -1);
            }

            @Override
            public Set<String> racksForPartition(Uuid topicId, int partition) {
                return Set.of();
            }
        };
        GroupAssignment assignment = new org.apache.kafka.coordinator.group.assignor.RangeAssignor().assign(
                new GroupSpecImpl(members, distinct.size() == 1 ? SubscriptionType.HOMOGENEOUS : SubscriptionType.HETEROGENEOUS,
                        Map.of()), describer);
        Map<String, Map<UUID, Set<Integer>>> out = new TreeMap<>();
        assignment.members().forEach((id, a) -> {
            Map<UUID, Set<Integer>> ps = new TreeMap<>();
            a.partitions().forEach((t, p) -> {
                if (!p.isEmpty()) {
                    ps.put(new UUID(t.getMostSignificantBits(), t.getLeastSignificantBits()), new TreeSet<>(p));
                }
            });
            if (!ps.isEmpty()) {
                out.put(id, ps);
            }
        });
        return out;
    }

    private static Map<String, Map<UUID, Set<Integer>>> withoutEmpty(Map<String, Map<UUID, Set<Integer>>> in) {
        Map<String, Map<UUID, Set<Integer>>> out = new TreeMap<>();
        in.forEach((id, ps) -> {
            Map<UUID, Set<Integer>> kept = new TreeMap<>();
            ps.forEach((t, p) -> {
                if (!p.isEmpty()) {
                    kept.put(t, new TreeSet<>(p));
                }
            });
            if (!kept.isEmpty()) {
                out.put(id, kept);
            }
        });
        return out;
    }

    private static Uuid uuid(UUID u) {
        return new Uuid(u.getMostSignificantBits(), u.getLeastSignificantBits());
    }
}
