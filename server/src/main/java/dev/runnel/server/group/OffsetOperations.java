package dev.runnel.server.group;

import dev.runnel.wire.message.OffsetCommitRequest;
import dev.runnel.wire.message.OffsetCommitResponse;
import dev.runnel.wire.message.OffsetDeleteRequest;
import dev.runnel.wire.message.OffsetDeleteResponse;
import dev.runnel.wire.message.OffsetFetchRequest;
import dev.runnel.wire.message.OffsetFetchResponse;
import dev.runnel.wire.message.TxnOffsetCommitRequest;
import dev.runnel.wire.message.TxnOffsetCommitResponse;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Committing, fetching, deleting and expiring offsets on one coordinator partition, with Kafka's rules for
 * classic and "simple" (membership-less) groups. Changes are offset commit records that replay into the
 * {@link OffsetStore}. Runs on the partition lane.
 */
final class OffsetOperations {
    private final CoordinatorShard shard;

    OffsetOperations(CoordinatorShard shard) {
        this.shard = shard;
    }

    /** Commits offsets; the handler has already dropped unknown topics and resolved names and ids. */
    Result<OffsetCommitResponse> commit(short version, OffsetCommitRequest request) {
        ClassicGroup group = shard.group(request.groupId());
        int generation = request.generationIdOrMemberEpoch();
        ConsumerGroup consumerGroup = shard.consumerGroups.get(request.groupId());
        PartitionCheck partitionCheck = null;
        if (consumerGroup != null) {
            partitionCheck = validateConsumerGroupCommit(consumerGroup, version, request);
        } else if (group == null) {
            if (generation >= 0) {
                // v9+ tells a member its group is gone; older clients only understand ILLEGAL_GENERATION
                throw new GroupException(version >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION);
            }
        } else {
            validateCommit(group, request.memberId(), request.groupInstanceId(), generation);
            if (group.isInState(ClassicGroupState.STABLE) || group.isInState(ClassicGroupState.PREPARING_REBALANCE)) {
                // a commit proves the member is alive
                shard.rebalancer.scheduleHeartbeat(group, group.member(request.memberId()));
            }
        }
        long now = shard.clock.getAsLong();
        long expireAt = request.retentionTimeMs() == -1 ? -1 : now + request.retentionTimeMs();
        List<CoordinatorRecord> records = new ArrayList<>();
        OffsetCommitResponse response = new OffsetCommitResponse();
        for (OffsetCommitRequest.OffsetCommitRequestTopic topic : request.topics()) {
            List<OffsetCommitResponse.OffsetCommitResponsePartition> partitions = new ArrayList<>();
            for (OffsetCommitRequest.OffsetCommitRequestPartition p : topic.partitions()) {
                String metadata = p.committedMetadata();
                Errors error = Errors.NONE;
                if (metadata != null && metadata.length() > shard.config.offsetMetadataMaxBytes()) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                } else {
                    if (partitionCheck != null) {
                        partitionCheck.check(topic.name(), topic.topicId(), p.partitionIndex());
                    }
                    records.add(new CoordinatorRecord.OffsetCommit(request.groupId(), topic.name(), p.partitionIndex(),
                            new OffsetAndMetadata(p.committedOffset(), p.committedLeaderEpoch(), metadata, now, expireAt,
                                    topic.topicId())));
                }
                partitions.add(new OffsetCommitResponse.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(new OffsetCommitResponse.OffsetCommitResponseTopic().setName(topic.name())
                    .setTopicId(topic.topicId()).setPartitions(partitions));
        }
        return Result.replayed(records, response);
    }

    /**
     * TxnOffsetCommit (KIP-98, KIP-447): the same checks as a commit (v3+ names the member and its generation),
     * but the records are held pending until the transaction's marker; the caller writes them transactionally.
     */
    Result<TxnOffsetCommitResponse> commitTransactional(TxnOffsetCommitRequest request) {
        String memberId = request.memberId() == null ? "" : request.memberId();
        int generation = request.generationId();
        ConsumerGroup consumerGroup = shard.consumerGroups.get(request.groupId());
        ClassicGroup group = shard.group(request.groupId());
        if (consumerGroup != null) {
            if (generation >= 0 || !memberId.isEmpty()) {
                ConsumerGroupMember member = consumerGroup.members.get(memberId);
                if (member == null) {
                    throw new GroupException(Errors.UNKNOWN_MEMBER_ID);
                }
                if (generation != member.memberEpoch()) {
                    throw new GroupException(Errors.ILLEGAL_GENERATION);
                }
            }
        } else if (group == null) {
            if (generation >= 0 || !memberId.isEmpty()) {
                throw new GroupException(Errors.ILLEGAL_GENERATION);
            }
        } else {
            try {
                validateCommit(group, memberId, request.groupInstanceId(), generation);
            } catch (GroupException e) {
                if (e.error() != Errors.REBALANCE_IN_PROGRESS) {
                    throw e; // a transactional commit does not wait for the member to see its assignment (Kafka)
                }
            }
        }
        long now = shard.clock.getAsLong();
        List<CoordinatorRecord> records = new ArrayList<>();
        TxnOffsetCommitResponse response = new TxnOffsetCommitResponse();
        for (TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic topic : request.topics()) {
            List<TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition> partitions = new ArrayList<>();
            for (TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition p : topic.partitions()) {
                String metadata = p.committedMetadata();
                Errors error = Errors.NONE;
                if (metadata != null && metadata.length() > shard.config.offsetMetadataMaxBytes()) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                } else {
                    records.add(new CoordinatorRecord.OffsetCommit(request.groupId(), topic.name(), p.partitionIndex(),
                            new OffsetAndMetadata(p.committedOffset(), p.committedLeaderEpoch(), metadata, now, -1, null)));
                }
                partitions.add(new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic().setName(topic.name())
                    .setPartitions(partitions));
        }
        return new Result<>(records, response, false, null);
    }

    /**
     * With require_stable (KIP-447), partitions with an offset still pending in a transaction answer
     * UNSTABLE_OFFSET_COMMIT, so the consumer retries instead of starting from an offset about to change.
     */
    OffsetFetchResponse.OffsetFetchResponseGroup markUnstable(OffsetFetchResponse.OffsetFetchResponseGroup group) {
        for (OffsetFetchResponse.OffsetFetchResponseTopics topic : group.topics()) {
            for (OffsetFetchResponse.OffsetFetchResponsePartitions p : topic.partitions()) {
                if (shard.pendingTxnOffsets.isPending(group.groupId(), topic.name(), p.partitionIndex())) {
                    p.setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code()).setCommittedOffset(-1);
                }
            }
        }
        return group;
    }

