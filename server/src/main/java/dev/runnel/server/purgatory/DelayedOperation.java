package dev.runnel.server.purgatory;

import io.netty.util.Timeout;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An operation that waits in a {@link Purgatory} until a condition holds (enough bytes to fetch, replicas
 * caught up, members joined) or its deadline passes. {@link #tryComplete()} is called on every event for
 * one of its keys, on whatever thread raised the event; {@link #onComplete()} runs exactly once.
 */
public abstract class DelayedOperation {
    private final long delayMs;
    private final AtomicBoolean completed = new AtomicBoolean();
    private volatile Timeout timeout;

    protected DelayedOperation(long delayMs) {
        this.delayMs = delayMs;
    }

    public long delayMs() {
        return delayMs;
    }

    /**
     * Checks the condition and, when it holds, calls {@link #forceComplete()}. Returns whether this
     * operation is now complete. Must be cheap and thread-safe.
     */
    public abstract boolean tryComplete();

    /** Builds and sends the result. Called once, by whichever thread completed the operation. */
    protected abstract void onComplete();

    /** Called once before {@link #onComplete()} when the deadline passed. */
    protected void onExpiration() {
    }

    /** Completes now, whatever the condition. Returns false when another thread completed it first. */
    public final boolean forceComplete() {
        if (!completed.compareAndSet(false, true)) {
            return false;
        }
        Timeout t = timeout;
        if (t != null) {
            t.cancel();
        }
        onComplete();
        return true;
    }

    public final boolean isCompleted() {
        return completed.get();
    }

    final void expire() {
        if (!isCompleted()) {
            onExpiration();
            forceComplete();
        }
    }

    final void setTimeout(Timeout timeout) {
        this.timeout = timeout;
        if (isCompleted()) {
            timeout.cancel();
        }
    }
}
