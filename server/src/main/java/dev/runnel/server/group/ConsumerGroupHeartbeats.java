package dev.runnel.server.group;

import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.wire.message.ConsumerGroupHeartbeatRequest;
import dev.runnel.wire.message.ConsumerGroupHeartbeatResponse;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * ConsumerGroupHeartbeat (KIP-848) on one coordinator partition: joining, heartbeating, leaving and fencing
 * members of consumer groups. Each call returns the records that describe the change (member metadata, group
 * epoch, target assignment, current assignment) and the response; the state changes when they replay, as in
 * Kafka. Sessions and revocation deadlines run on the shard's {@link KeyedTimer}. Runs on the partition lane.
 */
final class ConsumerGroupHeartbeats {
    static final int LEAVE_EPOCH = -1;
    static final int STATIC_LEAVE_EPOCH = -2;

    private final CoordinatorShard shard;

    ConsumerGroupHeartbeats(CoordinatorShard shard) {
        this.shard = shard;
    }

    /** Requests already passed {@link ConsumerGroupRequests#validate}. */
    Result<ConsumerGroupHeartbeatResponse> heartbeat(Requester requester, ConsumerGroupHeartbeatRequest request) {
        if (request.memberEpoch() == LEAVE_EPOCH || request.memberEpoch() == STATIC_LEAVE_EPOCH) {
            return leave(request);
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        ConsumerGroup group = groupForHeartbeat(request, records);
        ConsumerGroupMember member = memberForHeartbeat(group, request, records);
        // a static member replacing its old self inherits that one's target
        ConsumerGroupMember replaced = request.memberEpoch() == 0 ? group.staticMember(request.instanceId()) : null;
        String targetHolder = replaced != null && replaced != member ? replaced.memberId : member.memberId;
        ConsumerGroupRecord.MemberSubscription updated = updatedSubscription(member.subscription, requester, request);

        Target target = subscribe(group, member, targetHolder, updated, records);
        Map<UUID, Set<Integer>> owned = owned(request);
        ConsumerGroupRecord.MemberAssignment current = member.assignment;
        ConsumerGroupRecord.MemberAssignment next = MemberReconciler.next(group, member.memberId, current, target.epoch(),
                target.partitions(), owned);
        if (!next.equals(current)) {
            records.add(new ConsumerGroupRecord.CurrentAssignment(group.groupId, member.memberId, next));
        }
        scheduleSession(group.groupId, member.memberId);
        scheduleRevocationDeadline(group.groupId, member.memberId, current, next, updated.rebalanceTimeoutMs());

        ConsumerGroupHeartbeatResponse response = new ConsumerGroupHeartbeatResponse().setMemberId(member.memberId)
                .setMemberEpoch(next.memberEpoch()).setHeartbeatIntervalMs(shard.consumerConfig.heartbeatIntervalMs());
        boolean full = request.rebalanceTimeoutMs() != -1 && request.topicPartitions() != null
                && (request.subscribedTopicNames() != null || request.subscribedTopicRegex() != null);
        if (request.memberEpoch() == 0 || full || !next.assigned().equals(current.assigned())) {
            response.setAssignment(assignment(next.assigned()));
        }
        return Result.replayed(records, response);
    }

    /** The target assignment epoch and a member's partitions in it. */
    record Target(int epoch, Map<UUID, Set<Integer>> partitions) {
    }

    /**
     * Records a member's new subscription, bumps the group epoch when subscriptions or the subscribed topics
     * changed, and computes the new target assignment when the group epoch moved past it. {@code targetHolder}
     * is the member whose target the member inherits (a static member's old self, or itself).
     */
    Target subscribe(ConsumerGroup group, ConsumerGroupMember member, String targetHolder,
                     ConsumerGroupRecord.MemberSubscription updated, List<CoordinatorRecord> records) {
        ConsumerGroupRecord.MemberSubscription old = member.subscription;
        boolean bump = false;
        if (!updated.equals(old)) {
            records.add(new ConsumerGroupRecord.MemberMetadata(group.groupId, member.memberId, updated));
            bump = old == null || !old.subscribedTopicNames().equals(updated.subscribedTopicNames())
                    || !Objects.equals(old.subscribedTopicRegex(), updated.subscribedTopicRegex());
        }
        Map<String, ConsumerGroupRecord.MemberSubscription> subscriptions = subscriptions(group);
        subscriptions.remove(targetHolder);
        subscriptions.put(member.memberId, updated);
        Map<String, List<String>> regexTopics = shard.consumerRegexes.refresh(group, subscriptions.values(), records);
        Map<String, TopicMetadata> topics = ConsumerGroupTopics.subscribedTopics(shard.topics, regexTopics,
                subscriptions.values());
        long hash = ConsumerGroupTopics.hash(topics);
        int groupEpoch = group.groupEpoch;
        if (bump || hash != group.metadataHash || !group.exists) {
            groupEpoch++;
            records.add(new ConsumerGroupRecord.GroupEpoch(group.groupId, new ConsumerGroupRecord.GroupEpochValue(groupEpoch, hash)));
        }
        Map<UUID, Set<Integer>> target = group.targetOf(targetHolder);
        int targetEpoch = group.targetAssignmentEpoch;
        if (groupEpoch > group.targetAssignmentEpoch) {
            target = assignTargets(group, subscriptions, regexTopics, topics, groupEpoch, records)
                    .getOrDefault(member.memberId, Map.of());
            targetEpoch = groupEpoch;
        }
        return new Target(targetEpoch, target);
    }

    private ConsumerGroup groupForHeartbeat(ConsumerGroupHeartbeatRequest request, List<CoordinatorRecord> records) {
        ConsumerGroup group = shard.consumerGroups.get(request.groupId());
        if (group != null) {
            return group;
        }
        ClassicGroup classic = shard.group(request.groupId());
        if (request.memberEpoch() != 0) {
            // Kafka's getOrMaybeCreateConsumerGroup without creation
            throw new GroupException(Errors.GROUP_ID_NOT_FOUND, classic == null
                    ? "Consumer group " + request.groupId() + " not found."
                    : "Group " + request.groupId() + " is not a consumer group.");
        }
        if (classic != null) {
            if (!classic.isInState(ClassicGroupState.EMPTY) && !classic.isInState(ClassicGroupState.DEAD)) {
                // KIP-848 online upgrade, if group.consumer.migration.policy allows it
                return shard.conversions.upgrade(classic, records);
            }
            // an empty classic (or offsets-only) group becomes a consumer group; its offsets stay
            shard.rebalancer.cancelTimers(classic);
            records.add(new CoordinatorRecord.GroupMetadata(request.groupId(), null));
        }
        return new ConsumerGroup(request.groupId());
    }

    private ConsumerGroupMember memberForHeartbeat(ConsumerGroup group, ConsumerGroupHeartbeatRequest request,
                                                   List<CoordinatorRecord> records) {
        String instanceId = request.instanceId();
        if (request.memberEpoch() == 0) {
            ConsumerGroupMember existingStatic = group.staticMember(instanceId);
            if (existingStatic != null && !existingStatic.memberId.equals(request.memberId())) {
                // a classic static member may be replaced without having left first (KIP-848 migration)
                if (!existingStatic.useClassicProtocol() && existingStatic.memberEpoch() != STATIC_LEAVE_EPOCH) {
                    throw new GroupException(Errors.UNRELEASED_INSTANCE_ID, "Static member " + request.memberId()
                            + " with instance id " + instanceId + " cannot join the group because the instance id is owned by "
                            + existingStatic.memberId + " member.");
                }
                return replaceStatic(group, existingStatic, request.memberId(), records);
            }
            ConsumerGroupMember member = group.members.get(request.memberId());
            if (member != null) {
                return member;
            }
            if (group.members.size() >= shard.consumerConfig.maxSize()) {
                throw new GroupException(Errors.GROUP_MAX_SIZE_REACHED, "The consumer group has reached its maximum capacity of "
                        + shard.consumerConfig.maxSize() + " members.");
            }
            return new ConsumerGroupMember(request.memberId());
        }
        ConsumerGroupMember member;
        if (instanceId != null) {
            member = group.staticMember(instanceId);
            if (member == null) {
                throw new GroupException(Errors.UNKNOWN_MEMBER_ID, "Instance id " + instanceId + " is unknown.");
            }
            if (!member.memberId.equals(request.memberId())) {
                throw new GroupException(Errors.FENCED_INSTANCE_ID);
            }
        } else {
            member = group.members.get(request.memberId());
            if (member == null) {
                throw new GroupException(Errors.UNKNOWN_MEMBER_ID, "Member " + request.memberId()
                        + " is not a member of group " + group.groupId + ".");
            }
        }
        checkEpoch(member, request.memberEpoch(), owned(request));
        return member;
    }

    /** Kafka's epoch check: ahead is fenced; behind is accepted only for the previous epoch with nothing extra owned. */
    private static void checkEpoch(ConsumerGroupMember member, int received, Map<UUID, Set<Integer>> owned) {
        int epoch = member.memberEpoch();
        if (received > epoch || (received < epoch && (received != member.assignment.previousMemberEpoch()
                || owned == null || !Partitions.minus(owned, member.assignment.assigned()).isEmpty()))) {
            throw new GroupException(Errors.FENCED_MEMBER_EPOCH, "The consumer group member has a member epoch ("
                    + received + ") other than the one known by the group coordinator (" + epoch
                    + "). The member must abandon all its partitions and rejoin.");
        }
    }

    /** A static member rejoining under a new member id takes over its old self's assignment (no rebalance). */
    ConsumerGroupMember replaceStatic(ConsumerGroup group, ConsumerGroupMember old, String newMemberId,
                                              List<CoordinatorRecord> records) {
        removeRecords(group.groupId, old.memberId, records);
        shard.timer.cancel(sessionKey(group.groupId, old.memberId));
        shard.timer.cancel(revocationKey(group.groupId, old.memberId));
        ConsumerGroupMember replacement = new ConsumerGroupMember(newMemberId);
        replacement.subscription = old.subscription;
        ConsumerGroupRecord.MemberAssignment a = old.assignment;
        replacement.assignment = a.withMemberEpoch(0, 0);
        records.add(new ConsumerGroupRecord.MemberMetadata(group.groupId, newMemberId, old.subscription));
        records.add(new ConsumerGroupRecord.TargetAssignmentMember(group.groupId, newMemberId, group.targetOf(old.memberId)));
        records.add(new ConsumerGroupRecord.CurrentAssignment(group.groupId, newMemberId, replacement.assignment));
        return replacement;
    }

    private static ConsumerGroupRecord.MemberSubscription updatedSubscription(ConsumerGroupRecord.MemberSubscription old,
                                                                              Requester requester,
                                                                              ConsumerGroupHeartbeatRequest r) {
        List<String> topics = r.subscribedTopicNames() != null ? new ArrayList<>(new TreeSet<>(r.subscribedTopicNames()))
                : old == null ? List.of() : old.subscribedTopicNames();
        String regex = r.subscribedTopicRegex() != null ? (r.subscribedTopicRegex().isEmpty() ? null : r.subscribedTopicRegex())
                : old == null ? null : old.subscribedTopicRegex();
        int rebalanceTimeout = r.rebalanceTimeoutMs() != -1 ? r.rebalanceTimeoutMs() : old == null ? -1 : old.rebalanceTimeoutMs();
        String assignor = r.serverAssignor() != null ? r.serverAssignor() : old == null ? null : old.serverAssignor();
        String rack = r.rackId() != null ? r.rackId() : old == null ? null : old.rackId();
        return new ConsumerGroupRecord.MemberSubscription(r.instanceId(), rack, requester.clientId(),
                requester.clientHost(), topics, regex, rebalanceTimeout, assignor);
    }

    private static Map<String, ConsumerGroupRecord.MemberSubscription> subscriptions(ConsumerGroup group) {
        Map<String, ConsumerGroupRecord.MemberSubscription> out = new TreeMap<>();
        group.members.forEach((id, m) -> {
            if (m.subscription != null) {
                out.put(id, m.subscription);
            }
        });
        return out;
    }

    /** Computes the target assignment at {@code epoch} and adds the records of what changed; returns the targets. */
    private Map<String, Map<UUID, Set<Integer>>> assignTargets(ConsumerGroup group,
                                                               Map<String, ConsumerGroupRecord.MemberSubscription> subscriptions,
                                                               Map<String, List<String>> regexTopics,
                                                               Map<String, TopicMetadata> topics, int epoch,
                                                               List<CoordinatorRecord> records) {
        Map<String, Set<UUID>> byId = new TreeMap<>();
        Map<UUID, Integer> counts = new TreeMap<>();
        topics.values().forEach(t -> counts.put(t.topicId(), t.partitionCount()));
        subscriptions.forEach((id, s) -> {
            Set<UUID> ids = new TreeSet<>();
            ConsumerGroupTopics.subscribedNames(regexTopics, s).forEach(name -> {
                TopicMetadata t = topics.get(name);
                if (t != null) {
                    ids.add(t.topicId());
                }
            });
            byId.put(id, ids);
        });
        Map<String, String> instanceIds = new HashMap<>();
        subscriptions.forEach((id, s) -> {
            if (s.instanceId() != null) {
                instanceIds.put(id, s.instanceId());
            }
        });
        Map<String, Map<UUID, Set<Integer>>> targets = assignor(subscriptions).assign(byId, instanceIds, counts,
                group.targetAssignment);
        Map<String, Map<UUID, Set<Integer>>> result = new HashMap<>();
        targets.forEach((memberId, partitions) -> {
            Map<UUID, Set<Integer>> copy = Partitions.copy(partitions);
            result.put(memberId, copy);
            if (!copy.equals(group.targetAssignment.get(memberId))) {
                records.add(new ConsumerGroupRecord.TargetAssignmentMember(group.groupId, memberId, copy));
            }
        });
        records.add(new ConsumerGroupRecord.TargetAssignmentEpoch(group.groupId, epoch));
        return result;
    }

    /** The assignor the members ask for (the most requested; ties by name), else the first configured. */
    private ConsumerGroupAssignor assignor(Map<String, ConsumerGroupRecord.MemberSubscription> subscriptions) {
        Map<String, Integer> votes = new TreeMap<>();
        subscriptions.values().forEach(s -> {
            if (s.serverAssignor() != null) {
                votes.merge(s.serverAssignor(), 1, Integer::sum);
            }
        });
        String chosen = shard.consumerConfig.assignors().get(0);
        int best = 0;
        for (Map.Entry<String, Integer> v : votes.entrySet()) {
            if (v.getValue() > best) {
                best = v.getValue();
                chosen = v.getKey();
            }
        }
        return ConsumerGroupAssignor.named(chosen);
    }

    String assignorName(ConsumerGroup group) {
        return assignor(subscriptions(group)).name();
    }

    // ---- leaving and fencing

    private Result<ConsumerGroupHeartbeatResponse> leave(ConsumerGroupHeartbeatRequest request) {
        ConsumerGroup group = shard.consumerGroups.get(request.groupId());
        ConsumerGroupMember member = group == null ? null : request.instanceId() != null
                ? group.staticMember(request.instanceId()) : group.members.get(request.memberId());
        if (member == null) {
            throw new GroupException(Errors.UNKNOWN_MEMBER_ID);
        }
        if (request.instanceId() != null && !member.memberId.equals(request.memberId())) {
            throw new GroupException(Errors.FENCED_INSTANCE_ID);
        }
        ConsumerGroupHeartbeatResponse response = new ConsumerGroupHeartbeatResponse().setMemberId(member.memberId)
                .setMemberEpoch(request.memberEpoch());
        if (request.memberEpoch() == STATIC_LEAVE_EPOCH) {
            // a static member keeps its partitions for its session timeout, to come back without a rebalance
            ConsumerGroupRecord.MemberAssignment a = member.assignment;
            return Result.replayed(List.of(new ConsumerGroupRecord.CurrentAssignment(group.groupId, member.memberId,
                    a.withMemberEpoch(STATIC_LEAVE_EPOCH, a.previousMemberEpoch()))), response);
        }
        return fence(group, Set.of(member), response);
    }

    /**
     * Removes {@code members} with a single group epoch bump so the others get their partitions (Kafka's
     * consumerGroupFenceMembers); or, when only classic members would remain and the migration policy allows,
     * turns the group back into a classic group (online downgrade), whose records then do not replay.
     */
    <T> Result<T> fence(ConsumerGroup group, Set<ConsumerGroupMember> members, T response) {
        if (members.isEmpty()) {
            return Result.of(response);
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        if (shard.conversions.canDowngrade(group, members)) {
            shard.conversions.downgrade(group, members, records);
            return new Result<>(records, response, false, t -> {
                if (t != null) {
                    shard.reloadFromLog();
                }
            });
        }
        Map<String, ConsumerGroupRecord.MemberSubscription> rest = subscriptions(group);
        for (ConsumerGroupMember member : members) {
            removeRecords(group.groupId, member.memberId, records);
            cancelTimers(group.groupId, member.memberId);
            rest.remove(member.memberId);
        }
        Map<String, List<String>> regexTopics = shard.consumerRegexes.forget(group, rest.values(), records);
        long hash = ConsumerGroupTopics.hash(ConsumerGroupTopics.subscribedTopics(shard.topics, regexTopics, rest.values()));
        records.add(new ConsumerGroupRecord.GroupEpoch(group.groupId,
                new ConsumerGroupRecord.GroupEpochValue(group.groupEpoch + 1, hash)));
        return Result.replayed(records, response);
    }

    /** Stops every deadline of a member: session, revocation, and a classic member's join and sync. */
    void cancelTimers(String groupId, String memberId) {
        shard.timer.cancel(sessionKey(groupId, memberId));
        shard.timer.cancel(revocationKey(groupId, memberId));
        shard.timer.cancel(classicJoinKey(groupId, memberId));
        shard.timer.cancel(classicSyncKey(groupId, memberId));
    }

    private static void removeRecords(String groupId, String memberId, List<CoordinatorRecord> records) {
        records.add(new ConsumerGroupRecord.CurrentAssignment(groupId, memberId, null));
        records.add(new ConsumerGroupRecord.TargetAssignmentMember(groupId, memberId, null));
        records.add(new ConsumerGroupRecord.MemberMetadata(groupId, memberId, null));
    }

    Result<Void> fenceIfStill(String groupId, String memberId) {
        ConsumerGroup group = shard.consumerGroups.get(groupId);
        ConsumerGroupMember member = group == null ? null : group.members.get(memberId);
        if (member == null) {
            return Result.empty();
        }
        return fence(group, Set.of(member), null);
    }

    // ---- deadlines

    static String sessionKey(String groupId, String memberId) {
        return "consumer-session-" + groupId + "-" + memberId;
    }

    static String revocationKey(String groupId, String memberId) {
        return "consumer-revocation-" + groupId + "-" + memberId;
    }

    static String classicJoinKey(String groupId, String memberId) {
        return "consumer-join-" + groupId + "-" + memberId;
    }

    static String classicSyncKey(String groupId, String memberId) {
        return "consumer-sync-" + groupId + "-" + memberId;
    }

    void scheduleSession(String groupId, String memberId) {
        scheduleSession(groupId, memberId, shard.consumerConfig.sessionTimeoutMs());
    }

    /** Classic members use the session timeout of their JoinGroup. */
    void scheduleSession(String groupId, String memberId, int timeoutMs) {
        shard.timer.schedule(sessionKey(groupId, memberId), timeoutMs,
                () -> shard.runScheduled(() -> fenceIfStill(groupId, memberId)));
    }

    /** A member must revoke within its rebalance timeout, or it is fenced so the partitions can move on. */
    private void scheduleRevocationDeadline(String groupId, String memberId, ConsumerGroupRecord.MemberAssignment before,
                                            ConsumerGroupRecord.MemberAssignment after, int rebalanceTimeoutMs) {
        boolean revoking = after.state() == ConsumerGroupRecord.MemberAssignment.UNREVOKED_PARTITIONS;
        if (!revoking) {
            shard.timer.cancel(revocationKey(groupId, memberId));
        } else if (!after.equals(before) && rebalanceTimeoutMs > 0) {
            shard.timer.schedule(revocationKey(groupId, memberId), rebalanceTimeoutMs,
                    () -> shard.runScheduled(() -> fenceIfStill(groupId, memberId)));
        }
    }

    /** After a load: every member gets a fresh session, as Kafka does. */
    void onLoaded() {
        shard.consumerGroups.values().forEach(g -> g.members.keySet().forEach(m -> scheduleSession(g.groupId, m)));
    }

    // ---- conversions

    private static Map<UUID, Set<Integer>> owned(ConsumerGroupHeartbeatRequest request) {
        if (request.topicPartitions() == null) {
            return null;
        }
        Map<UUID, Set<Integer>> out = new HashMap<>();
        for (ConsumerGroupHeartbeatRequest.TopicPartitions tp : request.topicPartitions()) {
            out.computeIfAbsent(tp.topicId(), k -> new TreeSet<>()).addAll(tp.partitions());
        }
        return Partitions.copy(out);
    }

    private static ConsumerGroupHeartbeatResponse.Assignment assignment(Map<UUID, Set<Integer>> partitions) {
        ConsumerGroupHeartbeatResponse.Assignment a = new ConsumerGroupHeartbeatResponse.Assignment();
        partitions.forEach((topic, ps) -> a.topicPartitions().add(new ConsumerGroupHeartbeatResponse.TopicPartitions()
                .setTopicId(topic).setPartitions(new ArrayList<>(ps))));
        return a;
    }
}
