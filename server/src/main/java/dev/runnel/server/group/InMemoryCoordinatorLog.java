package dev.runnel.server.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A {@link CoordinatorLog} in memory, for tests and for running without {@code __consumer_offsets} on disk.
 * It stores the encoded key and value bytes, so replay goes through {@link CoordinatorRecordCodec} exactly as
 * a real log would. Appends commit at once unless {@link #holdAppends()} was called; then they wait for
 * {@link #releaseAppends()} or {@link #failHeldAppends(Throwable)}. Thread-safe.
 */
public final class InMemoryCoordinatorLog implements CoordinatorLog {
    /** One stored record: key bytes and value bytes (null for a tombstone). */
    public record Entry(byte[] key, byte[] value) {
    }

    private record Held(int partition, List<Entry> entries, CompletableFuture<Void> future) {
    }

    private final Map<Integer, List<Entry>> partitions = new ConcurrentHashMap<>();
    private final List<Held> held = new ArrayList<>();
    private boolean holding;

    @Override
    public CompletableFuture<Void> append(int partition, List<CoordinatorRecord> records) {
        List<Entry> entries = new ArrayList<>(records.size());
        for (CoordinatorRecord r : records) {
            entries.add(new Entry(CoordinatorRecordCodec.encodeKey(r), CoordinatorRecordCodec.encodeValue(r)));
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (this) {
            if (holding) {
                held.add(new Held(partition, entries, future));
                return future;
            }
            store(partition, entries);
        }
        future.complete(null);
        return future;
    }

    @Override
    public CompletableFuture<Void> replay(int partition, Consumer<CoordinatorRecord> sink) {
        List<Entry> copy;
        synchronized (this) {
            copy = new ArrayList<>(partitions.getOrDefault(partition, List.of()));
        }
        for (Entry e : copy) {
            CoordinatorRecord r = CoordinatorRecordCodec.decode(e.key(), e.value());
            if (r != null) {
                sink.accept(r);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /** The committed entries of a partition, in order. */
    public synchronized List<Entry> entries(int partition) {
        return List.copyOf(partitions.getOrDefault(partition, List.of()));
    }

    /** Adds raw entries, e.g. records written by Kafka itself. */
    public synchronized void appendRaw(int partition, Entry entry) {
        store(partition, List.of(entry));
    }

    /** From now on, appends wait until released or failed. */
    public synchronized void holdAppends() {
        holding = true;
    }

    /** Commits every held append, in order, and stops holding. */
    public void releaseAppends() {
        List<Held> toComplete;
        synchronized (this) {
            holding = false;
            toComplete = new ArrayList<>(held);
            held.clear();
            toComplete.forEach(h -> store(h.partition(), h.entries()));
        }
        toComplete.forEach(h -> h.future().complete(null));
    }

    /** Fails every held append without storing it, and stops holding. */
    public void failHeldAppends(Throwable cause) {
        List<Held> toFail;
        synchronized (this) {
            holding = false;
            toFail = new ArrayList<>(held);
            held.clear();
        }
        toFail.forEach(h -> h.future().completeExceptionally(cause));
    }

    public synchronized int heldAppends() {
        return held.size();
    }

    private void store(int partition, List<Entry> entries) {
        partitions.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(entries);
    }
}
