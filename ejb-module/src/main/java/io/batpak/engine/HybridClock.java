package io.batpak.engine;

import java.util.function.LongSupplier;

/**
 * Issues strictly increasing {@link HlcTimestamp}s from a wall clock. Not thread-safe: owned by
 * the writer thread.
 */
final class HybridClock {
    private final LongSupplier wallMs;
    private long lastMs;
    private int lastCounter;

    HybridClock(LongSupplier wallMs) {
        this.wallMs = wallMs;
    }

    /** Continues after a reading restored from the log, so restarts never go backwards. */
    void observe(long ms, int counter) {
        if (ms > lastMs || (ms == lastMs && counter > lastCounter)) {
            lastMs = ms;
            lastCounter = counter;
        }
    }

    long lastMs() {
        return lastMs;
    }

    int lastCounter() {
        return lastCounter;
    }

    /** Advances the clock; the result is readable through {@link #lastMs()} and {@link #lastCounter()}. */
    void tick() {
        long now = wallMs.getAsLong();
        if (now > lastMs) {
            lastMs = now;
            lastCounter = 0;
        } else {
            lastCounter++;
        }
    }
}
