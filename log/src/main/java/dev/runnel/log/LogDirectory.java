package dev.runnel.log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One log directory ({@code log.dirs} entry): opens every partition in it, creates and deletes partition logs,
 * and keeps Kafka's root files:
 *
 * <pre>
 * recovery-point-offset-checkpoint   {@link CheckpointFile} entries "topic partition offset": offsets below are flushed
 * log-start-offset-checkpoint        same format: each partition's log start offset
 * cleaner-offset-checkpoint          same format: each compacted partition's first dirty offset ({@link LogCleaner})
 * .kafka_cleanshutdown               present only between a clean close and the next open; Kafka's JSON
 *                                    {"version":0,"brokerEpoch":-1}. Present at open means: no recovery scan
 * my-topic-0/                        one directory per partition ({@link PartitionLog})
 * </pre>
 *
 * {@code meta.properties} belongs to the server. An I/O error in any partition takes the whole directory offline
 * ({@link #isOffline()}), as Kafka does. Thread-safe: partitions are in a concurrent map; create, delete,
 * {@link #checkpoint} and {@link #close} are meant for one management thread.
 */
public final class LogDirectory implements AutoCloseable {
    public static final String RECOVERY_POINT_CHECKPOINT = "recovery-point-offset-checkpoint";
    public static final String LOG_START_OFFSET_CHECKPOINT = "log-start-offset-checkpoint";
    public static final String CLEANER_OFFSET_CHECKPOINT = "cleaner-offset-checkpoint";
    public static final String CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";
    /** Kafka renames a deleted partition to {@code <topic>-<partition>.<uuid>-delete} before removing it. */
    private static final String DELETE_DIR_SUFFIX = "-delete";
    /** Threads opening or closing partitions; they wait on the disk, so more than the cores. */
    static final int PARALLELISM = 8;

    private final Path root;
    private final LogResources resources;
    private final Function<TopicPartition, LogConfig> configs;
    private final BiFunction<TopicPartition, Path, ProducerStateHook> producerStates;
    private final GroupCommitFlusher flusher;
    private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final PartitionMetadataFlusher metadataFlusher = new PartitionMetadataFlusher();
    private final boolean openedAfterCleanShutdown;
    private volatile LogStorageException failure;

    private LogDirectory(Path root, LogResources resources, Function<TopicPartition, LogConfig> configs,
                         BiFunction<TopicPartition, Path, ProducerStateHook> producerStates, GroupCommitFlusher flusher,
                         boolean clean) {
        this.root = root;
        this.resources = resources;
        this.configs = configs;
        this.producerStates = producerStates;
        this.flusher = flusher;
        this.openedAfterCleanShutdown = clean;
    }

    /**
     * Opens every partition under {@code root} (created if missing), recovering them unless the last shutdown was
     * clean, then removes the clean-shutdown marker so that a crash from now on triggers recovery.
     *
     * @param configs        the topic config of each partition (the same for every partition of a topic)
     * @param producerStates the producer-state table of each partition ({@code (tp, dir) -> hook})
     * @param flusher        group commit for {@link PartitionLog#flushAsync}; may be null
     */
    public static LogDirectory open(Path root, LogResources resources, Function<TopicPartition, LogConfig> configs,
                                    BiFunction<TopicPartition, Path, ProducerStateHook> producerStates,
                                    GroupCommitFlusher flusher) throws IOException {
        Files.createDirectories(root);
        Path marker = root.resolve(CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.exists(marker);
        LogDirectory directory = new LogDirectory(root, resources, configs, producerStates, flusher, clean);
        Map<TopicPartition, Long> recoveryPoints = readOffsets(root.resolve(RECOVERY_POINT_CHECKPOINT));
        Map<TopicPartition, Long> startOffsets = readOffsets(root.resolve(LOG_START_OFFSET_CHECKPOINT));
        Map<TopicPartition, Long> dirtyOffsets = readOffsets(root.resolve(CLEANER_OFFSET_CHECKPOINT));
        Map<String, LogConfig> topicConfigs = new ConcurrentHashMap<>(); // one topic config, many partitions
        // In parallel, as Kafka's num.recovery.threads.per.data.dir: opening is file system calls, and recovery
        // after a crash reads every unflushed segment.
        inParallel(partitionDirectories(root), dir -> {
            TopicPartition tp = TopicPartition.parseDirectoryName(dir.getFileName().toString());
            LogConfig config = topicConfigs.computeIfAbsent(tp.topic(), topic -> configs.apply(tp));
            PartitionLog log = PartitionLog.open(dir, tp, config, resources,
                    recoveryPoints.getOrDefault(tp, 0L), startOffsets.getOrDefault(tp, 0L), clean,
                    producerStates.apply(tp, dir), flusher, directory::markOffline);
            log.setFirstDirtyOffset(dirtyOffsets.getOrDefault(tp, 0L));
            directory.logs.put(tp, log);
        });
        Files.deleteIfExists(marker);
        return directory;
    }

    public Path root() {
        return root;
    }

    /** Whether the previous shutdown was clean (no recovery scan was needed at open). */
    public boolean openedAfterCleanShutdown() {
        return openedAfterCleanShutdown;
    }

    public PartitionLog log(TopicPartition tp) {
        return logs.get(tp);
    }

    public Collection<PartitionLog> logs() {
        return logs.values();
    }

    /**
     * Returns the log of {@code tp}, creating its directory, {@code partition.metadata} (when {@code topicId} is
     * given) and first segment if it does not exist. Creating forces nothing (the caller's metadata store is what
     * makes a created partition durable: its log is created again at start-up if a crash lost it; the topic id file
     * is forced in the background, {@link PartitionMetadataFlusher}), so thousands of partitions are created in about
     * the time of their file system calls.
     */
    public PartitionLog getOrCreate(TopicPartition tp, UUID topicId, LogConfig config) {
        checkOnline();
        PartitionLog existing = logs.get(tp);
        if (existing != null) {
            return existing;
        }
        Path dir = root.resolve(tp.directoryName());
        boolean created;
        try {
            created = createDirectory(dir);
            if (topicId != null) {
                PartitionMetadataFile.write(dir, topicId);
            }
        } catch (IOException e) {
            throw markOffline(new LogStorageException("cannot create " + dir, e));
        }
        PartitionLog log = created
                ? PartitionLog.create(dir, tp, config, resources, producerStates.apply(tp, dir), flusher, this::markOffline)
                // a directory this one did not open (left by a failed creation): take what is in it
                : PartitionLog.open(dir, tp, config, resources, 0, 0, true, producerStates.apply(tp, dir), flusher,
                        this::markOffline);
        logs.put(tp, log);
        if (topicId != null) {
            log.partitionMetadataWritten();
            metadataFlusher.add(log);
        }
        return log;
    }

    /** Creates {@code dir}; false when it already exists. */
    private static boolean createDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
            return true;
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            return false;
        }
    }

    /** The topic id in the partition's {@code partition.metadata}, or null. */
    public UUID topicId(TopicPartition tp) {
        try {
            return PartitionMetadataFile.read(root.resolve(tp.directoryName()));
        } catch (IOException e) {
            throw markOffline(new LogStorageException("cannot read partition metadata of " + tp, e));
        }
    }

    /**
     * After an unclean shutdown: writes {@code partition.metadata} again where a crash lost or tore it (it is forced
     * after creation, in the background). {@code topicIds} gives each partition's topic id, or null to skip it. Returns
     * the partitions whose file names another topic id, with that id; those are left alone (the caller decides: data
     * is never dropped on a guess). Runs over the partitions in parallel, like {@link #open}.
     */
    public Map<TopicPartition, UUID> repairTopicIds(Function<TopicPartition, UUID> topicIds) {
        Map<TopicPartition, UUID> mismatched = new ConcurrentHashMap<>();
        inParallel(List.copyOf(logs.values()), log -> {
            UUID expected = topicIds.apply(log.topicPartition());
            if (expected == null) {
                return;
            }
            UUID found;
            try {
                found = PartitionMetadataFile.read(log.directory());
            } catch (IOException unreadable) {
                found = null; // torn by a crash
            }
            if (found != null) {
                if (!found.equals(expected)) {
                    mismatched.put(log.topicPartition(), found);
                }
                return;
            }
            try {
                PartitionMetadataFile.write(log.directory(), expected);
            } catch (IOException e) {
                throw markOffline(new LogStorageException("cannot write partition metadata of " + log.topicPartition(), e));
            }
            log.partitionMetadataWritten();
            metadataFlusher.add(log);
        });
        return mismatched;
    }

    /** Removes a partition: its directory is renamed aside (Kafka's {@code .<uuid>-delete}) and deleted. */
    public void delete(TopicPartition tp) {
        PartitionLog log = logs.remove(tp);
        if (log == null) {
            return;
        }
        log.close();
        Path dir = log.directory();
        Path aside = root.resolve(tp.directoryName() + "." + UUID.randomUUID().toString().replace("-", "") + DELETE_DIR_SUFFIX);
        try {
            Files.move(dir, aside);
            deleteRecursively(aside);
        } catch (IOException e) {
            throw markOffline(new LogStorageException("cannot delete " + dir, e));
        }
    }

    /**
     * Writes the recovery point, log start offset and cleaner checkpoints (Kafka does so every 60 s and on close;
     * the cleaner checkpoint after each clean, which calling this after {@link LogCleaner} runs also achieves).
     */
    public void checkpoint() {
        checkOnline();
        List<String> recovery = new ArrayList<>();
        List<String> starts = new ArrayList<>();
        List<String> dirty = new ArrayList<>();
        for (PartitionLog log : logs.values()) {
            TopicPartition tp = log.topicPartition();
            recovery.add(tp.topic() + " " + tp.partition() + " " + log.recoveryPoint());
            starts.add(tp.topic() + " " + tp.partition() + " " + log.logStartOffset());
            if (log.firstDirtyOffset() > 0) {
                dirty.add(tp.topic() + " " + tp.partition() + " " + log.firstDirtyOffset());
            }
        }
        try {
            CheckpointFile.write(root.resolve(RECOVERY_POINT_CHECKPOINT), recovery);
            CheckpointFile.write(root.resolve(LOG_START_OFFSET_CHECKPOINT), starts);
            CheckpointFile.write(root.resolve(CLEANER_OFFSET_CHECKPOINT), dirty);
        } catch (IOException e) {
            throw markOffline(new LogStorageException("cannot write checkpoints in " + root, e));
        }
    }

    public boolean isOffline() {
        return failure != null;
    }

    /**
     * Clean shutdown: closes (and flushes) every log, writes the checkpoints, then the clean-shutdown marker last,
     * so that its presence proves everything before it reached the disk.
     */
    @Override
    public void close() {
        metadataFlusher.close();
        inParallel(List.copyOf(logs.values()), PartitionLog::close);
        if (failure != null) {
            return;
        }
        checkpoint();
        try {
            LogFiles.writeAtomically(root.resolve(CLEAN_SHUTDOWN_FILE), "{\"version\":0,\"brokerEpoch\":-1}");
        } catch (IOException e) {
            throw markOffline(new LogStorageException("cannot write clean shutdown marker in " + root, e));
        }
    }

    /**
     * Runs {@code action} on every item with {@link #PARALLELISM} threads: opening and closing thousands of
     * partitions waits on the disk (metadata, fsync), which serves several requests at once. Every item is tried;
     * the first failure is rethrown after all have run.
     */
    static <T> void inParallel(List<T> items, Consumer<T> action) {
        if (items.size() <= 1) {
            items.forEach(action);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLELISM, items.size()), runnable -> {
            Thread thread = new Thread(runnable, "log-directory-io");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> done = new ArrayList<>(items.size());
            for (T item : items) {
                done.add(pool.submit(() -> action.accept(item)));
            }
            RuntimeException first = null;
            for (Future<?> future : done) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    if (first == null) {
                        first = cause;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LogStorageException("interrupted while opening or closing partitions");
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private LogStorageException markOffline(LogStorageException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }

    private void checkOnline() {
        if (failure != null) {
            throw new LogStorageException("log directory " + root + " is offline");
        }
    }

    private static List<Path> partitionDirectories(Path root) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : entries) {
                String name = dir.getFileName().toString();
                if (name.endsWith(DELETE_DIR_SUFFIX)) {
                    deleteRecursively(dir); // a delete interrupted by a crash
                } else if (TopicPartition.parseDirectoryName(name) != null) {
                    dirs.add(dir);
                }
            }
        }
        dirs.sort(null);
        return dirs;
    }

    private static Map<TopicPartition, Long> readOffsets(Path file) throws IOException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (String[] f : CheckpointFile.read(file, 3)) {
            offsets.put(new TopicPartition(f[0], Integer.parseInt(f[1])), Long.parseLong(f[2]));
        }
        return offsets;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
