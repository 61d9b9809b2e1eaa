package dev.runnel.server.group;

import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.SyncGroupResponse;
import dev.runnel.wire.protocol.Errors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * A classic-protocol group: its members, static instance ids (KIP-345), members that must rejoin with the id we
 * gave them (KIP-394), the protocol votes, its generation and state. Membership is soft state, changed in place
 * by the rebalance logic as Kafka's coordinator does; its durable projection is {@link #toStored}. Owned by the
 * partition lane.
 */
final class ClassicGroup {
    private final String groupId;
    private final LongSupplier clock;
    private ClassicGroupState state;
    private ClassicGroupState previousState;
    private long currentStateTimestamp;
    private int generationId;
    private String protocolType;
    private String protocolName;
    private String leaderId;
    private final Map<String, ClassicGroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Set<String> pendingJoinMembers = new HashSet<>();
    private final Set<String> pendingSyncMembers = new HashSet<>();
    private final ProtocolVotes protocols = new ProtocolVotes();
    private int awaitingJoin;
    private boolean newMemberAdded;
    private Set<String> subscribedTopics;

    ClassicGroup(String groupId, LongSupplier clock) {
        this.groupId = groupId;
        this.clock = clock;
        this.state = ClassicGroupState.EMPTY;
        this.currentStateTimestamp = -1L;
    }

    /** Rebuilds a group from its stored record: Stable with its members, or Empty. */
    static ClassicGroup fromStored(String groupId, StoredGroup stored, LongSupplier clock) {
        ClassicGroup g = new ClassicGroup(groupId, clock);
        g.generationId = stored.generation();
        g.protocolType = stored.protocolType().isEmpty() ? null : stored.protocolType();
        g.protocolName = stored.protocol();
        g.leaderId = stored.leader();
        g.currentStateTimestamp = stored.currentStateTimestamp();
        g.state = stored.members().isEmpty() ? ClassicGroupState.EMPTY : ClassicGroupState.STABLE;
        for (StoredGroup.Member m : stored.members()) {
            // records written before rebalance timeouts existed carry none: Kafka falls back to the session timeout
            int rebalanceTimeout = m.rebalanceTimeoutMs() == -1 ? m.sessionTimeoutMs() : m.rebalanceTimeoutMs();
            ClassicGroupMember member = new ClassicGroupMember(m.memberId(), m.groupInstanceId(), m.clientId(),
                    m.clientHost(), rebalanceTimeout, m.sessionTimeoutMs(), stored.protocolType(),
                    List.of(new ClassicGroupMember.Protocol(stored.protocol(), m.subscription())));
            member.setAssignment(m.assignment());
            g.add(member);
        }
        g.leaderId = stored.leader();
        g.subscribedTopics = g.computeSubscribedTopics();
        return g;
    }

    /**
     * A group converted from a consumer group whose members all use the classic protocol (KIP-848 downgrade, Kafka's
     * {@code ClassicGroup.fromConsumerGroup}): Stable at {@code generation}, led by the first member, with the
     * protocol the members vote for; the caller sets each member's assignment.
     */
    static ClassicGroup converted(String groupId, LongSupplier clock, int generation, List<ClassicGroupMember> members) {
        ClassicGroup g = new ClassicGroup(groupId, clock);
        members.forEach(g::add);
        g.generationId = generation;
        g.protocolType = EmbeddedConsumerProtocol.PROTOCOL_TYPE;
        g.protocolName = g.selectProtocol();
        g.subscribedTopics = g.computeSubscribedTopics();
        g.state = ClassicGroupState.STABLE;
        g.currentStateTimestamp = clock.getAsLong();
        return g;
    }

    /** The durable projection of this group, with each member's assignment from {@code assignment}. */
    StoredGroup toStored(Map<String, byte[]> assignment) {
        List<StoredGroup.Member> stored = new ArrayList<>(members.size());
        for (ClassicGroupMember m : members.values()) {
            byte[] subscription = protocolName == null ? null : m.metadata(protocolName);
            if (subscription == null) {
                throw new IllegalStateException("member " + m.memberId() + " of " + groupId + " has no metadata for " + protocolName);
            }
            stored.add(new StoredGroup.Member(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.sessionTimeoutMs(), subscription,
                    assignment.getOrDefault(m.memberId(), ClassicGroupMember.EMPTY_ASSIGNMENT)));
        }
        return new StoredGroup(protocolType == null ? "" : protocolType, generationId, protocolName, leaderId,
                currentStateTimestamp, stored);
    }