    /**
     * Kafka 4.3's checks for a commit to a KIP-848 group ({@code ConsumerGroup.validateOffsetCommit}): a commit
     * with a negative epoch is accepted while the group has no members (admin, manual assignment); otherwise the
     * member must exist (UNKNOWN_MEMBER_ID) and use OffsetCommit v9+ (UNSUPPORTED_VERSION). Its current epoch is
     * accepted; a newer one is STALE_MEMBER_EPOCH; an older one is checked per partition (the returned validator)
     * against the epoch at which the member got the partition, so that a commit sent before the member learnt
     * its new epoch still goes through.
     *
     * @return null when every partition may be committed, else the per-partition check
     */
    static PartitionCheck validateConsumerGroupCommit(ConsumerGroup group, short version, OffsetCommitRequest request) {
        String memberId = request.memberId();
        int epoch = request.generationIdOrMemberEpoch();
        if (epoch < 0 && group.members.isEmpty()) {
            return null;
        }
        ConsumerGroupMember member = memberId == null ? null : group.members.get(memberId);
        if (member == null) {
            throw new GroupException(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not a member of group "
                    + group.groupId + ".");
        }
        // a classic member (KIP-848 migration) commits with its generation, which is its member epoch
        boolean classic = member.useClassicProtocol();
        Errors staleEpoch = classic ? Errors.ILLEGAL_GENERATION : Errors.STALE_MEMBER_EPOCH;
        if (version < 9 && !classic) {
            throw new GroupException(Errors.UNSUPPORTED_VERSION,
                    "OffsetCommit version 9 or above must be used by members using the consumer group protocol");
        }
        if (epoch == member.memberEpoch()) {
            return null;
        }
        if (epoch > member.memberEpoch()) {
            throw new GroupException(staleEpoch, "Received " + (classic ? "generation id " : "member epoch ") + epoch
                    + " is newer than current member epoch " + member.memberEpoch() + ".");
        }
        ConsumerGroupRecord.MemberAssignment assignment = member.assignment;
        return (topic, topicId, partition) -> {
            Integer assignedAt = assignment.assignmentEpoch(topicId, partition);
            if (assignedAt == null) {
                throw new GroupException(staleEpoch, "Partition " + topic + "-" + partition
                        + " is not assigned or pending revocation for member.");
            }
            if (epoch < assignedAt) {
                throw new GroupException(staleEpoch, "Received " + (classic ? "generation id " : "member epoch ") + epoch
                        + " is older than assignment epoch " + assignedAt + " for partition " + topic + "-" + partition + ".");
            }
        };
    }

