package io.batpak.engine.log;

import io.batpak.engine.util.LatencyHistogram;

import java.io.IOException;

/**
 * Forces segments and keeps what every force took: count, total, maximum (guarded by this
 * object's monitor, written by the writer and the sync stage, read by anyone) and a latency
 * histogram (thread-safe of its own).
 */
final class FsyncStats {
    private final LatencyHistogram latency = new LatencyHistogram();
    private long fsyncs;
    private long totalNanos;
    private long maxNanos;

    /** Forces {@code target} and records how long it took. */
    void timedForce(ActiveSegment target) throws IOException {
        long t0 = System.nanoTime();
        target.force();
        long took = System.nanoTime() - t0;
        latency.record(took);
        synchronized (this) {
            fsyncs++;
            totalNanos += took;
            maxNanos = Math.max(maxNanos, took);
        }
    }

    synchronized long fsyncs() {
        return fsyncs;
    }

    synchronized long totalNanos() {
        return totalNanos;
    }

    synchronized long maxNanos() {
        return maxNanos;
    }

    LatencyHistogram latency() {
        return latency;
    }
}
