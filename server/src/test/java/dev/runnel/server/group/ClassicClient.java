package dev.runnel.server.group;

import dev.runnel.wire.message.HeartbeatRequest;
import dev.runnel.wire.message.HeartbeatResponse;
import dev.runnel.wire.message.JoinGroupRequest;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.LeaveGroupRequest;
import dev.runnel.wire.message.LeaveGroupResponse;
import dev.runnel.wire.message.SyncGroupRequest;
import dev.runnel.wire.message.SyncGroupResponse;
import dev.runnel.wire.protocol.Errors;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import static dev.runnel.server.group.GroupHarness.done;

/**
 * A classic-protocol consumer as the Java client behaves towards the coordinator, with its subscription and
 * assignment in the embedded consumer protocol written and read by kafka-clients' {@code ConsumerProtocol}. It
 * reports what it owns when it rejoins (cooperative) and adopts each SyncGroup assignment. Test helper.
 */
final class ClassicClient {
    final GroupHarness h;
    final String group;
    final List<String> topics;
    String memberId = "";
    int generation = -1;
    Set<TopicPartition> owned = new TreeSet<>(java.util.Comparator.comparing(TopicPartition::toString));
    short lastError;

    ClassicClient(GroupHarness h, String group, String... topics) {
        this.h = h;
        this.group = group;
        this.topics = List.of(topics);
    }

    byte[] subscription() {
        ByteBuffer b = ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(topics, null,
                new ArrayList<>(owned), generation, Optional.empty()), (short) 3);
        return Utils.toArray(b);
    }

    /** Sends JoinGroup; does not wait when the response is parked (a classic group's join phase). */
    CompletableFuture<JoinGroupResponse> joinAsync() {
        return h.call(h.join, 9, new JoinGroupRequest().setGroupId(group).setMemberId(memberId)
                .setSessionTimeoutMs(GroupHarness.SESSION_MS).setRebalanceTimeoutMs(GroupHarness.REBALANCE_MS)
                .setProtocolType("consumer").setProtocols(List.of(new JoinGroupRequest.JoinGroupRequestProtocol()
                        .setName("range").setMetadata(subscription()))));
    }

    /** Joins (twice when a member id is required); returns the response. */
    JoinGroupResponse join() {
        JoinGroupResponse r = done(joinAsync());
        if (r.errorCode() == Errors.MEMBER_ID_REQUIRED.code()) {
            memberId = r.memberId();
            r = done(joinAsync());
        }
        adopt(r);
        return r;
    }

    void adopt(JoinGroupResponse r) {
        lastError = r.errorCode();
        if (r.errorCode() == 0) {
            memberId = r.memberId();
            generation = r.generationId();
        }
    }

    /** A follower's SyncGroup; adopts the assignment it gets. */
    SyncGroupResponse sync() {
        SyncGroupResponse r = done(syncAsync(List.of()));
        adopt(r);
        return r;
    }

    CompletableFuture<SyncGroupResponse> syncAsync(List<SyncGroupRequest.SyncGroupRequestAssignment> assignments) {
        return h.call(h.sync, 5, new SyncGroupRequest().setGroupId(group).setMemberId(memberId)
                .setGenerationId(generation).setProtocolType("consumer").setProtocolName("range")
                .setAssignments(assignments));
    }

    void adopt(SyncGroupResponse r) {
        lastError = r.errorCode();
        if (r.errorCode() == 0) {
            owned.clear();
            owned.addAll(assignment(r.assignment()));
        }
    }

    static List<TopicPartition> assignment(byte[] bytes) {
        return bytes.length == 0 ? List.of() : ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(bytes)).partitions();
    }

    static byte[] assignmentBytes(TopicPartition... partitions) {
        return Utils.toArray(ConsumerProtocol.serializeAssignment(new ConsumerPartitionAssignor.Assignment(List.of(partitions))));
    }

    short heartbeat() {
        HeartbeatResponse r = done(h.call(h.heartbeat, 4, new HeartbeatRequest().setGroupId(group).setMemberId(memberId)
                .setGenerationId(generation)));
        lastError = r.errorCode();
        return r.errorCode();
    }

    LeaveGroupResponse leave() {
        return done(h.call(h.leave, 5, new LeaveGroupRequest().setGroupId(group).setMembers(List.of(
                new LeaveGroupRequest.MemberIdentity().setMemberId(memberId)))));
    }

    /** One poll: heartbeat, and on REBALANCE_IN_PROGRESS join and sync again. Fails on any other error. */
    void poll() {
        short error = heartbeat();
        if (error == Errors.REBALANCE_IN_PROGRESS.code() || error == Errors.ILLEGAL_GENERATION.code()) {
            JoinGroupResponse joined = join();
            if (joined.errorCode() != 0) {
                throw new AssertionError("rejoin failed: " + joined);
            }
            SyncGroupResponse synced = sync();
            if (synced.errorCode() != 0 && synced.errorCode() != Errors.REBALANCE_IN_PROGRESS.code()) {
                throw new AssertionError("sync failed: " + synced);
            }
        } else if (error != 0) {
            throw new AssertionError("heartbeat failed: " + Errors.forCode(error));
        }
    }
}
