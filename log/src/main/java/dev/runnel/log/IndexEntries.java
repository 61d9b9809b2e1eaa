package dev.runnel.log;

import java.util.Arrays;

/**
 * The entries of one sparse index in memory: pairs (key, value) sorted by key, as loaded from an index file.
 * For the offset index the key is an offset and the value a file position; for the time index the key is a
 * timestamp and the value an offset.
 *
 * <p>One writer (the partition's writer thread) appends and truncates; any thread may search. The writer publishes
 * grown arrays before the count, and readers read the count first, so a reader never sees an entry that is not
 * fully written. Truncation replaces the arrays, so a reader with a stale count reads old, still coherent entries.
 */
final class IndexEntries {
    private record Slots(long[] keys, long[] values) {
    }

    private volatile Slots slots;
    private volatile int count;

    IndexEntries(int initialCapacity) {
        int capacity = Math.max(4, initialCapacity);
        this.slots = new Slots(new long[capacity], new long[capacity]);
    }

    int count() {
        return count;
    }

    /** Bytes of heap these entries hold, for the index cache's weigher. */
    int heapBytes() {
        return slots.keys.length * 16 + 64;
    }

    long key(int i) {
        return slots.keys[i];
    }

    long value(int i) {
        return slots.values[i];
    }

    void add(long key, long value) {
        int n = count;
        Slots s = slots;
        if (n == s.keys.length) {
            s = new Slots(Arrays.copyOf(s.keys, n * 2), Arrays.copyOf(s.values, n * 2));
            slots = s;
        }
        s.keys[n] = key;
        s.values[n] = value;
        count = n + 1;
    }

    /** Keeps the first {@code n} entries. */
    void truncate(int n) {
        if (n < count) {
            Slots s = slots;
            slots = new Slots(Arrays.copyOf(s.keys, Math.max(4, s.keys.length)), Arrays.copyOf(s.values, Math.max(4, s.values.length)));
            count = n;
        }
    }

    /** Index of the last entry whose key is at most {@code target}, or -1 when every key is larger. */
    int floorByKey(long target) {
        int n = count;
        Slots s = slots;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (s.keys[mid] <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Index of the first entry whose value is at least {@code target}, or {@link #count()} when none is. */
    int firstWithValueAtLeast(long target) {
        int n = count;
        Slots s = slots;
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (s.values[mid] < target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
