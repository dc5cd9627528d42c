package io.batpak.engine.log;

import io.batpak.engine.WatermarkLevel;
import io.batpak.engine.Watermarks;
import io.batpak.engine.index.StoreIndex;

/**
 * The store's accepted and durable positions (the visible one is the index's count) and the waits
 * on them. The writer thread moves {@code accepted} after a group is written; {@code durable} moves
 * on the writer thread after its own forces and on the sync stage's thread after each force there.
 * Both only grow (each update takes the max under the monitor). Waiters park on this object's
 * monitor; positions that move with nobody waiting cost one volatile read.
 */
final class WatermarkTracker {
    private final StoreIndex index;
    /** Guarded by this (writes); volatile for reads. */
    private volatile long accepted;
    /** Guarded by this (writes); volatile for reads. */
    private volatile long durable;
    /** Callers in {@link #await}; guarded by this, volatile so movers can skip the monitor. */
    private volatile int waiting;

    WatermarkTracker(StoreIndex index, long recovered) {
        this.index = index;
        // What recovery found on disk was durable when it was read back (it survived a restart or was forced).
        this.accepted = recovered;
        this.durable = recovered;
    }

    void accepted(long position) {
        synchronized (this) {
            accepted = Math.max(accepted, position);
        }
        signal();
    }

    void durable(long position) {
        synchronized (this) {
            durable = Math.max(durable, position);
        }
        signal();
    }

    /** Wakes waiters after the index published events (visibility moved). */
    void signal() {
        if (waiting > 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    Watermarks current() {
        return new Watermarks(accepted, durable, index.count());
    }

    /** Waits until {@code level} reaches {@code position} or {@code timeoutMs} pass; true if it did. */
    boolean await(long position, WatermarkLevel level, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        synchronized (this) {
            waiting++;
            try {
                while (current().at(level) < position) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    wait(Math.max(1, left / 1_000_000L));
                }
                return true;
            } finally {
                waiting--;
            }
        }
    }
}
