package dev.runnel.wire.record;

import java.util.Random;
import java.util.function.Consumer;

/** Seeded randomness for tests: {@code -Dseed=N} replays a run; a failure names the seed that caused it. */
final class Seeds {
    private Seeds() {
    }

    static long seed() {
        String fixed = System.getProperty("seed");
        return fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    }

    static void run(Consumer<Random> test) {
        long seed = seed();
        try {
            test.accept(new Random(seed));
        } catch (Throwable t) {
            throw new AssertionError("failed with -Dseed=" + seed + ": " + t, t);
        }
    }
}
