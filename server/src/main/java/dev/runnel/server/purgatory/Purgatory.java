package dev.runnel.server.purgatory;

import io.netty.util.Timer;

import java.util.Collection;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Where delayed operations wait, watched under keys (a partition, a group). An event on a key re-checks
 * the operations watching it; a timer wheel expires the rest. Nothing here sleeps or polls.
 *
 * <p>Thread-safe. The timer thread only calls {@link DelayedOperation#expire()}, which posts completion.
 */
public final class Purgatory<K> {
    private final Timer timer;
    private final ConcurrentHashMap<K, Queue<DelayedOperation>> watchers = new ConcurrentHashMap<>();

    public Purgatory(Timer timer) {
        this.timer = timer;
    }

    /**
     * Completes {@code operation} at once if it can, otherwise watches it under {@code keys} until an event
     * or its deadline completes it. Returns true when it completed immediately.
     */
    public boolean tryCompleteElseWatch(DelayedOperation operation, Collection<K> keys) {
        if (operation.tryComplete()) {
            return true;
        }
        for (K key : keys) {
            // added inside the map's per-key atomic step, so a concurrent removal of an empty queue cannot orphan it
            watchers.compute(key, (k, queue) -> {
                Queue<DelayedOperation> watching = queue != null ? queue : new ConcurrentLinkedQueue<>();
                watching.add(operation);
                return watching;
            });
        }
        // an event may have slipped in between the first check and the registration
        if (operation.tryComplete()) {
            return true;
        }
        operation.setTimeout(timer.newTimeout(t -> operation.expire(), operation.delayMs(), TimeUnit.MILLISECONDS));
        return false;
    }

    /** Re-checks the operations watching {@code key}; returns how many completed. */
    public int checkAndComplete(K key) {
        Queue<DelayedOperation> queue = watchers.get(key);
        if (queue == null) {
            return 0;
        }
        int completed = 0;
        for (Iterator<DelayedOperation> it = queue.iterator(); it.hasNext(); ) {
            DelayedOperation op = it.next();
            if (op.isCompleted()) {
                it.remove();
            } else if (op.tryComplete()) {
                it.remove();
                completed++;
            }
        }
        watchers.computeIfPresent(key, (k, watching) -> watching.isEmpty() ? null : watching);
        return completed;
    }

    /** Number of operations watched under {@code key} that are not yet complete. */
    public int watching(K key) {
        Queue<DelayedOperation> queue = watchers.get(key);
        if (queue == null) {
            return 0;
        }
        queue.removeIf(DelayedOperation::isCompleted);
        return queue.size();
    }
}
