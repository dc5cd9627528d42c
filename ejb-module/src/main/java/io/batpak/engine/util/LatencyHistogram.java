package io.batpak.engine.util;

/**
 * Counts latencies in logarithmic buckets with four linear steps per power of two, so a
 * percentile is reported within 25% of the true value at a fixed 1 KiB of memory. Also keeps the
 * exact count, total and maximum. Thread-safe: recording and reading synchronize on the instance
 * (fsyncs are milliseconds apart, so the lock is never contended in practice).
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 2;
    private static final int SUB = 1 << SUB_BITS;
    private final long[] buckets = new long[64 * SUB];
    private long count;
    private long total;
    private long max;

    public synchronized void record(long nanos) {
        long v = Math.max(0, nanos);
        buckets[bucket(v)]++;
        count++;
        total += v;
        if (v > max) {
            max = v;
        }
    }

    public static int bucket(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (exp - SUB_BITS)) & (SUB - 1);
        return (exp - SUB_BITS + 1) * SUB + sub;
    }

    /** The largest value that falls into bucket {@code b}. */
    public static long upperBound(int b) {
        if (b < SUB) {
            return b;
        }
        int exp = b / SUB + SUB_BITS - 1;
        int sub = b % SUB;
        long width = 1L << (exp - SUB_BITS);
        long lower = (1L << exp) + sub * width;
        return lower + width - 1;
    }

    public synchronized long count() {
        return count;
    }

    public synchronized long mean() {
        return count == 0 ? 0 : total / count;
    }

    public synchronized long max() {
        return max;
    }

    /** The upper bound of the bucket holding the {@code q}-quantile (0 &lt; q ≤ 1), capped at the maximum; 0 if empty. */
    public synchronized long quantile(double q) {
        if (count == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * count);
        long seen = 0;
        for (int b = 0; b < buckets.length; b++) {
            seen += buckets[b];
            if (seen >= rank) {
                return Math.min(upperBound(b), max);
            }
        }
        return max;
    }
}
