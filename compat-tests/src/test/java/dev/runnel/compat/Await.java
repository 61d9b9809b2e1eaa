package dev.runnel.compat;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits for integration tests: poll a condition every 50 ms until it holds or the time is up. */
final class Await {
    private Await() {
    }

    /** Waits until {@code condition} holds; on timeout fails with {@code what} and the state {@code dump} describes. */
    static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<String> dump) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what + "\n" + dump.get());
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    static void until(Duration timeout, String what, BooleanSupplier condition) {
        until(timeout, what, condition, () -> "");
    }
}
