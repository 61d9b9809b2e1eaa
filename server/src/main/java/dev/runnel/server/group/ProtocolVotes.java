package dev.runnel.server.group;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How many members of a classic group support each protocol, and Kafka's choice among them: of the protocols
 * every member supports, each member votes for the one it lists first, and the most votes win. Owned by the
 * partition lane.
 */
final class ProtocolVotes {
    private final Map<String, Integer> supporters = new HashMap<>();

    void add(ClassicGroupMember member) {
        member.protocols().forEach(p -> supporters.merge(p.name(), 1, Integer::sum));
    }

    void remove(ClassicGroupMember member) {
        member.protocols().forEach(p -> supporters.merge(p.name(), -1, Integer::sum));
    }

    /** Whether one of {@code protocols} is supported by all {@code groupSize} members. */
    boolean anySupportedByAll(List<ClassicGroupMember.Protocol> protocols, int groupSize) {
        for (ClassicGroupMember.Protocol p : protocols) {
            if (supporters.getOrDefault(p.name(), 0) == groupSize) {
                return true;
            }
        }
        return false;
    }

    String select(Collection<ClassicGroupMember> members) {
        Set<String> candidates = new HashSet<>();
        supporters.forEach((name, count) -> {
            if (count == members.size()) {
                candidates.add(name);
            }
        });
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (ClassicGroupMember m : members) {
            votes.merge(m.vote(candidates), 1, Integer::sum);
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }
}
