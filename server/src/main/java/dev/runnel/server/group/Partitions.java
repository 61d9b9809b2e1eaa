package dev.runnel.server.group;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Helpers for sets of partitions keyed by topic id ({@code Map<UUID, Set<Integer>>}), the shape KIP-848 uses
 * everywhere. Results are immutable, sorted and never hold an empty topic entry, so equal sets compare equal.
 */
final class Partitions {
    private Partitions() {
    }

    static Map<UUID, Set<Integer>> copy(Map<UUID, Set<Integer>> source) {
        if (source == null || source.isEmpty()) {
            return Map.of();
        }
        Map<UUID, Set<Integer>> out = new TreeMap<>();
        source.forEach((topic, partitions) -> {
            if (!partitions.isEmpty()) {
                out.put(topic, Collections.unmodifiableSet(new TreeSet<>(partitions)));
            }
        });
        return Collections.unmodifiableMap(out);
    }

    static Map<UUID, Set<Integer>> union(Map<UUID, Set<Integer>> a, Map<UUID, Set<Integer>> b) {
        Map<UUID, Set<Integer>> out = mutable(a);
        b.forEach((t, ps) -> out.computeIfAbsent(t, k -> new TreeSet<>()).addAll(ps));
        return copy(out);
    }

    /** {@code a} without the partitions of {@code b}. */
    static Map<UUID, Set<Integer>> minus(Map<UUID, Set<Integer>> a, Map<UUID, Set<Integer>> b) {
        Map<UUID, Set<Integer>> out = mutable(a);
        b.forEach((t, ps) -> {
            Set<Integer> s = out.get(t);
            if (s != null) {
                s.removeAll(ps);
            }
        });
        return copy(out);
    }

    static Map<UUID, Set<Integer>> intersect(Map<UUID, Set<Integer>> a, Map<UUID, Set<Integer>> b) {
        Map<UUID, Set<Integer>> out = new HashMap<>();
        a.forEach((t, ps) -> {
            Set<Integer> other = b.get(t);
            if (other != null) {
                Set<Integer> s = new TreeSet<>(ps);
                s.retainAll(other);
                out.put(t, s);
            }
        });
        return copy(out);
    }

    static boolean contains(Map<UUID, Set<Integer>> partitions, UUID topic, int partition) {
        Set<Integer> s = partitions.get(topic);
        return s != null && s.contains(partition);
    }

    static int count(Map<UUID, Set<Integer>> partitions) {
        return partitions.values().stream().mapToInt(Set::size).sum();
    }

    private static Map<UUID, Set<Integer>> mutable(Map<UUID, Set<Integer>> source) {
        Map<UUID, Set<Integer>> out = new HashMap<>();
        source.forEach((t, ps) -> out.put(t, new TreeSet<>(ps)));
        return out;
    }
}
