package dev.runnel.server.config;

import dev.runnel.server.metadata.MetadataStore;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The two dynamic layers of this broker's configuration (KIP-226), changed by AlterConfigs and
 * IncrementalAlterConfigs and kept in the metadata store so that they survive restarts.
 *
 * <p>Store keys: {@code <node id>:<config key>} for one broker's layer and {@code <default>:<config key>} for the
 * cluster-wide defaults (the entity names Kafka used under {@code /config/brokers} in ZooKeeper). Config keys never
 * contain ':'. Entries of other brokers are left as they are.
 *
 * <p>Thread-safe: changes are serialised on this object. {@link #replace} writes the store durably, so it blocks;
 * call it off the event loops.
 */
public final class DynamicBrokerConfigs {
    private static final Logger LOG = LogManager.getLogger(DynamicBrokerConfigs.class);
    public static final String DEFAULT_ENTITY = "<default>";

    /** Kafka's {@code SslConfigs.RECONFIGURABLE_CONFIGS}: only settable with a {@code listener.name.} prefix. */
    static final Set<String> LISTENER_ONLY_SECURITY_CONFIGS = Set.of("ssl.keystore.type", "ssl.keystore.location",
            "ssl.keystore.password", "ssl.key.password", "ssl.truststore.type", "ssl.truststore.location",
            "ssl.truststore.password", "ssl.keystore.key", "ssl.keystore.certificate.chain",
            "ssl.truststore.certificates");

    private final BrokerConfig config;
    private final MetadataStore store;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

    public DynamicBrokerConfigs(BrokerConfig config, MetadataStore store) {
        this.config = config;
        this.store = store;
    }

    public BrokerConfig config() {
        return config;
    }

    /**
     * Runs {@code listener} after every change that took effect (on the thread that made it), so that what was built
     * from the old values (the logs' configs of topics without overrides, say) follows the new ones.
     */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    /**
     * Applies the persisted layers of this broker to {@link #config()}; called once at start-up. A persisted
     * layer that no longer validates (a key made read-only by an upgrade, say) is logged and skipped whole.
     */
    public synchronized void restore() {
        for (ConfigSource layer : new ConfigSource[] {ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
                ConfigSource.DYNAMIC_BROKER_CONFIG}) {
            Map<String, String> persisted = persisted(layer);
            if (persisted.isEmpty()) {
                continue;
            }
            try {
                config.alterDynamic(layer, persisted);
            } catch (ConfigException e) {
                LOG.error("Ignoring persisted {} configs {}: {}", layer, persisted.keySet(), e.getMessage());
            }
        }
    }

    /** The text of every key set in one dynamic layer (what AlterConfigs replaced it with). */
    public Map<String, String> layer(ConfigSource layer) {
        return config.dynamicConfigs(layer);
    }

    /**
     * Replaces a whole dynamic layer with {@code newLayer}, as Kafka applies both AlterConfigs APIs: Kafka's checks
     * with Kafka's messages first, then the store is written, then the new values take effect.
     *
     * @param layer        {@link ConfigSource#DYNAMIC_BROKER_CONFIG} (resource name = this node id) or
     *                     {@link ConfigSource#DYNAMIC_DEFAULT_BROKER_CONFIG} (empty resource name)
     * @param validateOnly check only; nothing is written or applied
     * @throws ConfigException naming the keys that cannot be set, or the first invalid value; Kafka reports these
     *                         as INVALID_REQUEST (KAFKA-13609)
     */
    public synchronized void replace(ConfigSource layer, Map<String, String> newLayer, boolean validateOnly) {
        checkNames(layer, newLayer);
        Map<String, String> changes = new HashMap<>(newLayer);
        for (String key : layer(layer).keySet()) {
            changes.putIfAbsent(key, null);
        }
        config.validateDynamic(layer, changes);
        if (validateOnly) {
            return;
        }
        String prefix = entity(layer) + ":";
        Map<String, String> all = new TreeMap<>(store.dynamicBrokerConfigs());
        all.keySet().removeIf(key -> key.startsWith(prefix));
        newLayer.forEach((key, value) -> all.put(prefix + key, value));
        store.setDynamicBrokerConfigs(all);
        config.alterDynamic(layer, changes);
        changeListeners.forEach(Runnable::run);
    }

    /** Kafka's {@code DynamicBrokerConfig.validateConfigs} checks on key names, in Kafka's order. */
    private static void checkNames(ConfigSource layer, Map<String, String> props) {
        Set<String> readOnly = new TreeSet<>();
        Set<String> unprefixedSecurity = new TreeSet<>();
        Set<String> perBroker = new TreeSet<>();
        for (String name : props.keySet()) {
            ConfigKey key = BrokerConfigKeys.get(name);
            if (key != null && key.readOnly()) {
                readOnly.add(name);
            }
            if (LISTENER_ONLY_SECURITY_CONFIGS.contains(name)) {
                unprefixedSecurity.add(name);
            }
            if (key != null && key.update() == ConfigKey.Update.PER_BROKER) {
                perBroker.add(name);
            }
        }
        failIfAny(readOnly, "Cannot update these configs dynamically");
        failIfAny(unprefixedSecurity,
                "These security configs can be dynamically updated only per-listener using the listener prefix");
        if (layer == ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG) {
            failIfAny(perBroker, "Cannot update these configs at default cluster level, broker id must be specified");
        }
    }

    private static void failIfAny(Set<String> names, String message) {
        if (!names.isEmpty()) {
            throw new ConfigException(message + ": " + names);
        }
    }

    private Map<String, String> persisted(ConfigSource layer) {
        String prefix = entity(layer) + ":";
        Map<String, String> layerText = new TreeMap<>();
        store.dynamicBrokerConfigs().forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                layerText.put(key.substring(prefix.length()), value);
            }
        });
        return layerText;
    }

    private String entity(ConfigSource layer) {
        return switch (layer) {
            case DYNAMIC_BROKER_CONFIG -> Integer.toString(config.nodeId());
            case DYNAMIC_DEFAULT_BROKER_CONFIG -> DEFAULT_ENTITY;
            default -> throw new IllegalArgumentException("Not a dynamic layer: " + layer);
        };
    }
}
