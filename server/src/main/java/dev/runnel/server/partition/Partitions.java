package dev.runnel.server.partition;

import dev.runnel.log.AppendResult;
import dev.runnel.log.LogCleaner;
import dev.runnel.log.LogConfig;
import dev.runnel.log.LogDirectory;
import dev.runnel.log.PartitionLog;
import dev.runnel.log.TopicPartition;
import dev.runnel.server.metadata.MetadataStore;
import dev.runnel.server.metadata.TopicMetadata;
import dev.runnel.server.purgatory.Purgatory;
import dev.runnel.server.topic.PartitionLogs;
import io.netty.buffer.ByteBuf;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The partitions this broker hosts: their logs, the lane that writes each one, and the fetch purgatory that
 * appends wake up. On a single broker every partition is led here and its high watermark follows the log end.
 * Reads may happen on any thread; they see only published state.
 */
public final class Partitions implements PartitionLogs, AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(Partitions.class);

    private final LogDirectory logs;
    private final PartitionLanes lanes;
    private final Purgatory<TopicPartition> fetchWaiters;
    private final Function<TopicMetadata, LogConfig> configOf;

    public Partitions(LogDirectory logs, PartitionLanes lanes, Purgatory<TopicPartition> fetchWaiters,
                      Function<TopicMetadata, LogConfig> configOf) {
        this.logs = logs;
        this.lanes = lanes;
        this.fetchWaiters = fetchWaiters;
        this.configOf = configOf;
    }

    /**
     * Brings the log directory in line with the metadata store after start-up: creates logs missing for known
     * topics (a crash between the metadata write and the log creation: logs are created without fsync), writes
     * again {@code partition.metadata} files a crash lost, and removes logs of topics the store no longer has (a
     * crash in the middle of a deletion).
     */
    public void reconcile(MetadataStore store) {
        if (!logs.openedAfterCleanShutdown()) {
            // partition.metadata is forced only with a log's first flush: a crash may have lost or torn it
            logs.repairTopicIds(tp -> store.topic(tp.topic())
                    .filter(t -> tp.partition() < t.partitionCount())
                    .map(TopicMetadata::topicId)
                    .orElse(null))
                    .forEach((tp, found) -> LOG.error("Partition {} has topic id {} in its partition.metadata, but its "
                            + "topic has {}; leaving the directory as it is", tp, found,
                            store.topic(tp.topic()).map(TopicMetadata::topicId).orElse(null)));
        }
        for (RuntimeException failure : createLogs(store.topics(), 0).values()) {
            throw failure;
        }
        for (PartitionLog log : List.copyOf(logs.logs())) {
            TopicPartition tp = log.topicPartition();
            Optional<TopicMetadata> topic = store.topic(tp.topic());
            if (topic.isEmpty() || tp.partition() >= topic.get().partitionCount()) {
                LOG.info("Deleting log {}: its topic or partition no longer exists", tp);
                logs.delete(tp);
            }
        }
    }

    /** The log of a hosted partition, or null. */
    public PartitionLog log(TopicPartition tp) {
        return logs.log(tp);
    }

    public LogDirectory directory() {
        return logs;
    }

    public Purgatory<TopicPartition> fetchWaiters() {
        return fetchWaiters;
    }

    /**
     * Appends produced batches on the partition's lane. {@code records} is borrowed until the future completes;
     * the log rewrites offsets in it. Completes exceptionally with the log's exception on failure.
     */
    public CompletableFuture<AppendResult> appendAsLeader(TopicPartition tp, ByteBuf records, int leaderEpoch) {
        LeaderAppend append = new LeaderAppend(tp, records, leaderEpoch);
        return appendAsLeader(List.of(append)).thenApply(ignored -> {
            if (append.error != null) {
                throw new CompletionException(append.error);
            }
            return append.result;
        });
    }

    /**
     * Appends the batches of several partitions (one produce request) on their lanes, with one hand-off per lane
     * rather than one per partition: each lane appends its share in order. Each {@link LeaderAppend} holds its own
     * outcome; the returned future completes, never exceptionally, once every one of them has one.
     */
    public CompletableFuture<Void> appendAsLeader(List<LeaderAppend> appends) {
        Map<Executor, List<LeaderAppend>> byLane = new IdentityHashMap<>();
        for (LeaderAppend append : appends) {
            byLane.computeIfAbsent(lanes.laneFor(append.tp), lane -> new ArrayList<>(appends.size())).add(append);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger lanesLeft = new AtomicInteger(byLane.size());
        Runnable laneDone = () -> {
            if (lanesLeft.decrementAndGet() == 0) {
                awaitDurable(appends, done);
            }
        };
        if (byLane.isEmpty()) {
            done.complete(null);
        }
        byLane.forEach((lane, share) -> {
            try {
                lane.execute(() -> {
                    share.forEach(append -> append.run(this));
                    laneDone.run();
                });
            } catch (RejectedExecutionException e) { // the broker is shutting down
                share.forEach(append -> append.error = e);
                laneDone.run();
            }
        });
        return done;
    }

    /**
     * Completes {@code done} once every appended partition is as durable as its flush policy asks before an ack
     * (group commit: many requests share one fsync). A failed flush fails that partition's append. The flush also
     * moves the high watermark, so fetches waiting on those partitions are woken.
     */
    private void awaitDurable(List<LeaderAppend> appends, CompletableFuture<Void> done) {
        List<CompletableFuture<Void>> flushes = new ArrayList<>();
        for (LeaderAppend append : appends) {
            if (append.durable != null && !append.durable.isDone()) {
                flushes.add(append.durable);
            }
        }
        CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new)).whenComplete((ignored, anyFailure) -> {
            collectDurability(appends);
            for (LeaderAppend append : appends) {
                if (append.heldBack) {
                    fetchWaiters.checkAndComplete(append.tp);
                }
            }
            done.complete(null);
        });
    }

    private static void collectDurability(List<LeaderAppend> appends) {
        for (LeaderAppend append : appends) {
            if (append.durable == null || append.error != null) {
                continue;
            }
            try {
                append.durable.join();
            } catch (CompletionException | CancellationException e) {
                append.result = null;
                append.error = e.getCause() != null ? e.getCause() : e;
            }
        }
    }

    /** One partition's batches in a multi-partition append, and, once appended, the result or the failure. */
    public static final class LeaderAppend {
        private final TopicPartition tp;
        private final ByteBuf records;
        private final int leaderEpoch;
        private AppendResult result;
        private Throwable error;
        private CompletableFuture<Void> durable;
        /** Not yet readable after the append: its flush moves the high watermark, and must wake fetches again. */
        private boolean heldBack;

        /** {@code records} is borrowed until the append's future completes; the log rewrites offsets in it. */
        public LeaderAppend(TopicPartition tp, ByteBuf records, int leaderEpoch) {
            this.tp = tp;
            this.records = records;
            this.leaderEpoch = leaderEpoch;
        }

        public TopicPartition topicPartition() {
            return tp;
        }

        /** The append's result, or null if it failed. */
        public AppendResult result() {
            return result;
        }

        /** Why the append failed (the log's exception), or null. */
        public Throwable error() {
            return error;
        }

        private void run(Partitions partitions) {
            try {
                PartitionLog log = partitions.logs.log(tp);
                if (log == null) {
                    throw new UnknownPartitionException(tp);
                }
                result = log.appendAsLeader(records, leaderEpoch);
                durable = log.whenDurable(result.lastOffset() + 1);
                heldBack = log.highWatermark() <= result.lastOffset();
                if (!result.duplicate()) {
                    partitions.fetchWaiters.checkAndComplete(tp);
                }
            } catch (RuntimeException e) {
                error = e;
            }
        }
    }

    /** The lane of a partition: the one thread that changes its log and any state stored in it. */
    public java.util.concurrent.Executor lane(TopicPartition tp) {
        return lanes.laneFor(tp);
    }

    /** Runs {@code work} on the partition's lane, the only thread that may change it. */
    public <T> CompletableFuture<T> onLane(TopicPartition tp, java.util.function.Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, lanes.laneFor(tp));
    }

    @Override
    public void createLogs(TopicMetadata topic, int fromPartition) {
        RuntimeException failure = createLogs(List.of(topic), fromPartition).get(topic.name());
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public Map<String, RuntimeException> createLogs(Collection<TopicMetadata> topics) {
        return createLogs(topics, 0);
    }

    /**
     * Creates the missing logs of the partitions from {@code fromPartition} on of every topic, each on its lane, all
     * lanes at once (creating a log is file system calls only, no fsync), and waits for all of them. Returns why a
     * topic's logs could not be created, by topic name.
     */
    private Map<String, RuntimeException> createLogs(Collection<TopicMetadata> topics, int fromPartition) {
        Map<String, List<CompletableFuture<PartitionLog>>> pending = new LinkedHashMap<>();
        for (TopicMetadata topic : topics) {
            LogConfig config = configOf.apply(topic);
            List<CompletableFuture<PartitionLog>> created = new ArrayList<>();
            for (int p = fromPartition; p < topic.partitionCount(); p++) {
                TopicPartition tp = new TopicPartition(topic.name(), p);
                PartitionLog existing = logs.log(tp);
                created.add(existing != null ? CompletableFuture.completedFuture(existing)
                        : onLane(tp, () -> logs.getOrCreate(tp, topic.topicId(), config)));
            }
            pending.put(topic.name(), created);
        }
        Map<String, RuntimeException> failed = new LinkedHashMap<>();
        pending.forEach((name, created) -> {
            for (CompletableFuture<PartitionLog> log : created) {
                try {
                    join(log);
                } catch (RuntimeException e) {
                    failed.putIfAbsent(name, e);
                }
            }
        });
        return failed;
    }

    @Override
    public void deleteLogs(TopicMetadata topic) {
        for (int p = 0; p < topic.partitionCount(); p++) {
            TopicPartition tp = new TopicPartition(topic.name(), p);
            join(onLane(tp, () -> {
                if (logs.log(tp) != null) {
                    logs.delete(tp);
                }
                return null;
            }));
            fetchWaiters.checkAndComplete(tp);
        }
    }

    @Override
    public void updateConfigs(TopicMetadata topic) {
        LogConfig config = configOf.apply(topic);
        for (int p = 0; p < topic.partitionCount(); p++) {
            TopicPartition tp = new TopicPartition(topic.name(), p);
            join(onLane(tp, () -> {
                PartitionLog log = logs.log(tp);
                if (log != null) {
                    log.updateConfig(config);
                }
                return null;
            }));
        }
    }

    /** Runs retention and time-based flushes for every partition, each on its own lane. */
    public void runMaintenance() {
        List<CompletableFuture<?>> work = new ArrayList<>();
        for (PartitionLog log : logs.logs()) {
            work.add(onLane(log.topicPartition(), () -> {
                if (!log.isOffline()) {
                    log.deleteOldSegments();
                    log.flushIfDue();
                }
                return null;
            }));
        }
        work.forEach(f -> f.exceptionally(e -> {
            LOG.warn("Log maintenance failed", e);
            return null;
        }));
    }

    /**
     * One compaction pass over every compacted partition, each on its own lane (the cleaner replaces segments the
     * writer owns); a partition is cleaned only when its dirty ratio or max compaction lag asks for it.
     */
    public void runCompaction(LogCleaner cleaner, long nowMs) {
        for (PartitionLog log : logs.logs()) {
            if (!log.config().compact()) {
                continue;
            }
            onLane(log.topicPartition(), () -> log.isOffline() ? null : cleaner.cleanIfNeeded(log, nowMs))
                    .exceptionally(e -> {
                        LOG.warn("Compaction of {} failed", log.topicPartition(), e);
                        return null;
                    });
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    @Override
    public void close() {
        lanes.close();
        logs.close();
    }

    /** The partition is not hosted here. */
    public static final class UnknownPartitionException extends RuntimeException {
        public UnknownPartitionException(TopicPartition tp) {
            super("This server does not host " + tp);
        }
    }
}