    /** Checks one partition of a commit; throws the error that fails the whole request. */
    @FunctionalInterface
    interface PartitionCheck {
        void check(String topic, UUID topicId, int partition);
    }

    /** Kafka's checks for a classic group's commit; for classic groups the member epoch is the generation. */
    private static void validateCommit(ClassicGroup group, String memberId, String instanceId, int generation) {
        if (group.isInState(ClassicGroupState.DEAD)) {
            throw new GroupException(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        if (generation < 0 && group.isInState(ClassicGroupState.EMPTY)) {
            return; // an admin client or a consumer without group management
        }
        if (generation >= 0 || !memberId.isEmpty() || instanceId != null) {
            group.validateMember(memberId, instanceId);
            if (generation != group.generationId()) {
                throw new GroupException(Errors.ILLEGAL_GENERATION);
            }
        } else if (!group.isInState(ClassicGroupState.EMPTY)) {
            throw new GroupException(Errors.UNKNOWN_MEMBER_ID);
        }
        if (group.isInState(ClassicGroupState.COMPLETING_REBALANCE)) {
            // valid member, but it has not seen its assignment yet
            throw new GroupException(Errors.REBALANCE_IN_PROGRESS);
        }
    }

    /**
     * OffsetFetch v9+ from a member of a KIP-848 group carries its id and epoch: the member must exist
     * (UNKNOWN_MEMBER_ID) at that epoch (STALE_MEMBER_EPOCH). Requests without an epoch are not checked.
     */
    void validateFetch(String groupId, String memberId, int memberEpoch) {
        ConsumerGroup group = shard.consumerGroups.get(groupId);
        if (group == null || memberEpoch < 0) {
            return;
        }
        ConsumerGroupMember member = memberId == null ? null : group.members.get(memberId);
        if (member == null) {
            throw new GroupException(Errors.UNKNOWN_MEMBER_ID);
        }
        if (member.memberEpoch() != memberEpoch) {
            throw new GroupException(Errors.STALE_MEMBER_EPOCH);
        }
    }

    /** Offsets of the listed partitions; -1 for partitions without one (or committed under another topic id). */
    OffsetFetchResponse.OffsetFetchResponseGroup fetch(OffsetFetchRequest.OffsetFetchRequestGroup request) {
        ClassicGroup group = shard.group(request.groupId());
        boolean known = group != null && !group.isInState(ClassicGroupState.DEAD)
                || shard.consumerGroups.containsKey(request.groupId());
        List<OffsetFetchResponse.OffsetFetchResponseTopics> topics = new ArrayList<>();
        for (OffsetFetchRequest.OffsetFetchRequestTopics topic : request.topics()) {
            List<OffsetFetchResponse.OffsetFetchResponsePartitions> partitions = new ArrayList<>();
            for (int partition : topic.partitionIndexes()) {
                OffsetAndMetadata o = known ? shard.offsets.get(request.groupId(), topic.name(), partition) : null;
                if (o != null && mismatchedTopicId(o.topicId(), topic.topicId())) {
                    o = null;
                }
                partitions.add(partitionResponse(partition, o));
            }
            topics.add(new OffsetFetchResponse.OffsetFetchResponseTopics().setName(topic.name())
                    .setTopicId(topic.topicId()).setPartitions(partitions));
        }
        return new OffsetFetchResponse.OffsetFetchResponseGroup().setGroupId(request.groupId()).setTopics(topics);
    }

    /** Every offset of the group (the request listed no topics). */
    OffsetFetchResponse.OffsetFetchResponseGroup fetchAll(String groupId) {
        ClassicGroup group = shard.group(groupId);
        List<OffsetFetchResponse.OffsetFetchResponseTopics> topics = new ArrayList<>();
        if (group != null && !group.isInState(ClassicGroupState.DEAD) || shard.consumerGroups.containsKey(groupId)) {
            for (Map.Entry<String, Map<Integer, OffsetAndMetadata>> t : shard.offsets.ofGroup(groupId).entrySet()) {
                List<OffsetFetchResponse.OffsetFetchResponsePartitions> partitions = new ArrayList<>();
                t.getValue().forEach((partition, o) -> partitions.add(partitionResponse(partition, o)));
                topics.add(new OffsetFetchResponse.OffsetFetchResponseTopics().setName(t.getKey())
                        .setTopicId(OffsetAndMetadata.NO_TOPIC_ID).setPartitions(partitions));
            }
        }
        return new OffsetFetchResponse.OffsetFetchResponseGroup().setGroupId(groupId).setTopics(topics);
    }

    private static boolean mismatchedTopicId(UUID stored, UUID requested) {
        return requested != null && !stored.equals(OffsetAndMetadata.NO_TOPIC_ID)
                && !requested.equals(OffsetAndMetadata.NO_TOPIC_ID) && !stored.equals(requested);
    }

    private static OffsetFetchResponse.OffsetFetchResponsePartitions partitionResponse(int partition, OffsetAndMetadata o) {
        return new OffsetFetchResponse.OffsetFetchResponsePartitions().setPartitionIndex(partition)
                .setCommittedOffset(o == null ? -1L : o.offset())
                .setCommittedLeaderEpoch(o == null ? -1 : o.leaderEpoch())
                .setMetadata(o == null ? "" : o.metadata());
    }

    /**
     * OffsetDelete: a classic group must be empty unless it uses the consumer protocol; a consumer group may have
     * members. Offsets of a topic the group subscribes to are kept (GROUP_SUBSCRIBED_TO_TOPIC).
     */
    Result<OffsetDeleteResponse> delete(OffsetDeleteRequest request) {
        ConsumerGroup consumerGroup = shard.consumerGroups.get(request.groupId());
        java.util.function.Predicate<String> subscribed;
        if (consumerGroup != null) {
            subscribed = consumerGroup::isSubscribedToTopic;
        } else {
            ClassicGroup group = shard.group(request.groupId());
            if (group == null || group.isInState(ClassicGroupState.DEAD)) {
                throw new GroupException(Errors.GROUP_ID_NOT_FOUND);
            }
            if (!group.isInState(ClassicGroupState.EMPTY) && !group.usesConsumerProtocol()) {
                throw new GroupException(Errors.NON_EMPTY_GROUP);
            }
            subscribed = group::isSubscribedToTopic;
        }
        List<CoordinatorRecord> records = new ArrayList<>();
        OffsetDeleteResponse response = new OffsetDeleteResponse();
        for (OffsetDeleteRequest.OffsetDeleteRequestTopic topic : request.topics()) {
            boolean inUse = subscribed.test(topic.name());
            List<OffsetDeleteResponse.OffsetDeleteResponsePartition> partitions = new ArrayList<>();
            for (OffsetDeleteRequest.OffsetDeleteRequestPartition p : topic.partitions()) {
                Errors error = inUse ? Errors.GROUP_SUBSCRIBED_TO_TOPIC : Errors.NONE;
                if (!inUse && shard.offsets.get(request.groupId(), topic.name(), p.partitionIndex()) != null) {
                    records.add(new CoordinatorRecord.OffsetCommit(request.groupId(), topic.name(), p.partitionIndex(), null));
                }
                partitions.add(new OffsetDeleteResponse.OffsetDeleteResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(new OffsetDeleteResponse.OffsetDeleteResponseTopic().setName(topic.name())
                    .setPartitions(partitions));
        }
        return Result.replayed(records, response);
    }

    /** Tombstones for every offset of a group (DeleteGroups). */
    void deleteAll(String groupId, List<CoordinatorRecord> records) {
        shard.offsets.ofGroup(groupId).forEach((topic, partitions) -> partitions.keySet().forEach(partition ->
                records.add(new CoordinatorRecord.OffsetCommit(groupId, topic, partition, null))));
    }

    /**
     * Expires offsets past {@code offsets.retention.minutes}, as Kafka does ({@code cleanupGroupMetadata}): for an
     * Empty classic group counted from when it became Empty, for a simple group or a Stable classic consumer group
     * (unsubscribed topics only) from the commit, and for a KIP-848 consumer group, in any state, for the topics no
     * member subscribes to (by name or regex), from the commit. Offsets committed with an explicit retention expire
     * at their own deadline. An empty group left without offsets is deleted (tombstones for its records). Returns
     * the number of offsets expired.
     */
    Result<Integer> expire() {
        long now = shard.clock.getAsLong();
        List<CoordinatorRecord> records = new ArrayList<>();
        int expired = expireConsumerGroups(now, records);
        for (ClassicGroup group : new ArrayList<>(shard.groups.values())) {
            Map<String, Map<Integer, OffsetAndMetadata>> offsets = shard.offsets.ofGroup(group.groupId());
            boolean simple = group.protocolType() == null;
            boolean empty = group.isInState(ClassicGroupState.EMPTY);
            boolean stableConsumer = group.usesConsumerProtocol() && group.isInState(ClassicGroupState.STABLE);
            if (!simple && !empty && !stableConsumer) {
                continue;
            }
            boolean allExpired = true;
            for (Map.Entry<String, Map<Integer, OffsetAndMetadata>> t : offsets.entrySet()) {
                for (Map.Entry<Integer, OffsetAndMetadata> p : t.getValue().entrySet()) {
                    OffsetAndMetadata o = p.getValue();
                    long base = !simple && empty && group.currentStateTimestamp() >= 0
                            ? group.currentStateTimestamp() : o.commitTimestampMs();
                    boolean due = o.expireTimestampMs() >= 0 ? now >= o.expireTimestampMs()
                            : now - base >= shard.config.offsetsRetentionMs();
                    if (due && !group.isSubscribedToTopic(t.getKey())) {
                        records.add(new CoordinatorRecord.OffsetCommit(group.groupId(), t.getKey(), p.getKey(), null));
                        expired++;
                    } else {
                        allExpired = false;
                    }
                }
            }
            if (allExpired && empty) {
                shard.rebalancer.cancelTimers(group);
                records.add(new CoordinatorRecord.GroupMetadata(group.groupId(), null));
            }
        }
        return Result.replayed(records, expired);
    }

    /** Kafka's ConsumerGroup.offsetExpirationCondition: commit timestamp based, unsubscribed topics only. */
    private int expireConsumerGroups(long now, List<CoordinatorRecord> records) {
        int expired = 0;
        for (ConsumerGroup group : new ArrayList<>(shard.consumerGroups.values())) {
            boolean allExpired = true;
            for (Map.Entry<String, Map<Integer, OffsetAndMetadata>> t : shard.offsets.ofGroup(group.groupId).entrySet()) {
                if (group.isSubscribedToTopic(t.getKey())) {
                    allExpired = false;
                    continue;
                }
                for (Map.Entry<Integer, OffsetAndMetadata> p : t.getValue().entrySet()) {
                    if (isExpired(p.getValue(), p.getValue().commitTimestampMs(), now)) {
                        records.add(new CoordinatorRecord.OffsetCommit(group.groupId, t.getKey(), p.getKey(), null));
                        expired++;
                    } else {
                        allExpired = false;
                    }
                }
            }
            if (allExpired && group.members.isEmpty()) {
                group.tombstones(records);
            }
        }
        return expired;
    }

    private boolean isExpired(OffsetAndMetadata o, long base, long now) {
        return o.expireTimestampMs() >= 0 ? now >= o.expireTimestampMs() : now - base >= shard.config.offsetsRetentionMs();
    }
}
