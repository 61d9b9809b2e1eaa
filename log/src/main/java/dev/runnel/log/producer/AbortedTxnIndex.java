package dev.runnel.log.producer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The aborted transactions of one partition, which read_committed fetches return so that consumers can drop
 * the aborted records (Kafka's {@code .txnindex}). Kept in memory ordered by marker offset and appended to one
 * file per partition, {@value #FILE_NAME}, whose entries have the layout of Kafka's transaction index:
 *
 * <pre>
 * version          int16  (0)
 * producerId       int64
 * firstOffset      int64  first offset of the transaction on this partition
 * lastOffset       int64  offset of the ABORT marker
 * lastStableOffset int64  the last stable offset right after the marker
 * </pre>
 *
 * Durability follows the producer snapshots: the file is forced before each snapshot is written, so every
 * entry below a snapshot's offset is on disk, and entries at or above it are rebuilt by the replay from
 * that snapshot ({@link #load}).
 *
 * <p>Threading: the partition's writer thread adds, loads and truncates; any thread may call
 * {@link #overlapping}, which reads a concurrent map.
 */
public final class AbortedTxnIndex {
    public static final String FILE_NAME = "aborted-transactions";
    static final int ENTRY_SIZE = 34;

    /** An aborted transaction: batches of {@code producerId} from {@code firstOffset} to the marker at {@code lastOffset}. */
    public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
    }

    private final Path file;
    private final ConcurrentSkipListMap<Long, AbortedTxn> byMarkerOffset = new ConcurrentSkipListMap<>();
    /** The largest {@code lastOffset - firstOffset} seen: bounds the search for transactions spanning an offset. */
    private volatile long maxSpan;
    private FileChannel channel;

    public AbortedTxnIndex(Path dir) {
        this.file = dir.resolve(FILE_NAME);
    }

    /**
     * Reads the file, keeping entries whose marker lies in [{@code logStartOffset}, {@code replayFrom}), and
     * rewrites it with only those; the caller then replays the log from {@code replayFrom}, which adds the rest.
     */
    public void load(long logStartOffset, long replayFrom) throws IOException {
        closeChannel();
        byMarkerOffset.clear();
        maxSpan = 0;
        List<AbortedTxn> kept = new ArrayList<>();
        boolean exact = true; // the file holds exactly the kept entries: nothing to rewrite (an idle open writes nothing)
        if (Files.exists(file)) {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
            exact = bytes.remaining() % ENTRY_SIZE == 0;
            while (bytes.remaining() >= ENTRY_SIZE) {
                short version = bytes.getShort();
                AbortedTxn txn = new AbortedTxn(bytes.getLong(), bytes.getLong(), bytes.getLong(), bytes.getLong());
                if (version < 0 || txn.firstOffset() > txn.lastOffset()) {
                    exact = false;
                    break; // a torn or corrupt tail: the replay rebuilds anything it held
                }
                if (txn.lastOffset() >= logStartOffset && txn.lastOffset() < replayFrom) {
                    kept.add(txn);
                } else {
                    exact = false;
                }
            }
        }
        if (!exact) {
            rewrite(kept);
        }
        for (AbortedTxn txn : kept) {
            remember(txn);
        }
    }

    private void rewrite(List<AbortedTxn> entries) throws IOException {
        Path temp = file.resolveSibling(FILE_NAME + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (AbortedTxn txn : entries) {
                writeFully(out, encode(txn));
            }
            out.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Records a transaction an ABORT marker ended. */
    public void add(CompletedTxn txn) throws IOException {
        AbortedTxn aborted = new AbortedTxn(txn.producerId(), txn.firstOffset(), txn.lastOffset(), txn.lastStableOffset());
        if (byMarkerOffset.containsKey(aborted.lastOffset())) {
            return;
        }
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        writeFully(channel, encode(aborted));
        remember(aborted);
    }

    private void remember(AbortedTxn txn) {
        byMarkerOffset.put(txn.lastOffset(), txn);
        maxSpan = Math.max(maxSpan, txn.lastOffset() - txn.firstOffset());
    }

    /** Forces the file to disk (before a producer snapshot is written). */
    public void flush() throws IOException {
        if (channel != null) {
            channel.force(false);
        }
    }

    /**
     * Aborted transactions overlapping [{@code from}, {@code upTo}): marker at or after {@code from}, first
     * offset before {@code upTo}. Cost: the entries with a marker in [{@code from}, {@code upTo} + max span).
     */
    public List<AbortedTxn> overlapping(long from, long upTo) {
        List<AbortedTxn> found = new ArrayList<>();
        long span = maxSpan;
        for (Map.Entry<Long, AbortedTxn> e : byMarkerOffset.tailMap(from, true).entrySet()) {
            AbortedTxn txn = e.getValue();
            if (txn.lastOffset() - span >= upTo) {
                break; // every later transaction starts at or after upTo
            }
            if (txn.firstOffset() < upTo) {
                found.add(txn);
            }
        }
        return found;
    }

    /** Forgets transactions whose marker is at or above {@code offset} (a truncation), in memory and on disk. */
    public void truncateTo(long offset) throws IOException {
        if (byMarkerOffset.tailMap(offset, true).isEmpty()) {
            return; // nothing at or above the truncation point: the file is already right
        }
        byMarkerOffset.tailMap(offset, true).clear();
        closeChannel();
        rewrite(new ArrayList<>(byMarkerOffset.values()));
    }

    /** Forgets transactions whose marker is below the new log start offset. */
    public void onLogStartOffset(long logStartOffset) {
        byMarkerOffset.headMap(logStartOffset, false).clear();
    }

    public int size() {
        return byMarkerOffset.size();
    }

    public void close() throws IOException {
        closeChannel();
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.force(false);
            channel.close();
            channel = null;
        }
    }

    private static ByteBuffer encode(AbortedTxn txn) {
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE);
        b.putShort((short) 0).putLong(txn.producerId()).putLong(txn.firstOffset()).putLong(txn.lastOffset())
                .putLong(txn.lastStableOffset());
        return b.flip();
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }
}
