package dev.runnel.server.group;

import io.netty.util.Timeout;
import io.netty.util.Timer;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Named deadlines of one coordinator partition (a member's session, a group's join or sync phase). Scheduling a
 * key replaces its previous deadline. The timer thread only posts the task to the partition lane, where it runs
 * unless it was cancelled or replaced in the meantime. Used only on the lane, apart from the timer callback.
 */
final class KeyedTimer {
    private final Timer timer;
    private final Executor lane;
    private final Map<String, Timeout> timeouts = new HashMap<>();

    KeyedTimer(Timer timer, Executor lane) {
        this.timer = timer;
        this.lane = lane;
    }

    void schedule(String key, long delayMs, Runnable task) {
        cancel(key);
        Timeout[] self = new Timeout[1];
        self[0] = timer.newTimeout(t -> lane.execute(() -> {
            if (timeouts.get(key) == self[0]) {
                timeouts.remove(key);
                task.run();
            }
        }), delayMs, TimeUnit.MILLISECONDS);
        timeouts.put(key, self[0]);
    }

    void cancel(String key) {
        Timeout t = timeouts.remove(key);
        if (t != null) {
            t.cancel();
        }
    }

    boolean isScheduled(String key) {
        return timeouts.containsKey(key);
    }

    void cancelAll() {
        timeouts.values().forEach(Timeout::cancel);
        timeouts.clear();
    }
}
