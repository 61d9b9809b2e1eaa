package dev.runnel.server.config;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static dev.runnel.server.config.BrokerConfigKeys.*;
import static dev.runnel.server.config.ConfigSource.DEFAULT_CONFIG;
import static dev.runnel.server.config.ConfigSource.DYNAMIC_BROKER_CONFIG;
import static dev.runnel.server.config.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
import static dev.runnel.server.config.ConfigSource.STATIC_BROKER_CONFIG;

/**
 * The broker's configuration: server.properties and {@code --override}s (the static layer) over the defaults of
 * {@link BrokerConfigKeys}, under two runtime layers that AlterConfigs changes (this broker's dynamic values, then
 * cluster-wide dynamic defaults). A value's precedence is dynamic broker, dynamic default, static, default.
 *
 * <p>Thread-safe: readers see an immutable snapshot through a volatile field, so they never lock; dynamic
 * updates validate the whole change first and then publish a new snapshot, so a rejected change alters nothing.
 * Change listeners run on the updating thread after publication.
 */
public final class BrokerConfig {
    private static final Logger LOG = LogManager.getLogger(BrokerConfig.class);
    private static final List<ConfigSource> LAYERS =
            List.of(DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG);

    private final Map<String, String> staticText;
    private final Object updateLock = new Object();
    private final List<Consumer<Set<String>>> changeListeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot;

    /** Text of both dynamic layers and the merged, parsed value of every defined key (null when unset). */
    private record Snapshot(Map<String, String> dynamicBroker, Map<String, String> dynamicDefault,
                            Map<String, Object> effective) {
    }

    private BrokerConfig(Map<String, String> staticText) {
        this.staticText = Collections.unmodifiableMap(new TreeMap<>(staticText));
        this.snapshot = merge(this.staticText, Map.of(), Map.of());
    }

    /** Validates {@code properties} as the static layer; unknown keys are logged and otherwise ignored. */
    public static BrokerConfig of(Map<String, String> properties) {
        Map<String, String> props = new HashMap<>(properties);
        props.values().removeIf(Objects::isNull);
        copyNodeIdSynonym(props);
        for (String key : props.keySet()) {
            if (BrokerConfigKeys.get(key) == null && KNOWN_PREFIXES.stream().noneMatch(key::startsWith)) {
                LOG.warn("Unknown configuration '{}' was supplied and is ignored", key);
            }
        }
        return new BrokerConfig(props);
    }

    /** Reads {@code file} (when not null) and applies {@code overrides} on top, as kafka-server-start does. */
    public static BrokerConfig load(Path file, Map<String, String> overrides) throws IOException {
        Map<String, String> props = file == null ? new HashMap<>() : ServerArguments.readProperties(file);
        props.putAll(overrides);
        return of(props);
    }

    // ---- typed access to effective values

    /** The effective parsed value of a defined key, or null when it has neither a value nor a default. */
    public Object get(String name) {
        requireKey(name);
        return snapshot.effective().get(name);
    }

    public int getInt(String name) {
        return (Integer) require(name);
    }

    public short getShort(String name) {
        return (Short) require(name);
    }

    public long getLong(String name) {
        return (Long) require(name);
    }

    public double getDouble(String name) {
        return (Double) require(name);
    }

    public boolean getBoolean(String name) {
        return (Boolean) require(name);
    }

    /** The string (or class name) value, or null when unset without a default. */
    public String getString(String name) {
        return (String) get(name);
    }

    /** The list value, or null when unset without a default. */
    @SuppressWarnings("unchecked")
    public List<String> getList(String name) {
        return (List<String>) get(name);
    }

    /** Where the effective value of {@code name} itself comes from (synonyms aside). */
    public ConfigSource source(String name) {
        requireKey(name);
        Snapshot current = snapshot;
        if (current.dynamicBroker().containsKey(name)) {
            return DYNAMIC_BROKER_CONFIG;
        }
        if (current.dynamicDefault().containsKey(name)) {
            return DYNAMIC_DEFAULT_BROKER_CONFIG;
        }
        return staticText.containsKey(name) ? STATIC_BROKER_CONFIG : DEFAULT_CONFIG;
    }

    // ---- the values most of the broker needs, with Kafka's precedence between synonyms

    public int nodeId() {
        return getInt(NODE_ID);
    }

    /** Endpoints to bind, in configuration order. */
    public List<Endpoint> listeners() {
        return Endpoint.parseList(LISTENERS, getList(LISTENERS));
    }

