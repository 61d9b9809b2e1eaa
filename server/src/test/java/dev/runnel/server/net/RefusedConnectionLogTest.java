package dev.runnel.server.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RefusedConnectionLogTest {
    private long nanos = 123_456_789L;

    @Test
    void theFirstRefusalIsLoggedThenOneLinePerIntervalCountingTheRest() throws Exception {
        RefusedConnectionLog log = new RefusedConnectionLog(() -> nanos);
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");
        assertEquals("Rejected connection from /10.0.0.1, address already has the configured maximum of 2 connections.",
                log.refused(a, 2));
        for (int i = 0; i < 1000; i++) {
            nanos += TimeUnit.MILLISECONDS.toNanos(5);
            assertNull(log.refused(i % 2 == 0 ? a : b, 2), "refusal " + i + " within the interval");
        }
        nanos += RefusedConnectionLog.INTERVAL_NANOS;
        assertEquals("Rejected connection from /10.0.0.2, address already has the configured maximum of 1 connections."
                + " 1000 more connections were rejected by per-address limits since the last such message.",
                log.refused(b, 1));
        assertNull(log.refused(a, 2));
        nanos += RefusedConnectionLog.INTERVAL_NANOS;
        assertEquals("Rejected connection from /10.0.0.1, address already has the configured maximum of 2 connections."
                + " 1 more connections were rejected by per-address limits since the last such message.",
                log.refused(a, 2));
    }
}
