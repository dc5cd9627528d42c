package io.batpak.engine.index;

import java.util.Arrays;

/**
 * An append-only list of ascending ints (global event indexes). One writer thread appends; any
 * number of readers read concurrently without locks. A reader sees every element added before the
 * size it read: the writer stores the element, then publishes the new size through a volatile
 * write, and a grown array is published before the size that needs it.
 */
public final class IntList {
    private volatile int[] data;
    private volatile int size;

    IntList(int capacity) {
        data = new int[Math.max(capacity, 2)];
    }

    /** Grows the array to hold at least {@code capacity} elements (writer thread or recovery). */
    void reserve(int capacity) {
        if (data.length < capacity) {
            data = Arrays.copyOf(data, capacity);
        }
    }

    /** Writer thread only. */
    void add(int value) {
        int[] d = data;
        int s = size;
        if (s == d.length) {
            d = Arrays.copyOf(d, s + (s >> 1) + 2);
            data = d;
        }
        d[s] = value;
        size = s + 1;
    }

    public int size() {
        return size;
    }

    /** A consistent view for readers: the size first, then an array holding at least that many elements. */
    int[] snapshotArray() {
        return data;
    }

    /** Index of the first element greater than {@code value} among the first {@code n}. */
    static int firstGreater(int[] d, int n, int value) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (d[mid] <= value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Index of the first element that is at least {@code value} among the first {@code n}. */
    static int firstAtLeast(int[] d, int n, int value) {
        return firstGreater(d, n, value - 1);
    }
}