    /**
     * Endpoints published to clients: {@code advertised.listeners} when set, otherwise {@code listeners}; an empty
     * or wildcard host becomes this machine's canonical host name, as in Kafka. A port of 0 is left as 0: only the
     * running server knows the port it was given.
     */
    public List<Endpoint> advertisedListeners() {
        List<String> advertised = getList(ADVERTISED_LISTENERS);
        List<Endpoint> endpoints = advertised != null
                ? Endpoint.parseList(ADVERTISED_LISTENERS, advertised) : listeners();
        List<Endpoint> resolved = new ArrayList<>(endpoints.size());
        for (Endpoint endpoint : endpoints) {
            resolved.add(endpoint.wildcardHost() ? endpoint.withHostAndPort(localHostName(), endpoint.port()) : endpoint);
        }
        return resolved;
    }

    /** The security protocol of a listener name, from {@code listener.security.protocol.map}. */
    public SecurityProtocol securityProtocol(String listenerName) {
        SecurityProtocol protocol = SecurityProtocol.parseMap(LISTENER_SECURITY_PROTOCOL_MAP,
                getString(LISTENER_SECURITY_PROTOCOL_MAP)).get(listenerName);
        if (protocol == null) {
            throw new ConfigException("No security protocol is defined for listener " + listenerName
                    + " in " + LISTENER_SECURITY_PROTOCOL_MAP);
        }
        return protocol;
    }

    /** {@code log.dirs}, or {@code log.dir} when it is unset. */
    public List<Path> logDirs() {
        List<String> dirs = getList(LOG_DIRS) != null ? getList(LOG_DIRS) : getList(LOG_DIR);
        return dirs.stream().map(Path::of).toList();
    }

    /** {@code log.retention.ms}, else minutes, else hours; any negative value means "no limit" and is -1. */
    public long logRetentionMs() {
        Long ms = (Long) get(LOG_RETENTION_MS);
        Integer minutes = (Integer) get(LOG_RETENTION_MINUTES);
        long millis = ms != null ? ms : minutes != null ? minutes * 60_000L : getInt(LOG_RETENTION_HOURS) * 3_600_000L;
        return millis < 0 ? -1 : millis;
    }

    /** {@code log.roll.ms}, else {@code log.roll.hours}. */
    public long logRollMs() {
        Long ms = (Long) get(LOG_ROLL_MS);
        return ms != null ? ms : getInt(LOG_ROLL_HOURS) * 3_600_000L;
    }

    /** {@code log.roll.jitter.ms}, else {@code log.roll.jitter.hours}. */
    public long logRollJitterMs() {
        Long ms = (Long) get(LOG_ROLL_JITTER_MS);
        return ms != null ? ms : getInt(LOG_ROLL_JITTER_HOURS) * 3_600_000L;
    }

    /** {@code log.flush.interval.ms}, else {@code log.flush.scheduler.interval.ms}. */
    public long logFlushIntervalMs() {
        Long ms = (Long) get(LOG_FLUSH_INTERVAL_MS);
        return ms != null ? ms : getLong(LOG_FLUSH_SCHEDULER_INTERVAL_MS);
    }

    /** The ZooKeeper connection string; empty means a single broker with local metadata. */
    public Optional<String> zookeeperConnect() {
        return Optional.ofNullable(getString(ZOOKEEPER_CONNECT)).filter(s -> !s.isBlank());
    }

    // ---- dynamic layers

    /**
     * Applies AlterConfigs changes to one dynamic layer atomically: every change is checked first, and on any
     * error nothing changes. A null value removes the key from the layer.
     *
     * @param layer {@link ConfigSource#DYNAMIC_BROKER_CONFIG} or {@link ConfigSource#DYNAMIC_DEFAULT_BROKER_CONFIG}
     * @return the keys whose effective value changed; listeners are told about them after publication
     * @throws ConfigException naming the first key that cannot be changed or value that is invalid
     */
    public Set<String> alterDynamic(ConfigSource layer, Map<String, String> changes) {
        Set<String> changed;
        synchronized (updateLock) {
            Snapshot before = snapshot;
            Snapshot after = withChanges(before, layer, changes);
            changed = new java.util.TreeSet<>();
            for (String name : BrokerConfigKeys.all().keySet()) {
                if (!Objects.equals(before.effective().get(name), after.effective().get(name))) {
                    changed.add(name);
                }
            }
            snapshot = after;
        }
        if (!changed.isEmpty()) {
            Set<String> view = Collections.unmodifiableSet(changed);
            changeListeners.forEach(listener -> listener.accept(view));
        }
        return changed;
    }

    /** Checks changes as {@link #alterDynamic} would, without applying them (AlterConfigs validate_only). */
    public void validateDynamic(ConfigSource layer, Map<String, String> changes) {
        withChanges(snapshot, layer, changes);
    }

    /** The text of every key set in one dynamic layer, for persisting it. */
    public Map<String, String> dynamicConfigs(ConfigSource layer) {
        return layer == DYNAMIC_BROKER_CONFIG ? snapshot.dynamicBroker() : snapshot.dynamicDefault();
    }

