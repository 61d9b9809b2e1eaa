package dev.runnel.log.producer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Kafka's producer snapshot file, {@code <20-digit offset>.snapshot} in the partition directory: the
 * producer state as it stood just before {@code offset}. Byte-compatible with Kafka's
 * {@code ProducerStateManager} (version 1), all integers big-endian:
 *
 * <pre>
 * offset  size  field
 *  0       2    version               (int16, 1)
 *  2       4    crc                   (uint32, CRC32C of every byte from offset 6 to the end)
 *  6       4    entry count           (int32)
 * 10      46*n  entries, each:
 *                0  8  producerId
 *                8  2  producerEpoch
 *               10  4  lastSequence           (-1 if no batch is cached)
 *               14  8  lastOffset             (-1 if no batch is cached)
 *               22  4  offsetDelta            (lastOffset - firstOffset of the last batch)
 *               26  8  timestamp              (the entry's last timestamp)
 *               34  4  coordinatorEpoch
 *               38  8  currentTxnFirstOffset  (-1 if no transaction is open)
 * </pre>
 *
 * Only the last batch of each producer is stored, so after a restart only it is recognised as a duplicate,
 * as in Kafka. Stateless; callers serialise access to a directory (the partition's writer thread).
 */
public final class ProducerSnapshotFile {
    public static final String SUFFIX = ".snapshot";
    static final short VERSION = 1;
    static final int CRC_OFFSET = 2;
    static final int ENTRIES_OFFSET = 6;
    static final int HEADER_SIZE = 10;
    static final int ENTRY_SIZE = 46;
    private static final String TEMP_SUFFIX = ".tmp";

    private ProducerSnapshotFile() {
    }

    /** The snapshot file for {@code offset} in {@code dir}, named like Kafka's log files. */
    public static Path path(Path dir, long offset) {
        return dir.resolve(String.format("%020d", offset) + SUFFIX);
    }

    /** The offset in a snapshot file's name, or -1 if the name is not {@code <digits>.snapshot}. */
    public static long offsetOf(Path file) {
        String name = file.getFileName().toString();
        if (!name.endsWith(SUFFIX) || name.length() == SUFFIX.length()) {
            return -1L;
        }
        String digits = name.substring(0, name.length() - SUFFIX.length());
        for (int i = 0; i < digits.length(); i++) {
            if (!Character.isDigit(digits.charAt(i))) {
                return -1L;
            }
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException tooLong) {
            return -1L;
        }
    }

    /** The file's bytes for these entries. */
    static ByteBuffer encode(Collection<ProducerEntry> entries) {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_SIZE + ENTRY_SIZE * entries.size());
        buffer.putShort(VERSION).putInt(0).putInt(entries.size());
        for (ProducerEntry entry : entries) {
            buffer.putLong(entry.producerId())
                .putShort(entry.producerEpoch())
                .putInt(entry.lastSequence())
                .putLong(entry.lastDataOffset())
                .putInt(entry.lastOffsetDelta())
                .putLong(entry.lastTimestamp())
                .putInt(entry.coordinatorEpoch())
                .putLong(entry.currentTxnFirstOffset());
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), ENTRIES_OFFSET, buffer.capacity() - ENTRIES_OFFSET);
        buffer.putInt(CRC_OFFSET, (int) crc.getValue());
        return buffer.flip();
    }

    /**
     * Writes the entries to {@code file} durably: to a temporary file first, fsync, then an atomic rename,
     * so a crash leaves either the old file or the complete new one.
     */
    public static void write(Path file, Collection<ProducerEntry> entries) throws IOException {
        ByteBuffer bytes = encode(entries);
        Path temp = file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Reads a snapshot file.
     *
     * @throws CorruptSnapshotException if the version, CRC or size is wrong
     */
    public static List<ProducerEntry> read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file);
    }

    static List<ProducerEntry> decode(byte[] bytes, Path file) throws CorruptSnapshotException {
        if (bytes.length < HEADER_SIZE) {
            throw new CorruptSnapshotException(file + ": " + bytes.length + " bytes is shorter than the header");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        short version = in.getShort();
        if (version != VERSION) {
            throw new CorruptSnapshotException(file + ": unknown snapshot version " + version);
        }
        long storedCrc = Integer.toUnsignedLong(in.getInt());
        CRC32C crc = new CRC32C();
        crc.update(bytes, ENTRIES_OFFSET, bytes.length - ENTRIES_OFFSET);
        if (storedCrc != crc.getValue()) {
            throw new CorruptSnapshotException(file + ": CRC mismatch, stored " + storedCrc + ", computed " + crc.getValue());
        }
        int count = in.getInt();
        if (count < 0 || (long) count * ENTRY_SIZE != bytes.length - HEADER_SIZE) {
            throw new CorruptSnapshotException(file + ": " + count + " entries do not fill " + bytes.length + " bytes");
        }
        List<ProducerEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long producerId = in.getLong();
            short epoch = in.getShort();
            int lastSeq = in.getInt();
            long lastOffset = in.getLong();
            int offsetDelta = in.getInt();
            long timestamp = in.getLong();
            int coordinatorEpoch = in.getInt();
            long txnFirstOffset = in.getLong();
            BatchMetadata lastBatch = lastOffset >= 0 ? new BatchMetadata(lastSeq, lastOffset, offsetDelta, timestamp) : null;
            entries.add(new ProducerEntry(producerId, epoch, coordinatorEpoch, timestamp,
                txnFirstOffset >= 0 ? txnFirstOffset : ProducerEntry.NO_OFFSET, lastBatch));
        }
        return entries;
    }
}
