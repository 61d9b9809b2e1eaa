package dev.runnel.server.group;

import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.SyncGroupResponse;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A member of a classic group: identity, timeouts, the protocols it supports (in preference order), its current
 * assignment, and the JoinGroup or SyncGroup response it is waiting for. Owned by the partition lane.
 */
final class ClassicGroupMember {
    /** A protocol a member supports, with its opaque metadata (for consumers, the subscription). */
    record Protocol(String name, byte[] metadata) {
    }

    static final byte[] EMPTY_ASSIGNMENT = new byte[0];

    private final String memberId;
    private final String groupInstanceId;
    private final String clientId;
    private final String clientHost;
    private final String protocolType;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    private List<Protocol> protocols;
    private byte[] assignment = EMPTY_ASSIGNMENT;
    private CompletableFuture<JoinGroupResponse> joinFuture;
    private CompletableFuture<SyncGroupResponse> syncFuture;
    private boolean isNew;

    ClassicGroupMember(String memberId, String groupInstanceId, String clientId, String clientHost,
                       int rebalanceTimeoutMs, int sessionTimeoutMs, String protocolType, List<Protocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = List.copyOf(protocols);
    }

    /** The same member under a new id: a static member rejoining (KIP-345). */
    ClassicGroupMember withMemberId(String newMemberId) {
        ClassicGroupMember m = new ClassicGroupMember(newMemberId, groupInstanceId, clientId, clientHost,
                rebalanceTimeoutMs, sessionTimeoutMs, protocolType, protocols);
        m.assignment = assignment;
        return m;
    }

    String memberId() {
        return memberId;
    }

    String groupInstanceId() {
        return groupInstanceId;
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    String clientId() {
        return clientId;
    }

    String clientHost() {
        return clientHost;
    }

    String protocolType() {
        return protocolType;
    }

    int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    List<Protocol> protocols() {
        return protocols;
    }

    void update(List<Protocol> newProtocols, int newRebalanceTimeoutMs, int newSessionTimeoutMs) {
        protocols = List.copyOf(newProtocols);
        rebalanceTimeoutMs = newRebalanceTimeoutMs;
        sessionTimeoutMs = newSessionTimeoutMs;
    }

    byte[] assignment() {
        return assignment;
    }

    void setAssignment(byte[] value) {
        assignment = value == null ? EMPTY_ASSIGNMENT : value;
    }

    /** The metadata of the named protocol, or null when the member does not support it. */
    byte[] metadata(String protocolName) {
        for (Protocol p : protocols) {
            if (p.name().equals(protocolName)) {
                return p.metadata();
            }
        }
        return null;
    }

    /** Whether {@code other} is the same protocol list, in the same order, with the same metadata. */
    boolean matches(List<Protocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            Protocol a = protocols.get(i);
            Protocol b = other.get(i);
            if (!a.name().equals(b.name()) || !Arrays.equals(a.metadata(), b.metadata())) {
                return false;
            }
        }
        return true;
    }

    /** The member's most preferred protocol among {@code candidates}. */
    String vote(Set<String> candidates) {
        for (Protocol p : protocols) {
            if (candidates.contains(p.name())) {
                return p.name();
            }
        }
        throw new IllegalStateException("member " + memberId + " supports none of " + candidates);
    }

    CompletableFuture<JoinGroupResponse> joinFuture() {
        return joinFuture;
    }

    void setJoinFuture(CompletableFuture<JoinGroupResponse> future) {
        joinFuture = future;
    }

    boolean isAwaitingJoin() {
        return joinFuture != null;
    }

    CompletableFuture<SyncGroupResponse> syncFuture() {
        return syncFuture;
    }

    void setSyncFuture(CompletableFuture<SyncGroupResponse> future) {
        syncFuture = future;
    }

    boolean isAwaitingSync() {
        return syncFuture != null;
    }

    boolean isNew() {
        return isNew;
    }

    void setNew(boolean value) {
        isNew = value;
    }

    /**
     * Whether an expiring session timer should spare this member: a member parked in JoinGroup or SyncGroup
     * cannot heartbeat, unless it is new (its JoinGroup may belong to a client that already went away).
     */
    boolean hasSatisfiedHeartbeat() {
        return !isNew && (isAwaitingJoin() || isAwaitingSync());
    }
}
