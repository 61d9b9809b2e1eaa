package dev.runnel.server.group;

import dev.runnel.wire.message.ConsumerGroupHeartbeatRequest;
import dev.runnel.wire.message.ConsumerGroupHeartbeatResponse;
import dev.runnel.wire.message.OffsetCommitRequest;
import dev.runnel.wire.message.OffsetCommitResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static dev.runnel.server.group.GroupHarness.done;

/**
 * A KIP-848 consumer as the Java client behaves towards the coordinator: it reports what it owns, adopts each
 * assignment it receives and revokes at once. Test helper.
 */
final class ConsumerClient {
    GroupHarness h;
    final String group;
    final String id;
    int epoch;
    Map<UUID, Set<Integer>> owned = new HashMap<>();
    ConsumerGroupHeartbeatResponse last;

    ConsumerClient(GroupHarness h, String group, String id) {
        this.h = h;
        this.group = group;
        this.id = id;
    }

    ConsumerGroupHeartbeatResponse join(List<String> topics, String regex) {
        return send(new ConsumerGroupHeartbeatRequest().setGroupId(group).setMemberId(id).setMemberEpoch(0)
                .setRebalanceTimeoutMs(300_000).setSubscribedTopicNames(topics).setSubscribedTopicRegex(regex)
                .setTopicPartitions(new ArrayList<>()));
    }

    ConsumerGroupHeartbeatResponse heartbeat() {
        List<ConsumerGroupHeartbeatRequest.TopicPartitions> tps = new ArrayList<>();
        owned.forEach((t, ps) -> tps.add(new ConsumerGroupHeartbeatRequest.TopicPartitions().setTopicId(t)
                .setPartitions(new ArrayList<>(ps))));
        return send(new ConsumerGroupHeartbeatRequest().setGroupId(group).setMemberId(id).setMemberEpoch(epoch)
                .setTopicPartitions(tps));
    }

    ConsumerGroupHeartbeatResponse leave() {
        return send(new ConsumerGroupHeartbeatRequest().setGroupId(group).setMemberId(id).setMemberEpoch(-1));
    }

    ConsumerGroupHeartbeatResponse send(ConsumerGroupHeartbeatRequest request) {
        last = done(h.<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>call(h.consumerHeartbeat, 1, request));
        if (last.errorCode() == 0) {
            epoch = last.memberEpoch();
            if (last.assignment() != null) {
                owned = new HashMap<>();
                for (ConsumerGroupHeartbeatResponse.TopicPartitions tp : last.assignment().topicPartitions()) {
                    owned.put(tp.topicId(), new TreeSet<>(tp.partitions()));
                }
            }
        }
        return last;
    }

    Set<Integer> partitions(UUID topic) {
        return owned.getOrDefault(topic, Set.of());
    }

    /** Heartbeats every client until none changes its epoch or partitions. */
    static void converge(ConsumerClient... clients) {
        for (int round = 0; round < 10; round++) {
            for (ConsumerClient c : clients) {
                if (c.heartbeat().errorCode() != 0) {
                    throw new AssertionError("heartbeat failed: " + c.last);
                }
            }
        }
    }

    /** Commits {@code offset} for one partition at {@code epoch}; returns the partition's error code. */
    short commit(int version, int epochToSend, String topic, int partition, long offset) {
        OffsetCommitResponse r = done(h.call(h.commit, version, new OffsetCommitRequest().setGroupId(group)
                .setMemberId(id).setGenerationIdOrMemberEpoch(epochToSend)
                .setTopics(List.of(new OffsetCommitRequest.OffsetCommitRequestTopic().setName(topic)
                        .setPartitions(List.of(new OffsetCommitRequest.OffsetCommitRequestPartition()
                                .setPartitionIndex(partition).setCommittedOffset(offset)))))));
        return r.topics().get(0).partitions().get(0).errorCode();
    }
}