    /** Registers a callback told the names of keys whose effective value changed at runtime. */
    public void onChange(Consumer<Set<String>> listener) {
        changeListeners.add(listener);
    }

    // ---- DescribeConfigs

    /** This broker's view of one key (known or only supplied in server.properties), or null if neither. */
    public ConfigEntry describe(String name) {
        return describe(snapshot, name, true);
    }

    /**
     * Every key of this broker ({@code perBroker}: all defined keys, then unknown supplied ones), or for the
     * cluster-default resource only the keys set as dynamic defaults, as Kafka answers DescribeConfigs.
     */
    public List<ConfigEntry> describeAll(boolean perBroker) {
        Snapshot current = snapshot;
        List<ConfigEntry> entries = new ArrayList<>();
        if (perBroker) {
            BrokerConfigKeys.all().keySet().forEach(name -> entries.add(describe(current, name, true)));
            staticText.keySet().stream().filter(name -> BrokerConfigKeys.get(name) == null)
                    .forEach(name -> entries.add(describe(current, name, true)));
        } else {
            current.dynamicDefault().keySet().forEach(name -> entries.add(describe(current, name, false)));
        }
        return entries;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("BrokerConfig{");
        staticText.forEach((key, value) -> {
            ConfigKey definition = BrokerConfigKeys.get(key);
            boolean hidden = definition == null || definition.type().sensitive();
            out.append(key).append('=').append(hidden ? "[hidden]" : value).append(", ");
        });
        return out.append('}').toString();
    }

    // ---- internals

    private ConfigEntry describe(Snapshot current, String name, boolean perBroker) {
        ConfigKey key = BrokerConfigKeys.get(name);
        if (key == null) {
            if (!staticText.containsKey(name)) {
                return null;
            }
            // Kafka cannot type an unknown key, so it reports it as sensitive and read-only.
            return new ConfigEntry(name, null, STATIC_BROKER_CONFIG, true, true, ConfigType.UNKNOWN, null,
                    List.of(new ConfigEntry.Synonym(name, null, STATIC_BROKER_CONFIG)));
        }
        boolean sensitive = key.type().sensitive();
        List<String> group = key.synonyms().isEmpty() ? List.of(name) : key.synonyms();
        List<ConfigEntry.Synonym> synonyms = new ArrayList<>();
        for (ConfigSource layer : LAYERS) {
            for (String synonym : group) {
                String text = layerText(current, layer, synonym);
                if (text != null && (perBroker || layer == DYNAMIC_DEFAULT_BROKER_CONFIG)) {
                    synonyms.add(new ConfigEntry.Synonym(synonym, sensitive ? null : text, layer));
                }
            }
        }
        // As Kafka does, the entry's own source is the first layer that sets this key itself; entries for
        // higher-precedence synonyms before it are dropped.
        int first = 0;
        while (first < synonyms.size() && !synonyms.get(first).name().equals(name)) {
            first++;
        }
        synonyms = synonyms.subList(first, synonyms.size());
        ConfigSource source = synonyms.isEmpty() ? DEFAULT_CONFIG : synonyms.get(0).source();
        Object value = perBroker ? current.effective().get(name) : key.parse(current.dynamicDefault().get(name));
        return new ConfigEntry(name, sensitive ? null : key.type().format(value), source, key.readOnly(), sensitive,
                key.type(), key.doc(), synonyms);
    }

    private String layerText(Snapshot current, ConfigSource layer, String name) {
        return switch (layer) {
            case DYNAMIC_BROKER_CONFIG -> current.dynamicBroker().get(name);
            case DYNAMIC_DEFAULT_BROKER_CONFIG -> current.dynamicDefault().get(name);
            case STATIC_BROKER_CONFIG -> staticText.get(name);
            default -> BrokerConfigKeys.get(name).type().format(BrokerConfigKeys.get(name).defaultValue());
        };
    }

    private Snapshot withChanges(Snapshot current, ConfigSource layer, Map<String, String> changes) {
        if (layer != DYNAMIC_BROKER_CONFIG && layer != DYNAMIC_DEFAULT_BROKER_CONFIG) {
            throw new IllegalArgumentException("Not a dynamic layer: " + layer);
        }
        Map<String, String> updated = new TreeMap<>(layer == DYNAMIC_BROKER_CONFIG
                ? current.dynamicBroker() : current.dynamicDefault());
        changes.forEach((name, text) -> {
            ConfigKey key = BrokerConfigKeys.get(name);
            if (key == null) {
                throw new ConfigException(name, text, "Unknown broker configuration");
            }
            if (key.readOnly()) {
                throw new ConfigException(name, text, "Cannot update this configuration dynamically");
            }
            if (layer == DYNAMIC_DEFAULT_BROKER_CONFIG && key.update() == ConfigKey.Update.PER_BROKER) {
                throw new ConfigException(name, text, "Cannot update this configuration as a cluster-wide default");
            }
            if (text == null) {
                updated.remove(name);
            } else {
                key.parse(text);
                updated.put(name, text);
            }
        });
        Map<String, String> frozen = Collections.unmodifiableMap(updated);
        return layer == DYNAMIC_BROKER_CONFIG
                ? merge(staticText, frozen, current.dynamicDefault())
                : merge(staticText, current.dynamicBroker(), frozen);
    }