    String groupId() {
        return groupId;
    }

    ClassicGroupState state() {
        return state;
    }

    ClassicGroupState previousState() {
        return previousState;
    }

    boolean isInState(ClassicGroupState s) {
        return state == s;
    }

    long currentStateTimestamp() {
        return currentStateTimestamp;
    }

    int generationId() {
        return generationId;
    }

    String protocolType() {
        return protocolType;
    }

    String protocolName() {
        return protocolName;
    }

    String leaderOrNull() {
        return leaderId;
    }

    void setLeader(String memberId) {
        leaderId = memberId;
    }

    boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    boolean newMemberAdded() {
        return newMemberAdded;
    }

    void setNewMemberAdded(boolean value) {
        newMemberAdded = value;
    }

    void transitionTo(ClassicGroupState target) {
        if (!target.validPreviousStates().contains(state)) {
            throw new IllegalStateException("group " + groupId + " cannot move from " + state + " to " + target);
        }
        previousState = state;
        state = target;
        currentStateTimestamp = clock.getAsLong();
    }

    boolean canRebalance() {
        return ClassicGroupState.PREPARING_REBALANCE.validPreviousStates().contains(state);
    }

    // ---- members

    boolean hasMember(String memberId) {
        return members.containsKey(memberId);
    }

    ClassicGroupMember member(String memberId) {
        return members.get(memberId);
    }

    Iterable<ClassicGroupMember> allMembers() {
        return new ArrayList<>(members.values());
    }

    int numMembers() {
        return members.size();
    }

    int numAwaitingJoin() {
        return awaitingJoin;
    }

    void add(ClassicGroupMember member) {
        if (member.isStatic()) {
            if (staticMembers.containsKey(member.groupInstanceId())) {
                throw new IllegalStateException("static member " + member.groupInstanceId() + " already in " + groupId);
            }
            staticMembers.put(member.groupInstanceId(), member.memberId());
        }
        if (members.isEmpty()) {
            protocolType = member.protocolType();
        }
        if (leaderId == null) {
            leaderId = member.memberId();
        }
        members.put(member.memberId(), member);
        protocols.add(member);
        if (member.isAwaitingJoin()) {
            awaitingJoin++;
        }
        pendingJoinMembers.remove(member.memberId());
    }

    void remove(String memberId) {
        ClassicGroupMember removed = members.remove(memberId);
        if (removed != null) {
            protocols.remove(removed);
            if (removed.isAwaitingJoin()) {
                awaitingJoin--;
            }
            if (removed.isStatic()) {
                staticMembers.remove(removed.groupInstanceId());
            }
        }
        if (isLeader(memberId)) {
            Iterator<String> it = members.keySet().iterator();
            leaderId = it.hasNext() ? it.next() : null;
        }
        pendingJoinMembers.remove(memberId);
        pendingSyncMembers.remove(memberId);
    }

    /** Updates a member's protocols and timeouts and parks (or, with null, unparks) its JoinGroup. */
    void updateMember(ClassicGroupMember member, List<ClassicGroupMember.Protocol> protocols, int rebalanceTimeoutMs,
                      int sessionTimeoutMs, java.util.concurrent.CompletableFuture<JoinGroupResponse> future) {
        this.protocols.remove(member);
        member.update(protocols, rebalanceTimeoutMs, sessionTimeoutMs);
        this.protocols.add(member);
        if (future != null && !member.isAwaitingJoin()) {
            awaitingJoin++;
        } else if (future == null && member.isAwaitingJoin()) {
            awaitingJoin--;
        }
        member.setJoinFuture(future);
    }

