package dev.runnel.log;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Forces the {@code partition.metadata} files of new partitions in the background, soon after they are created, as
 * Kafka's {@code UnifiedLog} schedules its "flush-metadata-file" task: creating thousands of partitions waits for no
 * fsync, and by the time they are flushed or closed there is usually nothing left to force. Several files are forced
 * at once ({@link LogDirectory#inParallel}): the file system commits concurrent fsyncs together.
 *
 * <p>Any thread may {@link #add}; one daemon thread drains the queue. A failure takes the log offline
 * ({@link PartitionLog#forcePartitionMetadata}); nothing is lost by a flush not done, since the log forces the file
 * itself before its first data flush and at close.
 */
final class PartitionMetadataFlusher implements AutoCloseable {
    private final ConcurrentLinkedQueue<PartitionLog> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread t = new Thread(runnable, "partition-metadata-flusher");
        t.setDaemon(true);
        return t;
    });

    /** Queues a log whose {@code partition.metadata} was just written. */
    void add(PartitionLog log) {
        queue.add(log);
        if (scheduled.compareAndSet(false, true)) {
            try {
                thread.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // closing: each log forces its own file at close
            }
        }
    }

    private void drain() {
        scheduled.set(false); // from here on, a new add schedules another round
        List<PartitionLog> batch = new ArrayList<>();
        for (PartitionLog log = queue.poll(); log != null; log = queue.poll()) {
            batch.add(log);
        }
        try {
            LogDirectory.inParallel(batch, PartitionLog::forcePartitionMetadata);
        } catch (RuntimeException e) {
            // the failing log went offline and told its directory; the others were forced
        }
    }

    /** Waits for the round under way (closing logs would force the same files) and stops the thread. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
