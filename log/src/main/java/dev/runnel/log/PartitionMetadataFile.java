package dev.runnel.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * URL-safe base64 without padding (22 characters).
 *
 * <p>Durability follows Kafka's {@code UnifiedLog}: the file is written when the partition is created but forced
 * later, in the background ({@link PartitionMetadataFlusher}), and in any case before the log's first data flush
 * and before a clean shutdown ({@link PartitionLog}), so creating thousands of partitions waits for no fsync. A file a crash lost or tore is written again from the
 * metadata store at start-up ({@link LogDirectory#ensureTopicId}).
 */
public final class PartitionMetadataFile {
    public static final String FILE_NAME = "partition.metadata";

    private PartitionMetadataFile() {
    }

    /** Writes the file (not forced: see the class comment). */
    public static void write(Path partitionDir, UUID topicId) throws IOException {
        byte[] text = ("version: 0\ntopic_id: " + encode(topicId)).getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(partitionDir.resolve(FILE_NAME), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(text);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    /** Forces the file to disk. */
    static void force(Path partitionDir) throws IOException {
        try (FileChannel channel = FileChannel.open(partitionDir.resolve(FILE_NAME), StandardOpenOption.READ)) {
            channel.force(true);
        }
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
