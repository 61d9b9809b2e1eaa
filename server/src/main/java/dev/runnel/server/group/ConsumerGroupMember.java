package dev.runnel.server.group;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One member of a KIP-848 consumer group as replayed from its records: its subscription (null until its member
 * metadata record is replayed) and its current assignment. Owned by the partition lane.
 */
final class ConsumerGroupMember {
    static final ConsumerGroupRecord.MemberAssignment INITIAL = new ConsumerGroupRecord.MemberAssignment(
            0, 0, ConsumerGroupRecord.MemberAssignment.STABLE, Map.of(), Map.of());

    final String memberId;
    ConsumerGroupRecord.MemberSubscription subscription;
    ConsumerGroupRecord.MemberAssignment assignment = INITIAL;

    ConsumerGroupMember(String memberId) {
        this.memberId = memberId;
    }

    int memberEpoch() {
        return assignment.memberEpoch();
    }

    String instanceId() {
        return subscription == null ? null : subscription.instanceId();
    }

    int rebalanceTimeoutMs() {
        return subscription == null ? -1 : subscription.rebalanceTimeoutMs();
    }

    /** Whether the member joined with JoinGroup (a classic consumer) rather than ConsumerGroupHeartbeat. */
    boolean useClassicProtocol() {
        return subscription != null && subscription.classic() != null;
    }

    /** The classic metadata of a member that uses the classic protocol; null otherwise. */
    ConsumerGroupRecord.ClassicMemberMetadata classic() {
        return subscription == null ? null : subscription.classic();
    }

    /** Partitions this member still owns: those assigned and those it has yet to revoke. */
    Map<UUID, Set<Integer>> owned() {
        return Partitions.union(assignment.assigned(), assignment.pendingRevocation());
    }
}
