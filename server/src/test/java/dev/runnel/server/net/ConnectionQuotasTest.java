package dev.runnel.server.net;

import dev.runnel.server.net.ConnectionQuotas.Limits;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.runnel.server.net.ConnectionQuotas.Verdict.ADMIT;
import static dev.runnel.server.net.ConnectionQuotas.Verdict.REFUSE;
import static dev.runnel.server.net.ConnectionQuotas.Verdict.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionQuotasTest {
    private static final InetAddress A = address("10.0.0.1");
    private static final InetAddress B = address("10.0.0.2");
    private static final InetAddress V6 = address("::1");
    private static final int UNLIMITED = Integer.MAX_VALUE;

    @Test
    void anAddressAtItsLimitIsRefusedWhileAnotherAddressIsAdmitted() {
        ConnectionQuotas quotas = new ConnectionQuotas(new Limits(UNLIMITED, 2, Map.of()));
        assertEquals(ADMIT, quotas.admit(A));
        assertEquals(ADMIT, quotas.admit(A));
        assertEquals(REFUSE, quotas.admit(A));
        assertEquals(REFUSE, quotas.admit(A));
        assertEquals(ADMIT, quotas.admit(B));
        assertEquals(2, quotas.open(A), "refusals are not counted");
        assertEquals(1, quotas.open(B));
        assertEquals(3, quotas.open());
    }

    @Test
    void anOverrideReplacesTheDefaultForItsAddressOnly() {
        ConnectionQuotas quotas = new ConnectionQuotas(new Limits(UNLIMITED, 1, Map.of(A, 3, V6, 0)));
        for (int i = 0; i < 3; i++) {
            assertEquals(ADMIT, quotas.admit(A), "connection " + i);
        }
        assertEquals(REFUSE, quotas.admit(A));
        assertEquals(ADMIT, quotas.admit(B));
        assertEquals(REFUSE, quotas.admit(B));
        assertEquals(REFUSE, quotas.admit(V6), "an override of 0 refuses the address entirely");
    }

    @Test
    void aDefaultOfZeroAdmitsOnlyOverriddenAddresses() {
        ConnectionQuotas quotas = new ConnectionQuotas(new Limits(UNLIMITED, 0, Map.of(A, 1)));
        assertEquals(REFUSE, quotas.admit(B));
        assertEquals(ADMIT, quotas.admit(A));
        assertEquals(REFUSE, quotas.admit(A));
    }

    @Test
    void closingAConnectionReleasesItsCountAndForgetsIdleAddresses() {
        ConnectionQuotas quotas = new ConnectionQuotas(new Limits(UNLIMITED, 2, Map.of()));
        quotas.admit(A);
        quotas.admit(A);
        quotas.admit(B);
        assertEquals(REFUSE, quotas.admit(A));
        quotas.release(A);
        assertEquals(1, quotas.open(A));
        assertEquals(ADMIT, quotas.admit(A), "a closed connection frees its address's slot");
        quotas.release(A);
        quotas.release(A);
        quotas.release(B);
        assertEquals(0, quotas.open());
        assertEquals(0, quotas.addresses(), "no entry is kept for an address without connections");
        assertThrows(IllegalStateException.class, () -> quotas.release(A));
    }

    @Test
    void theBrokerWideLimitComesFirstAndCountsNothing() {
        ConnectionQuotas quotas = new ConnectionQuotas(new Limits(2, 1, Map.of()));
        assertEquals(ADMIT, quotas.admit(A));
        assertEquals(REFUSE, quotas.admit(A));
        assertEquals(ADMIT, quotas.admit(B));
        assertFalse(quotas.slotAvailable());
        // at max.connections a connection waits for a slot before its address is even looked at (as Kafka)
        assertEquals(WAIT, quotas.admit(A));
        assertEquals(WAIT, quotas.admit(address("10.0.0.3")));
        assertEquals(2, quotas.open());
        quotas.release(B);
        assertTrue(quotas.slotAvailable());
        assertEquals(REFUSE, quotas.admit(A), "then its address limit applies");
    }

    @Test
    void newLimitsApplyToTheNextConnectionAndLeaveOpenOnesCounted() {
        ConnectionQuotas quotas = new ConnectionQuotas(new Limits(UNLIMITED, 1, Map.of()));
        quotas.admit(A);
        assertEquals(REFUSE, quotas.admit(A));

        quotas.update(new Limits(UNLIMITED, 3, Map.of()));
        assertEquals(ADMIT, quotas.admit(A));
        assertEquals(ADMIT, quotas.admit(A));
        assertEquals(REFUSE, quotas.admit(A));

        quotas.update(new Limits(UNLIMITED, 3, Map.of(A, 1)));
        assertEquals(3, quotas.open(A), "a lowered limit closes nothing");
        assertEquals(REFUSE, quotas.admit(A));
        quotas.release(A);
        quotas.release(A);
        assertEquals(REFUSE, quotas.admit(A), "still at its new limit of 1");
        quotas.release(A);
        assertEquals(ADMIT, quotas.admit(A));

        quotas.update(new Limits(UNLIMITED, 3, Map.of()));
        assertEquals(ADMIT, quotas.admit(A), "removing the override restores the default");
    }

    @Test
    void loweringMaxConnectionsReportsTheExcess() {
        ConnectionQuotas quotas = new ConnectionQuotas(new Limits(5, UNLIMITED, Map.of()));
        for (int i = 0; i < 4; i++) {
            quotas.admit(A);
        }
        assertEquals(0, quotas.excess());
        quotas.update(new Limits(1, UNLIMITED, Map.of()));
        assertEquals(3, quotas.excess());
        assertEquals(WAIT, quotas.admit(B));
        quotas.release(A);
        quotas.release(A);
        quotas.release(A);
        assertEquals(0, quotas.excess());
        assertFalse(quotas.slotAvailable());
    }

    @Test
    void aConnectionWithoutAPeerAddressCountsOnlyBrokerWide() {
        ConnectionQuotas quotas = new ConnectionQuotas(new Limits(2, 0, Map.of(A, 1)));
        assertEquals(ADMIT, quotas.admit(null));
        assertEquals(1, quotas.open());
        assertEquals(0, quotas.addresses());
        quotas.release(null);
        assertEquals(0, quotas.open());
    }

    /** Seeded random admit/release/update sequences against a plain model of the rules. */
    @Test
    void randomSequencesMatchAModelOfKafkasRules() {
        long seed = Long.getLong("seed", System.nanoTime());
        Random random = new Random(seed);
        InetAddress[] addresses = {A, B, V6, address("10.0.0.4")};
        Limits limits = new Limits(6, 2, Map.of(A, 3));
        ConnectionQuotas quotas = new ConnectionQuotas(limits);
        Map<InetAddress, Integer> model = new HashMap<>();
        List<InetAddress> open = new ArrayList<>();
        for (int step = 0; step < 5_000; step++) {
            int op = random.nextInt(10);
            String where = "seed " + seed + " step " + step;
            if (op < 5) {
                InetAddress from = addresses[random.nextInt(addresses.length)];
                int fromCount = model.getOrDefault(from, 0);
                var expected = open.size() >= limits.maxConnections() ? WAIT
                        : fromCount >= limits.perIpOverrides().getOrDefault(from, limits.maxConnectionsPerIp()) ? REFUSE
                        : ADMIT;
                assertEquals(expected, quotas.admit(from), where);
                if (expected == ADMIT) {
                    model.merge(from, 1, Integer::sum);
                    open.add(from);
                }
            } else if (op < 9 && !open.isEmpty()) {
                InetAddress from = open.remove(random.nextInt(open.size()));
                model.merge(from, -1, Integer::sum);
                quotas.release(from);
            } else if (op == 9) {
                Map<InetAddress, Integer> overrides = new HashMap<>();
                if (random.nextBoolean()) {
                    overrides.put(addresses[random.nextInt(addresses.length)], random.nextInt(4));
                }
                limits = new Limits(1 + random.nextInt(8), random.nextInt(4), overrides);
                quotas.update(limits);
            }
            assertEquals(open.size(), quotas.open(), where);
            assertEquals(Math.max(0, open.size() - limits.maxConnections()), quotas.excess(), where);
            for (InetAddress address : addresses) {
                assertEquals(model.getOrDefault(address, 0), quotas.open(address), where + " " + address);
            }
        }
    }

    @Test
    void limitsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new Limits(-1, 1, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Limits(1, -1, Map.of()));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
