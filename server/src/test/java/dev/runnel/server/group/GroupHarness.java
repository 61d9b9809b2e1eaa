package dev.runnel.server.group;

import dev.runnel.server.api.ApiHandler;
import dev.runnel.server.api.ConsumerGroupDescribeHandler;
import dev.runnel.server.api.ConsumerGroupHeartbeatHandler;
import dev.runnel.server.api.DeleteGroupsHandler;
import dev.runnel.server.api.DescribeGroupsHandler;
import dev.runnel.server.api.HeartbeatHandler;
import dev.runnel.server.api.JoinGroupHandler;
import dev.runnel.server.api.LeaveGroupHandler;
import dev.runnel.server.api.ListGroupsHandler;
import dev.runnel.server.api.OffsetCommitHandler;
import dev.runnel.server.api.OffsetDeleteHandler;
import dev.runnel.server.api.OffsetFetchHandler;
import dev.runnel.server.api.RequestContext;
import dev.runnel.server.api.SyncGroupHandler;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.PartitionState;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.purgatory.ManualTimer;
import dev.runnel.wire.message.HeartbeatRequest;
import dev.runnel.wire.message.HeartbeatResponse;
import dev.runnel.wire.message.JoinGroupRequest;
import dev.runnel.wire.message.JoinGroupResponse;
import dev.runnel.wire.message.SyncGroupRequest;
import dev.runnel.wire.message.SyncGroupResponse;
import dev.runnel.wire.protocol.ApiMessage;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.protocol.Messages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractResponse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group coordinator on a manual timer and clock, with every lane running inline on the test thread, an
 * in-memory log, a fake metadata store and all group handlers, plus helpers that speak like a client.
 */
final class GroupHarness {
    static final int PARTITIONS = 3;
    static final int SESSION_MS = 10_000;
    static final int REBALANCE_MS = 30_000;

    final ManualTimer timer = new ManualTimer();
    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final InMemoryCoordinatorLog log;
    final GroupCoordinatorConfig config;
    final GroupCoordinator coordinator;
    final FakeMetadata metadata = new FakeMetadata();
    final JoinGroupHandler join;
    final SyncGroupHandler sync;
    final HeartbeatHandler heartbeat;
    final LeaveGroupHandler leave;
    final OffsetCommitHandler commit;
    final OffsetFetchHandler fetch;
    final OffsetDeleteHandler deleteOffsets;
    final ListGroupsHandler list;
    final DescribeGroupsHandler describe;
    final DeleteGroupsHandler deleteGroups;
    final ConsumerGroupHeartbeatHandler consumerHeartbeat;
    final ConsumerGroupDescribeHandler consumerDescribe;

    GroupHarness() {
        this(new InMemoryCoordinatorLog(), config(Integer.MAX_VALUE));
    }

    GroupHarness(InMemoryCoordinatorLog log, GroupCoordinatorConfig config) {
        this(log, config, ConsumerGroupConfig.defaults());
    }

    GroupHarness(InMemoryCoordinatorLog log, GroupCoordinatorConfig config, ConsumerGroupConfig consumerConfig) {
        this.log = log;
        this.config = config;
        this.coordinator = new GroupCoordinator(config, consumerConfig, TopicLookup.of(metadata), log,
                timer, clock::get, p -> Runnable::run);
        join = new JoinGroupHandler(coordinator);
        sync = new SyncGroupHandler(coordinator);
        heartbeat = new HeartbeatHandler(coordinator);
        leave = new LeaveGroupHandler(coordinator);
        commit = new OffsetCommitHandler(coordinator, metadata);
        fetch = new OffsetFetchHandler(coordinator, metadata);
        deleteOffsets = new OffsetDeleteHandler(coordinator, metadata);
        list = new ListGroupsHandler(coordinator);
        describe = new DescribeGroupsHandler(coordinator);
        deleteGroups = new DeleteGroupsHandler(coordinator);
        consumerHeartbeat = new ConsumerGroupHeartbeatHandler(coordinator);
        consumerDescribe = new ConsumerGroupDescribeHandler(coordinator);
    }

    static GroupCoordinatorConfig config(int maxGroupSize) {
        return new GroupCoordinatorConfig(PARTITIONS, 6000, 300_000, 3000, maxGroupSize,
                GroupCoordinatorConfig.NEW_MEMBER_JOIN_TIMEOUT_MS, 7L * 24 * 3600 * 1000, 4096);
    }

    GroupHarness loadAll() {
        for (int p = 0; p < PARTITIONS; p++) {
            coordinator.loadPartition(p).join();
        }
        return this;
    }

    void advance(long ms) {
        clock.addAndGet(ms);
        timer.advance(ms);
    }

    /**
     * Sends {@code request} as a client would: it goes through our wire encoding at {@code version} and back, so
     * fields the version lacks are dropped; the response is encoded at that version and must parse with
     * kafka-clients.
     */
    @SuppressWarnings("unchecked")
    <Q extends ApiMessage, R> CompletableFuture<R> call(ApiHandler<Q> handler, int version, Q request) {
        short v = (short) version;
        RequestContext context = new RequestContext(handler.api(), v, 1, "client",
                new InetSocketAddress("127.0.0.1", 40000));
        Q decoded = throughTheWire(request, v);
        return (CompletableFuture<R>) (CompletableFuture<?>) handler.handle(context, decoded)
                .thenApply(response -> kafkaCanRead(response, v));
    }

