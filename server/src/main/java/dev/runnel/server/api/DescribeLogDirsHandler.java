package dev.runnel.server.api;

import dev.runnel.wire.message.ApiMessageType;
import dev.runnel.wire.message.DescribeLogDirsRequest;
import dev.runnel.wire.message.DescribeLogDirsResponse;
import dev.runnel.wire.protocol.ApiMessage;
import dev.runnel.wire.protocol.Errors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeLogDirs v1–5 (KIP-113): for each configured log dir, its error, absolute path, the sizes of the
 * requested partitions it holds (all of them when {@code topics} is null) and, from v4, the file system's total
 * and usable bytes (KIP-827). An offline dir answers KAFKA_STORAGE_ERROR with nothing else, as in Kafka.
 *
 * <p>Asks the file system for its space, a short stat call; runs on the event loop.
 */
public final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequest> {

    /** One local partition log: its log dir, its size in bytes, and how far its end is behind the high watermark. */
    public record ReplicaLog(Path dir, String topic, int partition, long size, long offsetLag) {
    }

    /** What this handler needs from the partition layer. */
    public interface ReplicaLogs {
        /** Every partition log this broker holds. */
        List<ReplicaLog> logs();

        /** Whether a log dir is usable; an offline dir is reported with KAFKA_STORAGE_ERROR. */
        default boolean isOnline(Path dir) {
            return true;
        }
    }

    private final List<Path> logDirs;
    private final ReplicaLogs replicas;

    /** @param logDirs the configured log dirs ({@code BrokerConfig.logDirs()}), in configuration order */
    public DescribeLogDirsHandler(List<Path> logDirs, ReplicaLogs replicas) {
        this.logDirs = List.copyOf(new LinkedHashSet<>(logDirs.stream().map(d -> d.toAbsolutePath().normalize()).toList()));
        this.replicas = replicas;
    }

    @Override
    public ApiMessageType api() {
        return ApiMessageType.DESCRIBE_LOG_DIRS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeLogDirsRequest request) {
        Set<String> wanted = null;
        if (request.topics() != null) {
            wanted = new HashSet<>();
            for (DescribeLogDirsRequest.DescribableLogDirTopic t : request.topics()) {
                for (int partition : t.partitions()) {
                    wanted.add(t.topic() + ":" + partition);
                }
            }
        }
        List<ReplicaLog> logs = replicas.logs();
        List<DescribeLogDirsResponse.DescribeLogDirsResult> results = new ArrayList<>();
        for (Path dir : logDirs) {
            results.add(describe(dir, logs, wanted));
        }
        return CompletableFuture.completedFuture(new DescribeLogDirsResponse()
                .setErrorCode(Errors.NONE.code()).setResults(results));
    }

    private DescribeLogDirsResponse.DescribeLogDirsResult describe(Path dir, List<ReplicaLog> logs, Set<String> wanted) {
        DescribeLogDirsResponse.DescribeLogDirsResult result =
                new DescribeLogDirsResponse.DescribeLogDirsResult().setLogDir(dir.toString());
        if (!replicas.isOnline(dir)) {
            return result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        long total;
        long usable;
        try {
            FileStore store = Files.getFileStore(dir);
            total = orMax(store.getTotalSpace());
            usable = orMax(store.getUsableSpace());
        } catch (IOException | UncheckedIOException e) {
            return result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        Map<String, List<DescribeLogDirsResponse.DescribeLogDirsPartition>> byTopic = new TreeMap<>();
        for (ReplicaLog log : logs) {
            if (!log.dir().toAbsolutePath().normalize().equals(dir)
                    || (wanted != null && !wanted.contains(log.topic() + ":" + log.partition()))) {
                continue;
            }
            byTopic.computeIfAbsent(log.topic(), t -> new ArrayList<>()).add(new DescribeLogDirsResponse.DescribeLogDirsPartition()
                    .setPartitionIndex(log.partition()).setPartitionSize(log.size())
                    .setOffsetLag(log.offsetLag()).setIsFutureKey(false));
        }
        List<DescribeLogDirsResponse.DescribeLogDirsTopic> topics = new ArrayList<>();
        byTopic.forEach((topic, partitions) -> {
            partitions.sort((a, b) -> Integer.compare(a.partitionIndex(), b.partitionIndex()));
            topics.add(new DescribeLogDirsResponse.DescribeLogDirsTopic().setName(topic).setPartitions(partitions));
        });
        return result.setErrorCode(Errors.NONE.code()).setTopics(topics)
                .setTotalBytes(total).setUsableBytes(usable).setIsCordoned(false);
    }

    /** A file system larger than Long.MAX_VALUE bytes reports a negative size (JDK-8162520); Kafka reports max. */
    private static long orMax(long space) {
        return space < 0 ? Long.MAX_VALUE : space;
    }
}
