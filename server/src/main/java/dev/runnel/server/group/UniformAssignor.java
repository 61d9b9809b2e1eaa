package dev.runnel.server.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Kafka's default server assignor "uniform": spreads partitions so member counts differ by at most one among
 * members with the same subscription, and keeps partitions where they were whenever that stays within the
 * balance, so a rebalance moves only what it must. Partitions go to members subscribed to their topic.
 */
final class UniformAssignor implements ConsumerGroupAssignor {
    static final String NAME = "uniform";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Map<UUID, Set<Integer>>> assign(Map<String, Set<UUID>> subscriptions,
                                                       Map<UUID, Integer> partitionCounts,
                                                       Map<String, Map<UUID, Set<Integer>>> previous) {
        List<String> members = new ArrayList<>(new TreeSet<>(subscriptions.keySet()));
        Map<String, Map<UUID, Set<Integer>>> out = new TreeMap<>();
        Map<String, Integer> counts = new HashMap<>();
        members.forEach(m -> {
            out.put(m, new TreeMap<>());
            counts.put(m, 0);
        });
        if (members.isEmpty()) {
            return out;
        }
        List<UUID> topics = new ArrayList<>(new TreeSet<>(partitionCounts.keySet()));
        int total = 0;
        for (UUID t : topics) {
            if (subscriptions.values().stream().anyMatch(s -> s.contains(t))) {
                total += partitionCounts.get(t);
            }
        }
        int floor = total / members.size();
        int withExtra = total % members.size();
        Set<String> unassigned = new TreeSet<>();
        // pass 1: keep up to the floor of what each member had; pass 2: give the extra slots to previous owners
        Map<String, Map<UUID, Set<Integer>>> leftovers = new HashMap<>();
        for (UUID t : topics) {
            for (int p = 0; p < partitionCounts.get(t); p++) {
                String owner = previousOwner(previous, t, p);
                if (owner != null && subscriptions.containsKey(owner) && subscriptions.get(owner).contains(t)
                        && counts.get(owner) < floor) {
                    give(out, counts, owner, t, p);
                } else if (owner != null && subscriptions.containsKey(owner) && subscriptions.get(owner).contains(t)) {
                    leftovers.computeIfAbsent(owner, k -> new TreeMap<>()).computeIfAbsent(t, k -> new TreeSet<>()).add(p);
                } else {
                    unassigned.add(t + ":" + p);
                }
            }
        }
        for (String m : members) {
            for (Map.Entry<UUID, Set<Integer>> e : leftovers.getOrDefault(m, Map.of()).entrySet()) {
                for (int p : e.getValue()) {
                    if (counts.get(m) < floor || (counts.get(m) == floor && withExtra > 0)) {
                        if (counts.get(m) == floor) {
                            withExtra--;
                        }
                        give(out, counts, m, e.getKey(), p);
                    } else {
                        unassigned.add(e.getKey() + ":" + p);
                    }
                }
            }
        }
        // pass 3: the rest, in topic and partition order, each to the least loaded subscribed member
        for (UUID t : topics) {
            for (int p = 0; p < partitionCounts.get(t); p++) {
                if (!unassigned.contains(t + ":" + p)) {
                    continue;
                }
                String best = null;
                for (String m : members) {
                    if (subscriptions.get(m).contains(t) && (best == null || counts.get(m) < counts.get(best))) {
                        best = m;
                    }
                }
                if (best != null) {
                    give(out, counts, best, t, p);
                }
            }
        }
        return out;
    }

    private static void give(Map<String, Map<UUID, Set<Integer>>> out, Map<String, Integer> counts, String member,
                             UUID topic, int partition) {
        out.get(member).computeIfAbsent(topic, k -> new TreeSet<>()).add(partition);
        counts.merge(member, 1, Integer::sum);
    }

    private static String previousOwner(Map<String, Map<UUID, Set<Integer>>> previous, UUID topic, int partition) {
        for (Map.Entry<String, Map<UUID, Set<Integer>>> e : previous.entrySet()) {
            if (Partitions.contains(e.getValue(), topic, partition)) {
                return e.getKey();
            }
        }
        return null;
    }
}