    @SuppressWarnings("unchecked")
    private static <Q extends ApiMessage> Q throughTheWire(Q request, short version) {
        ByteBuf buf = Messages.toByteBuf(request, version);
        try {
            return Messages.read((Q) ApiMessageType.forKey(request.apiKey()).newRequest(), buf, version);
        } finally {
            buf.release();
        }
    }

    private static ApiMessage kafkaCanRead(ApiMessage response, short version) {
        ByteBuf buf = Messages.toByteBuf(response, version);
        try {
            ByteBuffer bytes = ByteBuffer.wrap(ByteBufUtil.getBytes(buf));
            AbstractResponse.parseResponse(ApiKeys.forId(response.apiKey()), new ByteBufferAccessor(bytes), version);
            assertEquals(0, bytes.remaining(), "kafka-clients read the whole response");
        } finally {
            buf.release();
        }
        return response;
    }

    static <T> T done(CompletableFuture<T> future) {
        assertTrue(future.isDone(), "response should be complete");
        return future.join();
    }

    // ---- client-like helpers

    /** A "consumer" subscription (v0 layout) to {@code topics}. */
    static byte[] subscription(String... topics) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0});
        out.writeBytes(new byte[] {0, 0, 0, (byte) topics.length});
        for (String t : topics) {
            byte[] b = t.getBytes(StandardCharsets.UTF_8);
            out.write(0);
            out.write(b.length);
            out.writeBytes(b);
        }
        out.writeBytes(new byte[] {-1, -1, -1, -1});
        return out.toByteArray();
    }

    static JoinGroupRequest joinRequest(String group, String memberId, String instanceId, String... protocols) {
        List<JoinGroupRequest.JoinGroupRequestProtocol> list = new ArrayList<>();
        for (String p : protocols) {
            list.add(new JoinGroupRequest.JoinGroupRequestProtocol().setName(p).setMetadata(subscription("topic-a")));
        }
        return new JoinGroupRequest().setGroupId(group).setMemberId(memberId).setGroupInstanceId(instanceId)
                .setSessionTimeoutMs(SESSION_MS).setRebalanceTimeoutMs(REBALANCE_MS).setProtocolType("consumer")
                .setProtocols(list);
    }

    CompletableFuture<JoinGroupResponse> join(String group, String memberId, String... protocols) {
        return call(join, 9, joinRequest(group, memberId, null, protocols));
    }

    CompletableFuture<JoinGroupResponse> joinStatic(String group, String memberId, String instanceId) {
        return call(join, 9, joinRequest(group, memberId, instanceId, "range"));
    }

    /** The KIP-394 dance: the first JoinGroup returns a member id, the second parks the member. */
    CompletableFuture<JoinGroupResponse> joinNew(String group) {
        JoinGroupResponse first = done(join(group, "", "range", "roundrobin"));
        if (first.errorCode() != dev.runnel.wire.protocol.Errors.MEMBER_ID_REQUIRED.code()) {
            throw new AssertionError("expected MEMBER_ID_REQUIRED, got " + first.errorCode());
        }
        return join(group, first.memberId(), "range", "roundrobin");
    }

    CompletableFuture<SyncGroupResponse> sync(String group, String memberId, int generation,
                                              Map<String, byte[]> assignments) {
        List<SyncGroupRequest.SyncGroupRequestAssignment> list = new ArrayList<>();
        assignments.forEach((m, a) -> list.add(new SyncGroupRequest.SyncGroupRequestAssignment().setMemberId(m).setAssignment(a)));
        return call(sync, 5, new SyncGroupRequest().setGroupId(group).setMemberId(memberId).setGenerationId(generation)
                .setProtocolType("consumer").setProtocolName("range").setAssignments(list));
    }

    short heartbeat(String group, String memberId, int generation) {
        return heartbeat(group, memberId, null, generation);
    }

    short heartbeat(String group, String memberId, String instanceId, int generation) {
        HeartbeatResponse r = done(call(heartbeat, 4, new HeartbeatRequest().setGroupId(group).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation)));
        return r.errorCode();
    }

    /** A metadata store with topics in memory. */
    static final class FakeMetadata implements MetadataStore {
        @Override
        public long allocateProducerIdBlock(int size) {
            throw new UnsupportedOperationException("not used by group tests");
        }

        private final Map<String, TopicMetadata> topics = new ConcurrentHashMap<>();

        TopicMetadata add(String name, int partitions) {
            List<PartitionState> states = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                states.add(PartitionState.singleReplica(1));
            }
            TopicMetadata t = new TopicMetadata(name, UUID.randomUUID(), states, Map.of());
            topics.put(name, t);
            return t;
        }

        @Override
        public Collection<TopicMetadata> topics() {
            return topics.values();
        }

        @Override
        public Optional<TopicMetadata> topic(String name) {
            return Optional.ofNullable(topics.get(name));
        }

        @Override
        public Optional<TopicMetadata> topic(UUID topicId) {
            return topics.values().stream().filter(t -> t.topicId().equals(topicId)).findFirst();
        }

        @Override
        public void createTopic(TopicMetadata topic) {
            topics.put(topic.name(), topic);
        }

        @Override
        public void updateTopic(TopicMetadata topic) {
            topics.put(topic.name(), topic);
        }

        @Override
        public Optional<TopicMetadata> deleteTopic(String name) {
            return Optional.ofNullable(topics.remove(name));
        }

        @Override
        public Map<String, String> dynamicBrokerConfigs() {
            return Map.of();
        }

        @Override
        public void setDynamicBrokerConfigs(Map<String, String> configs) {
        }

        @Override
        public void close() {
        }
    }
}
