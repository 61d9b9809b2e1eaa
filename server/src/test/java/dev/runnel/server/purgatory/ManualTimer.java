package dev.runnel.server.purgatory;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** A timer that fires only when a test advances its clock. */
public final class ManualTimer implements Timer {
    private final List<ManualTimeout> pending = new ArrayList<>();
    private long nowMs;

    public synchronized void advance(long ms) {
        nowMs += ms;
        List<ManualTimeout> due = new ArrayList<>();
        for (ManualTimeout t : pending) {
            if (t.deadlineMs <= nowMs && !t.cancelled) {
                due.add(t);
            }
        }
        pending.removeAll(due);
        pending.removeIf(t -> t.cancelled);
        for (ManualTimeout t : due) {
            t.expired = true;
            try {
                t.task.run(t);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public synchronized int pendingCount() {
        pending.removeIf(t -> t.cancelled);
        return pending.size();
    }

    @Override
    public synchronized Timeout newTimeout(TimerTask task, long delay, TimeUnit unit) {
        ManualTimeout t = new ManualTimeout(task, nowMs + unit.toMillis(delay));
        pending.add(t);
        return t;
    }

    @Override
    public Set<Timeout> stop() {
        return Set.of();
    }

    private final class ManualTimeout implements Timeout {
        final TimerTask task;
        final long deadlineMs;
        volatile boolean cancelled;
        volatile boolean expired;

        ManualTimeout(TimerTask task, long deadlineMs) {
            this.task = task;
            this.deadlineMs = deadlineMs;
        }

        @Override
        public Timer timer() {
            return ManualTimer.this;
        }

        @Override
        public TimerTask task() {
            return task;
        }

        @Override
        public boolean isExpired() {
            return expired;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean cancel() {
            cancelled = true;
            return true;
        }
    }
}
