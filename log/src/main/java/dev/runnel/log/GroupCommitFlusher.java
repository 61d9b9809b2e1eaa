package dev.runnel.log;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Group commit for the flush policies that need data on disk before a produce is acknowledged: callers queue
 * "flush partition P up to offset O" and get a future; one thread takes everything queued, issues one
 * {@code force()} per touched file for the whole group, and completes every future. Under load many requests
 * share one fsync (as BookKeeper's journal does). Owns its thread; requests may come from any thread.
 */
public final class GroupCommitFlusher implements AutoCloseable {
    private record Request(PartitionLog log, long upToOffset, CompletableFuture<Void> done) {
    }

    private static final Request STOP = new Request(null, 0, null);

    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean stopped;

    public GroupCommitFlusher(String name) {
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Completes when every offset below {@code upToOffset} of {@code log} is on disk. */
    public CompletableFuture<Void> flush(PartitionLog log, long upToOffset) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (stopped) {
            done.completeExceptionally(new LogStorageException("flusher stopped"));
            return done;
        }
        queue.add(new Request(log, upToOffset, done));
        return done;
    }

    private void run() {
        List<Request> group = new ArrayList<>();
        while (true) {
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(group);
            boolean stop = group.remove(STOP);
            Map<PartitionLog, Long> upTo = new IdentityHashMap<>();
            for (Request r : group) {
                upTo.merge(r.log(), r.upToOffset(), Math::max);
            }
            Map<PartitionLog, Throwable> failures = new IdentityHashMap<>();
            upTo.forEach((log, offset) -> {
                try {
                    log.flush(offset);
                } catch (RuntimeException e) {
                    failures.put(log, e);
                }
            });
            for (Request r : group) {
                Throwable failure = failures.get(r.log());
                if (failure == null) {
                    r.done().complete(null);
                } else {
                    r.done().completeExceptionally(failure);
                }
            }
            group.clear();
            if (stop) {
                return;
            }
        }
    }

    /** Flushes what is queued, then stops the thread. */
    @Override
    public void close() {
        stopped = true;
        queue.add(STOP);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