    /** Replaces a static member's old id with a new one, fencing whoever still waits under the old id. */
    ClassicGroupMember replaceStaticMember(String groupInstanceId, String oldMemberId, String newMemberId) {
        ClassicGroupMember old = members.remove(oldMemberId);
        if (old == null) {
            throw new IllegalArgumentException("no member " + oldMemberId + " in " + groupId);
        }
        completeJoin(old, new JoinGroupResponse().setMemberId(oldMemberId).setProtocolName(null)
                .setLeader("").setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        completeSync(old, new SyncGroupResponse().setProtocolName(null).setProtocolType(null)
                .setAssignment(new byte[0]).setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        ClassicGroupMember replacement = old.withMemberId(newMemberId);
        members.put(newMemberId, replacement);
        if (isLeader(oldMemberId)) {
            leaderId = newMemberId;
        }
        staticMembers.put(groupInstanceId, newMemberId);
        return replacement;
    }

    boolean isPendingMember(String memberId) {
        return pendingJoinMembers.contains(memberId);
    }

    void addPendingMember(String memberId) {
        pendingJoinMembers.add(memberId);
    }

    int numPendingJoinMembers() {
        return pendingJoinMembers.size();
    }

    void addPendingSyncMember(String memberId) {
        pendingSyncMembers.add(memberId);
    }

    void removePendingSyncMember(String memberId) {
        pendingSyncMembers.remove(memberId);
    }

    boolean hasReceivedSyncFromAllMembers() {
        return pendingSyncMembers.isEmpty();
    }

    Set<String> pendingSyncMembers() {
        return new HashSet<>(pendingSyncMembers);
    }

    void clearPendingSyncMembers() {
        pendingSyncMembers.clear();
    }

    boolean hasStaticMember(String groupInstanceId) {
        return staticMembers.containsKey(groupInstanceId);
    }

    String staticMemberId(String groupInstanceId) {
        return staticMembers.get(groupInstanceId);
    }

    boolean hasAllMembersJoined() {
        return members.size() == awaitingJoin && pendingJoinMembers.isEmpty();
    }

    List<ClassicGroupMember> notYetRejoinedDynamicMembers() {
        List<ClassicGroupMember> out = new ArrayList<>();
        for (ClassicGroupMember m : members.values()) {
            if (!m.isAwaitingJoin() && !m.isStatic()) {
                out.add(m);
            }
        }
        return out;
    }

    /** The longest rebalance timeout of any member: how long a rebalance may take. */
    int rebalanceTimeoutMs() {
        int max = 0;
        for (ClassicGroupMember m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs());
        }
        return max;
    }

    /** Kafka's member id: the group instance id, or else the client id, then "-" and a random UUID. */
    String generateMemberId(String clientId, String groupInstanceId) {
        return (groupInstanceId != null ? groupInstanceId : clientId) + "-" + UUID.randomUUID();
    }

    /**
     * Checks that {@code memberId} is a member and, for a static member, that it is the current holder of its
     * instance id. Throws UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID.
     */
    void validateMember(String memberId, String groupInstanceId) {
        if (groupInstanceId != null) {
            String current = staticMembers.get(groupInstanceId);
            if (current == null) {
                throw new GroupException(Errors.UNKNOWN_MEMBER_ID);
            }
            if (!current.equals(memberId)) {
                throw new GroupException(Errors.FENCED_INSTANCE_ID);
            }
        }
        if (!members.containsKey(memberId)) {
            throw new GroupException(Errors.UNKNOWN_MEMBER_ID);
        }
    }

    // ---- protocols

    /** Whether a member of this type supporting these protocols may join (INCONSISTENT_GROUP_PROTOCOL otherwise). */
    boolean supportsProtocols(String memberProtocolType, List<ClassicGroupMember.Protocol> memberProtocols) {
        if (isInState(ClassicGroupState.EMPTY)) {
            return !memberProtocolType.isEmpty() && !memberProtocols.isEmpty();
        }
        return memberProtocolType.equals(protocolType) && protocols.anySupportedByAll(memberProtocols, members.size());
    }

    /** The protocol every member supports that gets most first-preference votes. */
    String selectProtocol() {
        if (members.isEmpty()) {
            throw new IllegalStateException("cannot select a protocol for empty group " + groupId);
        }
        return protocols.select(members.values());
    }

    /** Starts the next generation: CompletingRebalance with a chosen protocol, or Empty. */
    void initNextGeneration() {
        generationId++;
        if (!members.isEmpty()) {
            protocolName = selectProtocol();
            subscribedTopics = computeSubscribedTopics();
            transitionTo(ClassicGroupState.COMPLETING_REBALANCE);
        } else {
            protocolName = null;
            subscribedTopics = computeSubscribedTopics();
            transitionTo(ClassicGroupState.EMPTY);
        }
        pendingSyncMembers.clear();
    }

    /** Topics the members subscribe to, for the "consumer" protocol type; null when unknown. */
    Set<String> computeSubscribedTopics() {
        if (!"consumer".equals(protocolType)) {
            return null;
        }
        if (members.isEmpty()) {
            return Set.of();
        }
        if (protocolName == null) {
            return null;
        }
        Set<String> topics = new HashSet<>();
        for (ClassicGroupMember m : members.values()) {
            List<String> subscribed = ConsumerSubscription.topics(m.metadata(protocolName));
            if (subscribed == null) {
                return null;
            }
            topics.addAll(subscribed);
        }
        return topics;
    }

    /** Whether offsets of {@code topic} are in use: subscribed, or unknown for a consumer group. */
    boolean isSubscribedToTopic(String topic) {
        return subscribedTopics != null ? subscribedTopics.contains(topic) : "consumer".equals(protocolType);
    }

    boolean usesConsumerProtocol() {
        return "consumer".equals(protocolType);
    }

    /** Whether this is a group created only by offset commits, with no membership ever. */
    boolean isSimpleGroup() {
        return protocolType == null && members.isEmpty() && pendingJoinMembers.isEmpty();
    }

    // ---- parked responses

    boolean completeJoin(ClassicGroupMember member, JoinGroupResponse response) {
        if (member.isAwaitingJoin()) {
            var future = member.joinFuture();
            member.setJoinFuture(null);
            awaitingJoin--;
            future.complete(response);
            return true;
        }
        return false;
    }

    boolean completeSync(ClassicGroupMember member, SyncGroupResponse response) {
        if (member.isAwaitingSync()) {
            var future = member.syncFuture();
            member.setSyncFuture(null);
            future.complete(response);
            return true;
        }
        return false;
    }

    /** Fails every parked JoinGroup and SyncGroup with {@code error} (partition unloaded, group deleted). */
    void failAllParked(Errors error) {
        for (ClassicGroupMember m : allMembers()) {
            completeJoin(m, new JoinGroupResponse().setMemberId(m.memberId()).setErrorCode(error.code()));
            completeSync(m, new SyncGroupResponse().setAssignment(new byte[0]).setErrorCode(error.code()));
        }
    }

    /** The members as the leader's JoinGroup response lists them, with their metadata for the chosen protocol. */
    List<JoinGroupResponse.JoinGroupResponseMember> joinResponseMembers() {
        List<JoinGroupResponse.JoinGroupResponseMember> out = new ArrayList<>(members.size());
        for (ClassicGroupMember m : members.values()) {
            out.add(new JoinGroupResponse.JoinGroupResponseMember().setMemberId(m.memberId())
                    .setGroupInstanceId(m.groupInstanceId()).setMetadata(m.metadata(protocolName)));
        }
        return out;
    }

    Map<String, byte[]> currentAssignment() {
        Map<String, byte[]> out = new HashMap<>();
        members.forEach((id, m) -> out.put(id, m.assignment()));
        return out;
    }

    /** A JoinGroup response for {@code memberId} in the current generation. */
    JoinGroupResponse joinResponse(String memberId, List<JoinGroupResponse.JoinGroupResponseMember> memberList) {
        return new JoinGroupResponse().setMemberId(memberId).setGenerationId(generationId)
                .setProtocolType(protocolType).setProtocolName(protocolName)
                .setLeader(leaderId == null ? "" : leaderId).setMembers(memberList).setSkipAssignment(false);
    }
}
