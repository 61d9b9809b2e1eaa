package dev.runnel.server.net;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Words the log line for connections refused by {@code max.connections.per.ip}, without flooding: Kafka logs
 * every refusal at INFO, which a client reconnecting in a loop turns into a line per attempt. Here the first refusal
 * is logged, then at most one line per {@link #INTERVAL_NANOS}, counting the refusals left unlogged in between.
 *
 * <p>Not thread-safe: owned by the acceptor event loop. Time comes from an injected nanosecond clock.
 */
final class RefusedConnectionLog {
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final LongSupplier nanoClock;
    private boolean loggedBefore;
    private long lastLoggedNanos;
    private long unlogged;

    RefusedConnectionLog(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Records a refusal; returns the line to log now, or null when it is only counted for the next line. */
    String refused(InetAddress address, int limit) {
        long now = nanoClock.getAsLong();
        if (loggedBefore && now - lastLoggedNanos < INTERVAL_NANOS) {
            unlogged++;
            return null;
        }
        String line = "Rejected connection from " + address + ", address already has the configured maximum of "
                + limit + " connections." + (unlogged == 0 ? ""
                : " " + unlogged + " more connections were rejected by per-address limits since the last such message.");
        loggedBefore = true;
        lastLoggedNanos = now;
        unlogged = 0;
        return line;
    }
}
