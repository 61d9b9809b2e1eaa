package dev.runnel.server.net;

import dev.runnel.server.config.BrokerConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConnectionQuotaSettingsTest {

    @Test
    void readsTheThreeKeysWithKafkasDefaults() {
        assertEquals(ConnectionQuotaSettings.UNLIMITED, ConnectionQuotaSettings.from(BrokerConfig.of(Map.of())));
        ConnectionQuotaSettings settings = ConnectionQuotaSettings.from(BrokerConfig.of(Map.of(
                "max.connections", "100", "max.connections.per.ip", "0",
                "max.connections.per.ip.overrides", "broker-host:7, 127.0.0.1:200,::1:3")));
        assertEquals(new ConnectionQuotaSettings(100, 0, Map.of("broker-host", 7, "127.0.0.1", 200, "::1", 3)), settings);
    }

    @Test
    void hostNamesAreResolvedOnceWithTheResolverAndLiteralsStayAddresses() throws Exception {
        InetAddress brokerHost = InetAddress.getByAddress("broker-host", new byte[] {10, 1, 2, 3});
        List<String> lookedUp = new ArrayList<>();
        ConnectionQuotaSettings.HostResolver resolver = host -> {
            lookedUp.add(host);
            return host.equals("broker-host") ? brokerHost : InetAddress.getByName(host);
        };
        ConnectionQuotaSettings settings = new ConnectionQuotaSettings(9, 2, Map.of("broker-host", 7, "::1", 3));
        ConnectionQuotas.Limits limits = settings.resolve(resolver);
        assertEquals(9, limits.maxConnections());
        assertEquals(7, limits.limitFor(InetAddress.getByName("10.1.2.3")), "the resolved address gets the limit");
        assertEquals(3, limits.limitFor(InetAddress.getByName("0:0:0:0:0:0:0:1")));
        assertEquals(2, limits.limitFor(InetAddress.getByName("10.1.2.4")));
        assertEquals(2, lookedUp.size());
    }

    @Test
    void anUnknownHostFailsResolution() {
        ConnectionQuotaSettings settings = new ConnectionQuotaSettings(9, 2, Map.of("nowhere.invalid", 7));
        assertThrows(UnknownHostException.class, () -> settings.resolve(host -> {
            throw new UnknownHostException(host);
        }));
    }

    @Test
    void overridesAreWrittenBackAsHostCountPairs() {
        assertEquals("a:1", new ConnectionQuotaSettings(1, 1, Map.of("a", 1)).overridesText());
        assertEquals("", ConnectionQuotaSettings.UNLIMITED.overridesText());
        assertThrows(IllegalArgumentException.class, () -> new ConnectionQuotaSettings(-1, 1, Map.of()));
    }
}