    /** Parses and validates every layer, merges them by precedence and checks rules spanning several keys. */
    private static Snapshot merge(Map<String, String> staticText, Map<String, String> dynamicBroker,
                                  Map<String, String> dynamicDefault) {
        Map<String, Object> effective = new HashMap<>();
        for (ConfigKey key : BrokerConfigKeys.all().values()) {
            String text = dynamicBroker.get(key.name());
            if (text == null) {
                text = dynamicDefault.get(key.name());
            }
            if (text == null) {
                text = staticText.get(key.name());
            }
            effective.put(key.name(), text == null ? key.defaultValue() : key.parse(text));
        }
        checkListeners(effective);
        ConnectionsPerIpOverrides.checkZeroNeedsOverrides((Integer) effective.get(MAX_CONNECTIONS_PER_IP),
                (String) effective.get(MAX_CONNECTIONS_PER_IP_OVERRIDES));
        return new Snapshot(dynamicBroker, dynamicDefault, Collections.unmodifiableMap(effective));
    }

    @SuppressWarnings("unchecked")
    private static void checkListeners(Map<String, Object> effective) {
        List<Endpoint> listeners = Endpoint.parseList(LISTENERS, (List<String>) effective.get(LISTENERS));
        Map<String, SecurityProtocol> protocols = SecurityProtocol.parseMap(LISTENER_SECURITY_PROTOCOL_MAP,
                (String) effective.get(LISTENER_SECURITY_PROTOCOL_MAP));
        Set<String> names = new java.util.HashSet<>();
        for (Endpoint listener : listeners) {
            if (!protocols.containsKey(listener.listenerName())) {
                throw new ConfigException(LISTENERS, listener, "No security protocol is defined for listener "
                        + listener.listenerName() + " in " + LISTENER_SECURITY_PROTOCOL_MAP);
            }
            names.add(listener.listenerName());
        }
        List<String> advertised = (List<String>) effective.get(ADVERTISED_LISTENERS);
        if (advertised != null) {
            for (Endpoint endpoint : Endpoint.parseList(ADVERTISED_LISTENERS, advertised)) {
                if (!names.contains(endpoint.listenerName())) {
                    throw new ConfigException(ADVERTISED_LISTENERS, String.join(",", advertised),
                            "Listener " + endpoint.listenerName() + " is not in " + LISTENERS);
                }
                if (endpoint.wildcardHost() && !endpoint.host().isEmpty()) {
                    throw new ConfigException(ADVERTISED_LISTENERS, String.join(",", advertised),
                            "Cannot advertise the non-routable address " + endpoint.host());
                }
            }
        }
        String interBroker = (String) effective.get("inter.broker.listener.name");
        if (interBroker != null && !names.contains(interBroker.toUpperCase(java.util.Locale.ROOT))) {
            throw new ConfigException("inter.broker.listener.name", interBroker, "Not a listener in " + LISTENERS);
        }
    }

    /** Kafka copies node.id to broker.id and back, and refuses two different values. */
    private static void copyNodeIdSynonym(Map<String, String> props) {
        String nodeId = props.get(NODE_ID);
        String brokerId = props.get(BROKER_ID);
        if (nodeId != null && brokerId != null) {
            Object parsedNode = BrokerConfigKeys.get(NODE_ID).parse(nodeId);
            Object parsedBroker = BrokerConfigKeys.get(BROKER_ID).parse(brokerId);
            if (!parsedNode.equals(parsedBroker)) {
                throw new ConfigException("If both " + NODE_ID + " and " + BROKER_ID + " are set, they must be equal: "
                        + NODE_ID + "=" + nodeId + ", " + BROKER_ID + "=" + brokerId);
            }
        } else if (nodeId != null) {
            props.put(BROKER_ID, nodeId);
        } else if (brokerId != null) {
            props.put(NODE_ID, brokerId);
        }
    }

    private Object require(String name) {
        Object value = get(name);
        if (value == null) {
            throw new IllegalStateException(name + " has no value and no default");
        }
        return value;
    }

    private static void requireKey(String name) {
        if (BrokerConfigKeys.get(name) == null) {
            throw new IllegalArgumentException("Not a broker configuration key: " + name);
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
