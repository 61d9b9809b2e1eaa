package dev.runnel.server.fetch;

import dev.runnel.log.LogSlice;
import dev.runnel.log.producer.AbortedTxnIndex;
import dev.runnel.log.OffsetOutOfRangeException;
import dev.runnel.log.PartitionLog;
import dev.runnel.log.TopicPartition;
import dev.runnel.server.api.ApiHandler;
import dev.runnel.server.api.RequestContext;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.partition.LogSliceRecords;
import dev.runnel.server.partition.Partitions;
import dev.runnel.server.purgatory.DelayedOperation;
import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.FetchRequest;
import dev.runnel.wire.message.FetchResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.ByteBufRecords;
import dev.runnel.wire.protocol.Errors;
import dev.runnel.wire.protocol.Types;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import java.util.concurrent.CompletableFuture;

/**
 * Fetch v4–18 for consumers: incremental fetch sessions (KIP-227), topic ids (v13+), read_committed bounded by
 * the last stable offset, {@code max.bytes} and per-partition limits with at least one whole batch so a
 * consumer always progresses, and long polling: when fewer than {@code min.bytes} are available the request
 * waits in the purgatory until an append to one of its partitions or {@code max.wait.ms} completes it.
 * Records leave as file slices (sendfile), never copied.
 */
public final class FetchHandler implements ApiHandler<FetchRequest> {
    private static final int READ_COMMITTED = 1;

    private final MetadataStore store;
    private final Partitions partitions;
    private final FetchSessions sessions;

