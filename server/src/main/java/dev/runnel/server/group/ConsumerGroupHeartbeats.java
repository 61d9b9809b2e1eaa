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
        ConsumerGroupRecord.MemberSubscription old = member.subscription;
        ConsumerGroupRecord.MemberSubscription updated = updatedSubscription(old, requester, request);

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
        Map<UUID, Set<Integer>> owned = owned(request);
        ConsumerGroupRecord.MemberAssignment current = member.assignment;
        ConsumerGroupRecord.MemberAssignment next = MemberReconciler.next(group, member.memberId, current, targetEpoch,
                target, owned);
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
                throw new GroupException(Errors.GROUP_ID_NOT_FOUND, cannotUpgrade(classic));
            }
            // an empty classic (or offsets-only) group becomes a consumer group; its offsets stay
            shard.rebalancer.cancelTimers(classic);
            records.add(new CoordinatorRecord.GroupMetadata(request.groupId(), null));
        }
        return new ConsumerGroup(request.groupId());
    }

    /**
     * Kafka converts a classic group with members that uses the consumer protocol into a consumer group (online
     * upgrade). Classic members cannot live in consumer groups here, so this coordinator answers as Kafka does
     * when {@code group.consumer.migration.policy} forbids the upgrade (the first check of validateOnlineUpgrade).
     */
    private static String cannotUpgrade(ClassicGroup classic) {
        return "Cannot upgrade classic group " + classic.groupId()
                + " to consumer group because online upgrade is disabled.";
    }

    private ConsumerGroupMember memberForHeartbeat(ConsumerGroup group, ConsumerGroupHeartbeatRequest request,
                                                   List<CoordinatorRecord> records) {
        String instanceId = request.instanceId();
        if (request.memberEpoch() == 0) {
            ConsumerGroupMember existingStatic = group.staticMember(instanceId);
            if (existingStatic != null && !existingStatic.memberId.equals(request.memberId())) {
                if (existingStatic.memberEpoch() != STATIC_LEAVE_EPOCH) {
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
    private ConsumerGroupMember replaceStatic(ConsumerGroup group, ConsumerGroupMember old, String newMemberId,
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
        List<CoordinatorRecord> records = new ArrayList<>();
        if (request.memberEpoch() == STATIC_LEAVE_EPOCH) {
            // a static member keeps its partitions for its session timeout, to come back without a rebalance
            ConsumerGroupRecord.MemberAssignment a = member.assignment;
            records.add(new ConsumerGroupRecord.CurrentAssignment(group.groupId, member.memberId,
                    a.withMemberEpoch(STATIC_LEAVE_EPOCH, a.previousMemberEpoch())));
        } else {
            fence(group, member, records);
        }
        return Result.replayed(records, response);
    }

    /** The records that remove {@code member} and bump the group epoch so the others get its partitions. */
    void fence(ConsumerGroup group, ConsumerGroupMember member, List<CoordinatorRecord> records) {
        fence(group, Set.of(member), records);
    }

    /** The records that remove {@code members} with a single group epoch bump (Kafka's consumerGroupFenceMembers). */
    void fence(ConsumerGroup group, Set<ConsumerGroupMember> members, List<CoordinatorRecord> records) {
        Map<String, ConsumerGroupRecord.MemberSubscription> rest = subscriptions(group);
        for (ConsumerGroupMember member : members) {
            removeRecords(group.groupId, member.memberId, records);
            shard.timer.cancel(sessionKey(group.groupId, member.memberId));
            shard.timer.cancel(revocationKey(group.groupId, member.memberId));
            rest.remove(member.memberId);
        }
        Map<String, List<String>> regexTopics = shard.consumerRegexes.forget(group, rest.values(), records);
        long hash = ConsumerGroupTopics.hash(ConsumerGroupTopics.subscribedTopics(shard.topics, regexTopics, rest.values()));
        records.add(new ConsumerGroupRecord.GroupEpoch(group.groupId,
                new ConsumerGroupRecord.GroupEpochValue(group.groupEpoch + 1, hash)));
    }

    private static void removeRecords(String groupId, String memberId, List<CoordinatorRecord> records) {
        records.add(new ConsumerGroupRecord.CurrentAssignment(groupId, memberId, null));
        records.add(new ConsumerGroupRecord.TargetAssignmentMember(groupId, memberId, null));
        records.add(new ConsumerGroupRecord.MemberMetadata(groupId, memberId, null));
    }

    private Result<Void> fenceIfStill(String groupId, String memberId) {
        ConsumerGroup group = shard.consumerGroups.get(groupId);
        ConsumerGroupMember member = group == null ? null : group.members.get(memberId);
        if (member == null) {
            return Result.empty();
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        fence(group, member, records);
        return Result.replayed(records, null);
    }

    // ---- deadlines

    static String sessionKey(String groupId, String memberId) {
        return "consumer-session-" + groupId + "-" + memberId;
    }

    static String revocationKey(String groupId, String memberId) {
        return "consumer-revocation-" + groupId + "-" + memberId;
    }

    void scheduleSession(String groupId, String memberId) {
        shard.timer.schedule(sessionKey(groupId, memberId), shard.consumerConfig.sessionTimeoutMs(),
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
