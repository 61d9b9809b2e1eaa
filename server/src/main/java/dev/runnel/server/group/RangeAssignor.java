package dev.runnel.server.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Kafka's server assignor "range": for each topic, its subscribers get consecutive ranges of partitions, the
 * first {@code partitions % subscribers} one more than the others, so that same-numbered partitions of
 * co-partitioned topics land on the same member. Members are ordered as Kafka's RangeAssignor orders them: static
 * members first by instance id, then dynamic members by member id, so static members keep their ranges.
 */
final class RangeAssignor implements ConsumerGroupAssignor {
    static final String NAME = "range";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Map<UUID, Set<Integer>>> assign(Map<String, Set<UUID>> subscriptions,
                                                       Map<UUID, Integer> partitionCounts,
                                                       Map<String, Map<UUID, Set<Integer>>> previous) {
        return assign(subscriptions, Map.of(), partitionCounts, previous);
    }

    @Override
    public Map<String, Map<UUID, Set<Integer>>> assign(Map<String, Set<UUID>> subscriptions,
                                                       Map<String, String> instanceIds,
                                                       Map<UUID, Integer> partitionCounts,
                                                       Map<String, Map<UUID, Set<Integer>>> previous) {
        List<String> members = new ArrayList<>(subscriptions.keySet());
        members.sort(Comparator.comparing((String m) -> instanceIds.get(m) == null)
                .thenComparing(m -> instanceIds.getOrDefault(m, m)));
        Map<String, Map<UUID, Set<Integer>>> out = new TreeMap<>();
        members.forEach(m -> out.put(m, new TreeMap<>()));
        for (Map.Entry<UUID, Integer> topic : partitionCounts.entrySet()) {
            List<String> subscribers = new ArrayList<>();
            for (String m : members) {
                if (subscriptions.get(m).contains(topic.getKey())) {
                    subscribers.add(m);
                }
            }
            if (subscribers.isEmpty()) {
                continue;
            }
            int per = topic.getValue() / subscribers.size();
            int extra = topic.getValue() % subscribers.size();
            int next = 0;
            for (int i = 0; i < subscribers.size(); i++) {
                int size = per + (i < extra ? 1 : 0);
                Set<Integer> range = new TreeSet<>();
                for (int p = next; p < next + size; p++) {
                    range.add(p);
                }
                next += size;
                if (!range.isEmpty()) {
                    out.get(subscribers.get(i)).put(topic.getKey(), range);
                }
            }
        }
        return out;
    }
}
