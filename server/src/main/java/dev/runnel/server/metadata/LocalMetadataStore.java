package dev.runnel.server.metadata;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The single-broker metadata store: everything in one properties file, {@code runnel-metadata.properties}
 * in the first log dir, replaced atomically (write a temporary file, fsync, rename, fsync the directory) on
 * every change, so a crash leaves either the old or the new file.
 *
 * <p>File layout (Java properties; topic names cannot contain ':', so it separates key parts):
 * <pre>
 * version=1
 * topic:&lt;name&gt;=&lt;topic id&gt;
 * partition:&lt;name&gt;:&lt;index&gt;=&lt;leader&gt;,&lt;leader epoch&gt;,&lt;replicas separated by ;&gt;,&lt;isr separated by ;&gt;
 * config:&lt;name&gt;:&lt;config key&gt;=&lt;value&gt;
 * broker-config:&lt;config key&gt;=&lt;value&gt;
 * next-producer-id=&lt;first producer id not yet handed out in a block&gt;
 * </pre>
 *
 * <p>Readers see an immutable snapshot through a volatile field; writers are serialised by the monitor.
 */
public final class LocalMetadataStore implements MetadataStore {
    static final String FILE_NAME = "runnel-metadata.properties";

    private record Snapshot(Map<String, TopicMetadata> byName, Map<UUID, TopicMetadata> byId,
                            Map<String, String> brokerConfigs, long nextProducerId) {
    }

    private final Path file;
    private volatile Snapshot snapshot;

    private LocalMetadataStore(Path file, Snapshot snapshot) {
        this.file = file;
        this.snapshot = snapshot;
    }

