package dev.runnel.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code meta.properties} in a log dir, as Kafka writes it: {@code version=1}, {@code node.id}, {@code cluster.id}
 * and {@code directory.id}. The cluster id is generated once, when the first log dir is new, and kept for good;
 * a log dir that belongs to another node or cluster stops start-up.
 */
final class MetaProperties {
    static final String FILE_NAME = "meta.properties";

    private MetaProperties() {
    }

    /** Reads the cluster id of {@code dir}, creating the file with a new id (or {@code clusterId}) if missing. */
    static String loadOrCreate(Path dir, int nodeId, String clusterId) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        Properties props = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                props.load(in);
            }
            String storedNode = props.getProperty("node.id", props.getProperty("broker.id"));
            if (storedNode != null && Integer.parseInt(storedNode.trim()) != nodeId) {
                throw new IllegalStateException("Log dir " + dir + " belongs to node " + storedNode.trim()
                        + ", but this broker is node.id=" + nodeId);
            }
            String stored = props.getProperty("cluster.id");
            if (stored != null) {
                if (clusterId != null && !clusterId.equals(stored)) {
                    throw new IllegalStateException("Log dir " + dir + " belongs to cluster " + stored
                            + ", but the other log dirs belong to " + clusterId);
                }
                return stored;
            }
        }
        String id = clusterId != null ? clusterId : randomId();
        props.setProperty("version", "1");
        props.setProperty("node.id", Integer.toString(nodeId));
        props.setProperty("cluster.id", id);
        props.setProperty("directory.id", props.getProperty("directory.id", randomId()));
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            props.store(out, null);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return id;
    }

    /** Kafka's id format: 16 random bytes in URL-safe base64 without padding (22 characters). */
    static String randomId() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }
}
