package io.batpak.engine.index;

/**
 * The index's event-id lookup: an open-addressing hash table of global indexes (slot = index + 1,
 * 0 = empty, at most half full), keyed by the ids stored in the index's columns. Written by the
 * writer thread only; readers probe it without locks and see a consistent table because a rehash
 * publishes a complete new array through the volatile field, and a reader only accepts an index
 * below the published count whose columns hold the id it looks for.
 */
final class IdTable {
    /** Writer-written, read by anyone. */
    private volatile int[] table = new int[1 << 12];
    /** Writer thread only. */
    private int used;

    private static int mix(long hi, long lo) {
        long h = lo ^ (hi * 0x9E3779B97F4A7C15L);
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    /** Adds event {@code index} with id {@code (hi, lo)} (writer thread). */
    void insert(long hi, long lo, int index, StoreIndex columns) {
        int[] t = table;
        if ((used + 1) * 2 > t.length) {
            t = rehash(t.length * 2, columns);
        }
        place(t, hi, lo, index);
        used++;
    }

    /**
     * Adds events {@code [from, to)} at once (recovery): their home slots are computed first and the
     * events inserted bucket by bucket in table order, so the table is walked about once, instead of
     * one cache and TLB miss per event. Lookups do not depend on the order of insertion.
     */
    void insertAll(int from, int to, StoreIndex columns) {
        int n = to - from;
        if (n <= 0) {
            return;
        }
        reserve(n, columns);
        int[] t = table;
        int m = t.length - 1;
        int bucketShift = Math.max(0, Integer.numberOfTrailingZeros(t.length) - 16); // up to 65,536 buckets
        int[] starts = new int[(t.length >>> bucketShift) + 1];
        int[] home = new int[n];
        for (int k = 0; k < n; k++) {
            int h = mix(columns.idHi(from + k), columns.idLo(from + k)) & m;
            home[k] = h;
            starts[(h >>> bucketShift) + 1]++;
        }
        for (int b = 1; b < starts.length; b++) {
            starts[b] += starts[b - 1];
        }
        int[] order = new int[n];
        for (int k = 0; k < n; k++) {
            order[starts[home[k] >>> bucketShift]++] = k;
        }
        for (int k : order) {
            int s = home[k];
            while (t[s] != 0) {
                s = (s + 1) & m;
            }
            t[s] = from + k + 1;
        }
        used += n;
    }

    /** Presizes for {@code events} more events (writer thread, recovery). */
    void reserve(int events, StoreIndex columns) {
        int need = Integer.highestOneBit(Math.max(16, (used + events) * 2 - 1)) << 1;
        if (need > table.length) {
            rehash(need, columns);
        }
    }

    /** The global index below {@code visible} of the event with this id, or -1 (any thread). */
    int find(long hi, long lo, int visible, StoreIndex columns) {
        int[] t = table;
        int m = t.length - 1;
        int s = mix(hi, lo) & m;
        int slot;
        while ((slot = t[s]) != 0) {
            int idx = slot - 1;
            if (idx < visible && columns.idHi(idx) == hi && columns.idLo(idx) == lo) {
                return idx;
            }
            s = (s + 1) & m;
        }
        return -1;
    }

    private int[] rehash(int capacity, StoreIndex columns) {
        int[] fresh = new int[capacity];
        for (int slot : table) {
            if (slot != 0) {
                int idx = slot - 1;
                place(fresh, columns.idHi(idx), columns.idLo(idx), idx);
            }
        }
        table = fresh;
        return fresh;
    }

    private static void place(int[] t, long hi, long lo, int index) {
        int m = t.length - 1;
        int s = mix(hi, lo) & m;
        while (t[s] != 0) {
            s = (s + 1) & m;
        }
        t[s] = index + 1;
    }
}
