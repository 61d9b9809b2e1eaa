package dev.runnel.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;

/**
 * The {@code partition.metadata} file of a partition directory: the topic id, so a topic deleted and re-created
 * under the same name is never confused with the old one (KIP-516). Kafka's format, UTF-8, no trailing newline:
 *
 * <pre>
 * version: 0
 * topic_id: AAAAAAAAAAAAAAAAAAAAAQ
 * </pre>
 *
 * The topic id is Kafka's {@code Uuid} text form: the 16 bytes (most significant long first, big-endian) in
 * URL-safe base64 without padding (22 characters). Written atomically; read once when the partition opens.
 */
public final class PartitionMetadataFile {
    public static final String FILE_NAME = "partition.metadata";

    private PartitionMetadataFile() {
    }

    public static void write(Path partitionDir, UUID topicId) throws IOException {
        LogFiles.writeAtomically(partitionDir.resolve(FILE_NAME), "version: 0\ntopic_id: " + encode(topicId));
    }

    /** The topic id stored in {@code partitionDir}, or null when there is no file. */
    public static UUID read(Path partitionDir) throws IOException {
        Path file = partitionDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return null;
        }
        String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n");
        if (lines.length < 2 || !lines[0].trim().equals("version: 0") || !lines[1].startsWith("topic_id: ")) {
            throw new IOException("malformed partition metadata file " + file);
        }
        try {
            return decode(lines[1].substring("topic_id: ".length()).trim());
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed topic id in " + file, e);
        }
    }

    /** Kafka's {@code Uuid.toString()}: URL-safe base64 of the 16 bytes, no padding. */
    public static String encode(UUID id) {
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    public static UUID decode(String text) {
        byte[] bytes = Base64.getUrlDecoder().decode(text);
        if (bytes.length != 16) {
            throw new IllegalArgumentException("a topic id has 16 bytes, got " + bytes.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        return new UUID(buf.getLong(), buf.getLong());
    }
}