    public FetchHandler(MetadataStore store, Partitions partitions, FetchSessions sessions) {
        this.store = store;
        this.partitions = partitions;
        this.sessions = sessions;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.FETCH;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, FetchRequest request) {
        short version = context.apiVersion();
        FetchContext fetch;
        try {
            fetch = resolveSession(request, version);
        } catch (SessionError e) {
            return CompletableFuture.completedFuture(new FetchResponse().setErrorCode(e.error.code()).setSessionId(0));
        }
        CompletableFuture<ApiMessage> result = new CompletableFuture<>();
        boolean readCommitted = request.isolationLevel() == READ_COMMITTED;
        FetchResponse ready = fetch.respond(request.maxBytes(), readCommitted, request.minBytes(), false);
        if (ready != null || request.maxWaitMs() <= 0) {
            result.complete(ready != null ? ready : fetch.respond(request.maxBytes(), readCommitted, 0, true));
            return result;
        }
        DelayedOperation delayed = new DelayedOperation(request.maxWaitMs()) {
            @Override
            public boolean tryComplete() {
                return fetch.availableBytes(readCommitted) >= request.minBytes() && forceComplete();
            }

            @Override
            protected void onComplete() {
                try {
                    result.complete(fetch.respond(request.maxBytes(), readCommitted, 0, true));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }
        };
        partitions.fetchWaiters().tryCompleteElseWatch(delayed, fetch.topicPartitions());
        return result;
    }

    /** Which partitions this request fetches, with which session, or why it cannot be served. */
    private FetchContext resolveSession(FetchRequest request, short version) {
        boolean ids = version >= 13;
        int sessionId = version >= 7 ? request.sessionId() : 0;
        int epoch = version >= 7 ? request.sessionEpoch() : FetchSessions.FINAL_EPOCH;
        if (epoch == FetchSessions.INITIAL_EPOCH || epoch == FetchSessions.FINAL_EPOCH) {
            if (sessionId != 0) {
                sessions.remove(sessionId);
            }
            FetchSessions.Session session = epoch == FetchSessions.INITIAL_EPOCH ? sessions.create() : null;
            Map<FetchSessions.Key, FetchSessions.PartitionState> fetchSet = new LinkedHashMap<>();
            for (FetchRequest.FetchTopic topic : request.topics()) {
                for (FetchRequest.FetchPartition p : topic.partitions()) {
                    FetchSessions.PartitionState state = new FetchSessions.PartitionState();
                    update(state, p);
                    fetchSet.put(key(topic, p.partition(), ids), state);
                }
            }
            if (session != null) {
                session.partitions.putAll(fetchSet);
            }
            return new FetchContext(session, fetchSet, false);
        }
        if (sessionId == 0) {
            throw new SessionError(Errors.INVALID_FETCH_SESSION_EPOCH);
        }
        FetchSessions.Session session = sessions.get(sessionId);
        if (session == null) {
            throw new SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
        synchronized (session.partitions) {
            if (session.nextEpoch != epoch) {
                throw new SessionError(Errors.INVALID_FETCH_SESSION_EPOCH);
            }
            session.nextEpoch = epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
            for (FetchRequest.FetchTopic topic : request.topics()) {
                for (FetchRequest.FetchPartition p : topic.partitions()) {
                    update(session.partitions.computeIfAbsent(key(topic, p.partition(), ids),
                            k -> new FetchSessions.PartitionState()), p);
                }
            }
            for (FetchRequest.ForgottenTopic forgotten : request.forgottenTopicsData()) {
                for (int partition : forgotten.partitions()) {
                    session.partitions.remove(ids ? new FetchSessions.Key(null, forgotten.topicId(), partition)
                            : new FetchSessions.Key(forgotten.topic(), null, partition));
                }
            }
            return new FetchContext(session, session.partitions, true);
        }
    }

    private static FetchSessions.Key key(FetchRequest.FetchTopic topic, int partition, boolean ids) {
        return ids ? new FetchSessions.Key(null, topic.topicId(), partition) : new FetchSessions.Key(topic.topic(), null, partition);
    }

    private static void update(FetchSessions.PartitionState state, FetchRequest.FetchPartition p) {
        state.fetchOffset = p.fetchOffset();
        state.maxBytes = p.partitionMaxBytes();
        state.logStartOffset = p.logStartOffset();
        state.currentLeaderEpoch = p.currentLeaderEpoch();
        state.lastFetchedEpoch = p.lastFetchedEpoch();
    }

    private static final class SessionError extends RuntimeException {
        final Errors error;

        SessionError(Errors error) {
            super(error.name(), null, false, false);
            this.error = error;
        }
    }

    /** One request's fetch set, resolved to topics, read on demand. */
    private final class FetchContext {
        final FetchSessions.Session session;
        final Map<FetchSessions.Key, FetchSessions.PartitionState> fetchSet;
        final boolean incremental;

        FetchContext(FetchSessions.Session session, Map<FetchSessions.Key, FetchSessions.PartitionState> fetchSet, boolean incremental) {
            this.session = session;
            this.fetchSet = fetchSet;
            this.incremental = incremental;
        }

        TopicMetadata topicOf(FetchSessions.Key key) {
            return key.topicId() != null ? store.topic(key.topicId()).orElse(null) : store.topic(key.topic()).orElse(null);
        }

        List<TopicPartition> topicPartitions() {
            List<TopicPartition> tps = new ArrayList<>();
            for (FetchSessions.Key key : List.copyOf(fetchSet.keySet())) {
                TopicMetadata topic = topicOf(key);
                if (topic != null) {
                    tps.add(new TopicPartition(topic.name(), key.partition()));
                }
            }
            return tps;
        }

        /** Bytes readable now across the fetch set, enough to decide whether min.bytes is met. */
        int availableBytes(boolean readCommitted) {
            int total = 0;
            for (Map.Entry<FetchSessions.Key, FetchSessions.PartitionState> e : List.copyOf(fetchSet.entrySet())) {
                TopicMetadata topic = topicOf(e.getKey());
                PartitionLog log = topic == null ? null : partitions.log(new TopicPartition(topic.name(), e.getKey().partition()));
                if (log == null) {
                    return Integer.MAX_VALUE; // an error to report: answer now
                }
                long limit = readCommitted ? log.lastStableOffset() : log.highWatermark();
                long offset = e.getValue().fetchOffset;
                if (offset < log.logStartOffset() || offset > log.logEndOffset()) {
                    return Integer.MAX_VALUE;
                }
                if (offset < limit) {
                    try {
                        LogSlice slice = log.read(offset, e.getValue().maxBytes, true, limit);
                        total += slice.size();
                        slice.release();
                    } catch (RuntimeException ex) {
                        return Integer.MAX_VALUE;
                    }
                }
            }
            return total;
        }

        /**
         * Reads every partition and builds the response; returns null (holding nothing) when fewer than
         * {@code minBytes} were read and no partition has an error, unless {@code force}.
         */
        FetchResponse respond(int maxBytes, boolean readCommitted, int minBytes, boolean force) {
            Map<Object, FetchResponse.FetchableTopicResponse> byTopic = new LinkedHashMap<>();
            List<FetchResponse.PartitionData> built = new ArrayList<>();
            List<FetchSessions.PartitionState> states = new ArrayList<>();
            int remaining = Math.max(0, maxBytes);
            int read = 0;
            boolean anyError = false;
            synchronized (fetchSet) {
                for (Map.Entry<FetchSessions.Key, FetchSessions.PartitionState> e : fetchSet.entrySet()) {
                    FetchSessions.Key key = e.getKey();
                    FetchSessions.PartitionState state = e.getValue();
                    FetchResponse.PartitionData data = readPartition(key, state, Math.min(state.maxBytes, remaining),
                            read == 0, readCommitted);
                    int size = data.records().sizeInBytes();
                    remaining = Math.max(0, remaining - size);
                    read += size;
                    anyError |= data.errorCode() != Errors.NONE.code();
                    if (incremental && size == 0 && data.errorCode() == Errors.NONE.code()
                            && !state.changed(data.highWatermark(), data.lastStableOffset(), data.logStartOffset())) {
                        continue;
                    }
                    FetchResponse.FetchableTopicResponse topicResponse = byTopic.computeIfAbsent(
                            key.topicId() != null ? key.topicId() : key.topic(),
                            k -> new FetchResponse.FetchableTopicResponse().setTopic(key.topic())
                                    .setTopicId(key.topicId() != null ? key.topicId() : Types.ZERO_UUID)
                                    .setPartitions(new ArrayList<>()));
                    topicResponse.partitions().add(data);
                    built.add(data);
                    states.add(state);
                }
                if (!force && read < minBytes && !anyError) {
                    built.forEach(FetchHandler::releaseRecords);
                    return null;
                }
                for (int i = 0; i < built.size(); i++) {
                    FetchResponse.PartitionData d = built.get(i);
                    states.get(i).sent(d.highWatermark(), d.lastStableOffset(), d.logStartOffset());
                }
            }
            return new FetchResponse()
                    .setErrorCode(Errors.NONE.code())
                    .setSessionId(session == null ? 0 : session.id())
                    .setResponses(new ArrayList<>(byTopic.values()));
        }

        private FetchResponse.PartitionData readPartition(FetchSessions.Key key, FetchSessions.PartitionState state,
                                                          int maxBytes, boolean minOneBatch, boolean readCommitted) {
            FetchResponse.PartitionData data = new FetchResponse.PartitionData()
                    .setPartitionIndex(key.partition())
                    .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                    .setAbortedTransactions(readCommitted ? new ArrayList<>() : null)
                    .setRecords(new ByteBufRecords(Unpooled.EMPTY_BUFFER));
            TopicMetadata topic = topicOf(key);
            if (topic == null) {
                return data.setErrorCode((key.topicId() != null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
            }
            PartitionLog log = key.partition() < topic.partitionCount()
                    ? partitions.log(new TopicPartition(topic.name(), key.partition())) : null;
            if (log == null) {
                return data.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            }
            int leaderEpoch = topic.partitions().get(key.partition()).leaderEpoch();
            if (state.currentLeaderEpoch >= 0 && state.currentLeaderEpoch != leaderEpoch) {
                return data.setErrorCode((state.currentLeaderEpoch > leaderEpoch
                        ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH).code());
            }
            long highWatermark = log.highWatermark();
            long lastStable = log.lastStableOffset();
            data.setHighWatermark(highWatermark).setLastStableOffset(lastStable).setLogStartOffset(log.logStartOffset());
            if (log.isOffline()) {
                return data.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
            }
            try {
                LogSlice slice = log.read(state.fetchOffset, maxBytes, minOneBatch, readCommitted ? lastStable : highWatermark);
                if (slice.isEmpty()) {
                    slice.release();
                } else {
                    data.setRecords(new LogSliceRecords(slice));
                    if (readCommitted) {
                        data.setAbortedTransactions(abortedTransactions(log, slice.firstBatchBaseOffset(), lastStable));
                    }
                }
                return data.setErrorCode(Errors.NONE.code());
            } catch (OffsetOutOfRangeException e) {
                return data.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
            } catch (RuntimeException e) {
                return data.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
            }
        }
    }

    /** The aborted transactions a read_committed consumer needs to drop aborted records of the slice (KIP-98). */
    private static List<FetchResponse.AbortedTransaction> abortedTransactions(PartitionLog log, long from, long upTo) {
        List<FetchResponse.AbortedTransaction> aborted = new ArrayList<>();
        for (AbortedTxnIndex.AbortedTxn txn : log.abortedTransactions(from, upTo)) {
            aborted.add(new FetchResponse.AbortedTransaction().setProducerId(txn.producerId()).setFirstOffset(txn.firstOffset()));
        }
        return aborted;
    }

    private static void releaseRecords(FetchResponse.PartitionData data) {
        if (data.records() instanceof LogSliceRecords slice) {
            slice.release();
        }
    }

}
