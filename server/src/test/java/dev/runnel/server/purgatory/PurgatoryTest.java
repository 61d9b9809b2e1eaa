package dev.runnel.server.purgatory;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PurgatoryTest {
    /** Completes when the shared counter reaches a threshold, like a fetch waiting for min.bytes. */
    private static final class WaitForCount extends DelayedOperation {
        final AtomicInteger source;
        final int threshold;
        int completions;
        boolean expired;

        WaitForCount(AtomicInteger source, int threshold, long delayMs) {
            super(delayMs);
            this.source = source;
            this.threshold = threshold;
        }

        @Override
        public boolean tryComplete() {
            return source.get() >= threshold && forceComplete();
        }

        @Override
        protected void onExpiration() {
            expired = true;
        }

        @Override
        protected void onComplete() {
            completions++;
        }
    }

    private final ManualTimer timer = new ManualTimer();
    private final Purgatory<String> purgatory = new Purgatory<>(timer);

    @Test
    void completesImmediatelyWhenConditionAlreadyHolds() {
        WaitForCount op = new WaitForCount(new AtomicInteger(5), 1, 1000);
        assertTrue(purgatory.tryCompleteElseWatch(op, List.of("p0")));
        assertEquals(1, op.completions);
        assertEquals(0, purgatory.watching("p0"));
        assertEquals(0, timer.pendingCount());
    }

    @Test
    void eventOnAKeyCompletesWaitingOperationOnceAndCancelsItsTimer() {
        AtomicInteger bytes = new AtomicInteger();
        WaitForCount op = new WaitForCount(bytes, 10, 1000);
        assertFalse(purgatory.tryCompleteElseWatch(op, List.of("p0", "p1")));
        assertEquals(1, timer.pendingCount());
        bytes.set(4);
        assertEquals(0, purgatory.checkAndComplete("p0"));
        bytes.set(10);
        assertEquals(1, purgatory.checkAndComplete("p1"));
        assertEquals(0, purgatory.checkAndComplete("p0"));
        assertEquals(1, op.completions);
        assertFalse(op.expired);
        assertEquals(0, timer.pendingCount());
        assertEquals(0, purgatory.watching("p0"));
    }

    @Test
    void deadlineExpiresOperationExactlyOnce() {
        WaitForCount op = new WaitForCount(new AtomicInteger(), 10, 500);
        purgatory.tryCompleteElseWatch(op, List.of("p0"));
        timer.advance(499);
        assertEquals(0, op.completions);
        timer.advance(1);
        assertTrue(op.expired);
        assertEquals(1, op.completions);
        op.source.set(100);
        assertEquals(0, purgatory.checkAndComplete("p0"));
        assertEquals(1, op.completions);
    }
}
