package dev.runnel.server.net;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kafka's {@code queued.max.requests}: a broker-wide bound on requests read from sockets and not yet answered.
 * A connection takes a permit per request it dispatches; when none is left it keeps the frame, stops reading and
 * waits to be woken, as Kafka's network threads stop reading while the request queue is full. A permit returns
 * when the request's response slot ends.
 *
 * <p>Unlike Kafka's queue, a request counts until it is answered, so a long-poll fetch waiting in the purgatory
 * holds a permit (Kafka's handler threads take it off the queue first). Thread-safe: permits are taken on event
 * loops and returned from any thread; each waiter is woken on its own event loop by the callback it registered.
 */
final class RequestQueueLimit {
    /** No limit: permits are always granted and nothing is counted. */
    static final RequestQueueLimit UNLIMITED = new RequestQueueLimit(Integer.MAX_VALUE);

    private final int maxQueued;
    private final AtomicInteger queued = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> waiters = new ConcurrentLinkedQueue<>();

    RequestQueueLimit(int maxQueued) {
        if (maxQueued < 1) {
            throw new IllegalArgumentException("queued.max.requests " + maxQueued);
        }
        this.maxQueued = maxQueued;
    }

    /** Takes a permit if one is left. */
    boolean tryAcquire() {
        if (maxQueued == Integer.MAX_VALUE) {
            return true;
        }
        while (true) {
            int now = queued.get();
            if (now >= maxQueued) {
                return false;
            }
            if (queued.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Returns a permit taken by {@link #tryAcquire}, waking the connections that wait for one. */
    void release() {
        if (maxQueued == Integer.MAX_VALUE) {
            return;
        }
        queued.decrementAndGet();
        wakeWaiters();
    }

    /**
     * Registers {@code wakeUp} to run once a permit may be free (at once if one already is); it must hop to its own
     * event loop and try again. Called after {@link #tryAcquire} failed.
     */
    void awaitPermit(Runnable wakeUp) {
        waiters.add(wakeUp);
        if (queued.get() < maxQueued) {
            wakeWaiters(); // a release between the failed attempt and the registration
        }
    }

    /** Requests holding a permit now. */
    int queued() {
        return queued.get();
    }

    private void wakeWaiters() {
        // Every waiter retries; those that lose the race register again. Kafka's network threads also all retry.
        Runnable waiter;
        while (queued.get() < maxQueued && (waiter = waiters.poll()) != null) {
            waiter.run();
        }
    }
}
