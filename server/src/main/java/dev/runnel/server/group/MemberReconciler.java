package dev.runnel.server.group;

import dev.runnel.wire.protocol.Errors;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * KIP-848 incremental reconciliation of one member towards its target assignment. A member first revokes what
 * it must give up (UNREVOKED_PARTITIONS, keeping its epoch); only then does it move to the target epoch and get
 * new partitions, and of those only the ones no other member still owns (the rest wait in UNRELEASED_PARTITIONS
 * until released). So a partition never has two owners. Stateless.
 */
final class MemberReconciler {
    private MemberReconciler() {
    }

    /**
     * The member's next assignment.
     *
     * @param owned what the member says it owns (null when the heartbeat did not say)
     */
    static ConsumerGroupRecord.MemberAssignment next(ConsumerGroup group, String memberId,
                                                     ConsumerGroupRecord.MemberAssignment current, int targetEpoch,
                                                     Map<UUID, Set<Integer>> target, Map<UUID, Set<Integer>> owned) {
        return switch (current.state()) {
            case ConsumerGroupRecord.MemberAssignment.STABLE -> current.memberEpoch() == targetEpoch
                    ? current : compute(group, memberId, current, targetEpoch, target);
            case ConsumerGroupRecord.MemberAssignment.UNREVOKED_PARTITIONS -> owned == null
                    || !Partitions.intersect(owned, current.pendingRevocation()).isEmpty()
                    ? current : compute(group, memberId, current, targetEpoch, target);
            case ConsumerGroupRecord.MemberAssignment.UNRELEASED_PARTITIONS -> compute(group, memberId, current, targetEpoch, target);
            default -> throw new GroupException(Errors.FENCED_MEMBER_EPOCH);
        };
    }

    private static ConsumerGroupRecord.MemberAssignment compute(ConsumerGroup group, String memberId,
                                                                ConsumerGroupRecord.MemberAssignment current,
                                                                int targetEpoch, Map<UUID, Set<Integer>> target) {
        Map<UUID, Set<Integer>> kept = Partitions.intersect(current.assigned(), target);
        Map<UUID, Set<Integer>> revoke = Partitions.minus(current.assigned(), target);
        if (!revoke.isEmpty()) {
            // kept and revoked partitions stay at the epoch they were assigned at
            return new ConsumerGroupRecord.MemberAssignment(current.memberEpoch(), current.previousMemberEpoch(),
                    ConsumerGroupRecord.MemberAssignment.UNREVOKED_PARTITIONS, kept, revoke, current.epochs());
        }
        Map<UUID, Set<Integer>> assigned = new HashMap<>();
        Map<UUID, Map<Integer, Integer>> epochs = new HashMap<>(current.epochs());
        kept.forEach((t, ps) -> assigned.put(t, new TreeSet<>(ps)));
        boolean unreleased = false;
        for (Map.Entry<UUID, Set<Integer>> e : Partitions.minus(target, current.assigned()).entrySet()) {
            for (int p : e.getValue()) {
                if (group == null || group.ownerOf(e.getKey(), p, memberId) == null) {
                    assigned.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).add(p);
                    // a newly assigned partition is owned from the target epoch on (Kafka's CurrentAssignmentBuilder)
                    epochs.compute(e.getKey(), (k, old) -> {
                        Map<Integer, Integer> m = old == null ? new HashMap<>() : new HashMap<>(old);
                        m.put(p, targetEpoch);
                        return m;
                    });
                } else {
                    unreleased = true;
                }
            }
        }
        int previous = targetEpoch == current.memberEpoch() ? current.previousMemberEpoch() : current.memberEpoch();
        return new ConsumerGroupRecord.MemberAssignment(targetEpoch, previous, unreleased
                ? ConsumerGroupRecord.MemberAssignment.UNRELEASED_PARTITIONS : ConsumerGroupRecord.MemberAssignment.STABLE,
                assigned, Map.of(), epochs);
    }
}