    /** Opens the store in {@code dir}, creating an empty one when there is no file yet. */
    public static LocalMetadataStore open(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(FILE_NAME + ".tmp"));
            Properties props = new Properties();
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    props.load(in);
                }
            }
            return new LocalMetadataStore(file, parse(props));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open metadata store " + file, e);
        }
    }

    @Override
    public Collection<TopicMetadata> topics() {
        return snapshot.byName.values();
    }

    @Override
    public Optional<TopicMetadata> topic(String name) {
        return Optional.ofNullable(snapshot.byName.get(name));
    }

    @Override
    public Optional<TopicMetadata> topic(UUID topicId) {
        return Optional.ofNullable(snapshot.byId.get(topicId));
    }

    @Override
    public void createTopic(TopicMetadata topic) {
        createTopics(List.of(topic));
    }

    @Override
    public synchronized void createTopics(Collection<TopicMetadata> added) {
        Map<String, TopicMetadata> topics = new TreeMap<>(snapshot.byName);
        for (TopicMetadata topic : added) {
            if (topics.putIfAbsent(topic.name(), topic) != null) {
                throw new TopicExistsException(topic.name());
            }
        }
        replace(topics, snapshot.brokerConfigs); // one copy and one fsync for the whole request
    }

    @Override
    public synchronized long allocateProducerIdBlock(int size) {
        long first = snapshot.nextProducerId;
        Snapshot next = new Snapshot(snapshot.byName, snapshot.byId, snapshot.brokerConfigs, first + size);
        write(next);
        snapshot = next;
        return first;
    }

    @Override
    public synchronized void updateTopic(TopicMetadata topic) {
        TopicMetadata existing = snapshot.byName.get(topic.name());
        if (existing == null || !existing.topicId().equals(topic.topicId())) {
            throw new IllegalArgumentException("no topic " + topic.name() + " with id " + topic.topicId());
        }
        Map<String, TopicMetadata> topics = new TreeMap<>(snapshot.byName);
        topics.put(topic.name(), topic);
        replace(topics, snapshot.brokerConfigs);
    }

    @Override
    public synchronized Optional<TopicMetadata> deleteTopic(String name) {
        TopicMetadata existing = snapshot.byName.get(name);
        if (existing != null) {
            Map<String, TopicMetadata> topics = new TreeMap<>(snapshot.byName);
            topics.remove(name);
            replace(topics, snapshot.brokerConfigs);
        }
        return Optional.ofNullable(existing);
    }

    @Override
    public Map<String, String> dynamicBrokerConfigs() {
        return snapshot.brokerConfigs;
    }

    @Override
    public synchronized void setDynamicBrokerConfigs(Map<String, String> configs) {
        replace(snapshot.byName, Map.copyOf(configs));
    }

    @Override
    public void close() {
        // every change is already durable
    }

    private void replace(Map<String, TopicMetadata> topics, Map<String, String> brokerConfigs) {
        Map<UUID, TopicMetadata> byId = new HashMap<>();
        topics.values().forEach(t -> byId.put(t.topicId(), t));
        Snapshot next = new Snapshot(Map.copyOf(topics), Map.copyOf(byId), brokerConfigs, snapshot.nextProducerId);
        write(next);
        snapshot = next;
    }

    private void write(Snapshot next) {
        Properties props = format(next);
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                props.store(out, "Runnel metadata: topics and dynamic configs. Written atomically; do not edit while running.");
            }
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // some file systems cannot fsync a directory; the rename is still atomic
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metadata store " + file, e);
        }
    }

    private static Properties format(Snapshot s) {
        Properties props = new Properties();
        props.setProperty("version", "1");
        for (TopicMetadata t : s.byName.values()) {
            props.setProperty("topic:" + t.name(), t.topicId().toString());
            List<PartitionState> partitions = t.partitions();
            for (int i = 0; i < partitions.size(); i++) {
                PartitionState p = partitions.get(i);
                props.setProperty("partition:" + t.name() + ":" + i, p.leader() + "," + p.leaderEpoch() + ","
                        + join(p.replicas()) + "," + join(p.isr()));
            }
            t.configs().forEach((k, v) -> props.setProperty("config:" + t.name() + ":" + k, v));
        }
        s.brokerConfigs.forEach((k, v) -> props.setProperty("broker-config:" + k, v));
        props.setProperty("next-producer-id", Long.toString(s.nextProducerId));
        return props;
    }

    private static Snapshot parse(Properties props) {
        String version = props.getProperty("version", "1");
        if (!version.equals("1")) {
            throw new IllegalStateException("unsupported metadata store version " + version);
        }
        Map<String, UUID> ids = new TreeMap<>();
        Map<String, TreeMap<Integer, PartitionState>> partitions = new HashMap<>();
        Map<String, Map<String, String>> configs = new HashMap<>();
        Map<String, String> brokerConfigs = new LinkedHashMap<>();
        for (String key : props.stringPropertyNames()) {
            String value = props.getProperty(key);
            String[] parts = key.split(":", 3);
            switch (parts[0]) {
                case "topic" -> ids.put(parts[1], UUID.fromString(value));
                case "partition" -> partitions.computeIfAbsent(parts[1], k -> new TreeMap<>())
                        .put(Integer.parseInt(parts[2]), parsePartition(value));
                case "config" -> configs.computeIfAbsent(parts[1], k -> new HashMap<>()).put(parts[2], value);
                case "broker-config" -> brokerConfigs.put(key.substring("broker-config:".length()), value);
                default -> {
                }
            }
        }
        Map<String, TopicMetadata> byName = new TreeMap<>();
        Map<UUID, TopicMetadata> byId = new HashMap<>();
        ids.forEach((name, id) -> {
            TopicMetadata t = new TopicMetadata(name, id,
                    new ArrayList<>(partitions.getOrDefault(name, new TreeMap<>()).values()),
                    configs.getOrDefault(name, Map.of()));
            byName.put(name, t);
            byId.put(id, t);
        });
        long nextProducerId = Long.parseLong(props.getProperty("next-producer-id", "0"));
        return new Snapshot(Map.copyOf(byName), Map.copyOf(byId), Map.copyOf(brokerConfigs), nextProducerId);
    }

    private static PartitionState parsePartition(String value) {
        String[] f = value.split(",", -1);
        return new PartitionState(Integer.parseInt(f[0]), Integer.parseInt(f[1]), split(f[2]), split(f[3]));
    }

    private static String join(List<Integer> ids) {
        StringBuilder sb = new StringBuilder();
        for (Integer id : ids) {
            sb.append(sb.length() == 0 ? "" : ";").append(id);
        }
        return sb.toString();
    }

    private static List<Integer> split(String s) {
        List<Integer> ids = new ArrayList<>();
        for (String part : s.split(";")) {
            if (!part.isEmpty()) {
                ids.add(Integer.parseInt(part));
            }
        }
        return ids;
    }
}
