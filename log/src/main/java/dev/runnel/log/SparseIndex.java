package dev.runnel.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the offset index and the time index share: a file of fixed-size big-endian entries, loaded into
 * {@link IndexEntries} on demand. The active segment pins its entries in memory; a rolled segment's entries live in
 * the shared {@link IndexCache} and reload from the file after eviction.
 *
 * <p>Unlike Kafka we do not preallocate and memory-map the file: it holds exactly the entries written (the active
 * segment's newest entries reach it on flush, roll and close, see {@link #persist}), so its length is a multiple of
 * the entry size and Kafka reads it unchanged (Kafka trims its own files to that shape on roll and close). The file
 * of an empty segment's index may not exist: a new segment creates it with its first entry, or when it is rolled with
 * data, so that creating thousands of partitions creates only their logs. Owning thread: the partition's writer
 * appends, truncates and rebuilds; readers only search.
 */
abstract sealed class SparseIndex permits OffsetIndex, TimeIndex {
    protected final Path file;
    protected final long baseOffset;
    protected final int maxEntries;
    private final LogResources resources;
    private volatile IndexEntries pinned;
    /** How many of the pinned entries the file holds; guarded by this. */
    private int persisted;
    /** Written since the last fsync (entries, truncation or a rebuilt file). */
    private volatile boolean unflushed = true;
    /** The pinned entries are empty and the file does not exist yet; guarded by this. */
    private boolean fileMissing;

    SparseIndex(Path file, long baseOffset, int maxEntries, LogResources resources) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.maxEntries = maxEntries;
        this.resources = resources;
    }

    abstract int entrySize();

    abstract void encode(ByteBuffer out, long key, long value);

    /** Decodes one entry into {@code keyValue[0..1]}. */
    abstract void decode(ByteBuffer in, long[] keyValue);

    /** Checks that loaded entries can describe a segment of {@code segmentSize} bytes. */
    abstract void validate(IndexEntries entries, long segmentSize) throws CorruptIndexException;

    Path file() {
        return file;
    }

    /**
     * The entries, loading and validating the file if needed.
     *
     * @throws CorruptIndexException when the file is missing or does not fit the segment; the caller rebuilds it
     */
    final IndexEntries entries(long segmentSize) throws IOException, CorruptIndexException {
        IndexEntries p = pinned;
        if (p != null) {
            return p;
        }
        try {
            return resources.indexes().get(file, f -> {
                try {
                    return load(segmentSize);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (CorruptIndexException e) {
                    throw new CorruptIndexWrapper(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (CorruptIndexWrapper e) {
            throw (CorruptIndexException) e.getCause();
        }
    }

    /** Keeps the entries in memory while this index belongs to the active segment. */
    final synchronized void pin(long segmentSize) throws IOException, CorruptIndexException {
        if (pinned == null && segmentSize == 0) {
            // an empty segment has no entries: nothing to read (thousands of idle partitions open at start-up)
            long length = fileLength();
            if (length <= 0) {
                pinEmpty(length < 0);
                return;
            }
        }
        if (pinned == null) {
            IndexEntries loaded = entries(segmentSize);
            persisted = loaded.count();
            pinned = loaded;
            resources.indexes().invalidate(file);
        }
    }

    /** The file's length, or -1 when it does not exist. */
    private long fileLength() throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /**
     * Pins no entries without reading the file: the index of a segment just created ({@code fileMissing}: its file
     * is created with the first entry) or of an empty segment whose file is empty or missing.
     */
    final synchronized void pinEmpty(boolean fileMissing) {
        persisted = 0;
        pinned = new IndexEntries(0);
        this.fileMissing = fileMissing;
        resources.indexes().invalidate(file);
    }

    /** Creates the file of an index pinned without one (a new inode, as a segment's files always get). */
    private void createMissingFile() throws IOException {
        if (fileMissing) {
            resources.files().invalidate(file);
            Files.deleteIfExists(file);
            Files.createFile(file);
            fileMissing = false;
        }
    }

    /**
     * Writes the pending entries and hands the entries to the shared cache once the segment is rolled. The file of a
     * segment with data must exist from now on (it reloads from it); an empty segment's may stay missing.
     */
    final void unpin(boolean segmentHasData) throws IOException {
        persist();
        if (segmentHasData) {
            synchronized (this) {
                createMissingFile();
            }
        }
        IndexEntries p = pinned;
        if (p != null) {
            resources.indexes().put(file, p);
            pinned = null;
        }
    }

    /**
     * Writes the pinned entries not yet in the file, with one write. Appends only add entries in memory (Kafka
     * writes its memory-mapped index without a system call; a write per entry would cost more than the batch
     * itself): the file catches up on flush, roll and close. A crash loses nothing: recovery rebuilds the indexes
     * of every segment above the recovery point, and segments below it were flushed.
     */
    final synchronized void persist() throws IOException {
        IndexEntries p = pinned;
        if (p == null) {
            return;
        }
        int n = p.count();
        if (n <= persisted) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.allocate((n - persisted) * entrySize());
        for (int i = persisted; i < n; i++) {
            encode(bytes, p.key(i), p.value(i));
        }
        bytes.flip();
        createMissingFile();
        unflushed = true;
        writeAt(bytes, (long) persisted * entrySize());
        persisted = n;
    }

    final boolean isFull() {
        IndexEntries p = pinned;
        return p != null && p.count() >= maxEntries;
    }

    /** Appends one entry to the pinned entries (active segment only); {@link #persist} writes it to the file. */
    final void append(long key, long value) {
        IndexEntries p = pinned;
        if (p == null) {
            throw new IllegalStateException("append to an index that is not pinned: " + file);
        }
        p.add(key, value);
    }

    /** Keeps the first {@code n} entries, in memory and on disk. */
    final synchronized void truncateEntries(IndexEntries entries, int n) throws IOException {
        if (n < entries.count()) {
            entries.truncate(n);
            persisted = Math.min(persisted, n);
            if (fileMissing) {
                return; // nothing of it reached a file
            }
            unflushed = true;
            SharedChannel channel = resources.files().acquire(file);
            try {
                channel.channel().truncate((long) n * entrySize());
            } finally {
                channel.release();
            }
        }
    }

    /** Replaces the file with {@code rebuilt}, which becomes pinned (if {@code pin}) or cached. */
    final synchronized void replace(IndexEntries rebuilt, boolean pin) throws IOException {
        if (pin && rebuilt.count() == 0) {
            long length = fileLength();
            if (length <= 0) {
                pinEmpty(length < 0); // an empty active index is already right: recovery writes nothing
                return;
            }
        }
        ByteBuffer bytes = ByteBuffer.allocate(rebuilt.count() * entrySize());
        for (int i = 0; i < rebuilt.count(); i++) {
            encode(bytes, rebuilt.key(i), rebuilt.value(i));
        }
        bytes.flip();
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
        fileMissing = false;
        unflushed = true;
        SharedChannel channel = resources.files().acquire(file);
        try {
            channel.channel().truncate(0);
            writeFully(channel, bytes, 0);
        } finally {
            channel.release();
        }
        if (pin) {
            persisted = rebuilt.count();
            pinned = rebuilt;
            resources.indexes().invalidate(file);
        } else {
            pinned = null;
            resources.indexes().put(file, rebuilt);
        }
    }

    /**
     * Writes {@code entries} in this index's format to {@code target} (not this index's own file: the log cleaner
     * prepares the index of a segment that does not exist yet), fsynced.
     */
    final void writeFile(IndexEntries entries, Path target) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(entries.count() * entrySize());
        for (int i = 0; i < entries.count(); i++) {
            encode(bytes, entries.key(i), entries.value(i));
        }
        bytes.flip();
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                channel.write(bytes, bytes.position());
            }
            channel.force(true);
        }
    }

    final synchronized void forget() {
        pinned = null;
        resources.indexes().invalidate(file);
        resources.files().invalidate(file);
    }

    /** Writes pending entries and forces the file, if anything was written since the last flush. */
    final void flush() throws IOException {
        persist();
        synchronized (this) {
            if (fileMissing) {
                unflushed = false; // no file, no entries: nothing to force
            }
        }
        if (!unflushed) {
            return;
        }
        unflushed = false; // before the force: a write racing with it sets it again
        SharedChannel channel = resources.files().acquire(file);
        try {
            channel.channel().force(true);
        } catch (IOException | RuntimeException e) {
            unflushed = true;
            throw e;
        } finally {
            channel.release();
        }
    }

    final void markFlushed() {
        unflushed = false;
    }

    private IndexEntries load(long segmentSize) throws IOException, CorruptIndexException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CorruptIndexException("missing index file " + file);
        }
        if (bytes.length % entrySize() != 0) {
            throw new CorruptIndexException("index file " + file + " has " + bytes.length
                    + " bytes, not a multiple of " + entrySize());
        }
        int n = bytes.length / entrySize();
        IndexEntries entries = new IndexEntries(n);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long[] kv = new long[2];
        for (int i = 0; i < n; i++) {
            decode(in, kv);
            entries.add(kv[0], kv[1]);
        }
        validate(entries, segmentSize);
        return entries;
    }

    private void writeAt(ByteBuffer bytes, long position) throws IOException {
        SharedChannel channel = resources.files().acquire(file);
        try {
            writeFully(channel, bytes, position);
        } finally {
            channel.release();
        }
    }

    private static void writeFully(SharedChannel channel, ByteBuffer bytes, long position) throws IOException {
        while (bytes.hasRemaining()) {
            position += channel.channel().write(bytes, position);
        }
    }

    private static final class CorruptIndexWrapper extends RuntimeException {
        CorruptIndexWrapper(CorruptIndexException cause) {
            super(cause);
        }
    }
}
