package io.batpak.engine.util;

import io.batpak.engine.HlcTimestamp;

import java.util.function.LongSupplier;

/**
 * Issues strictly increasing {@link HlcTimestamp}s from a wall clock. Not thread-safe: owned by
 * the writer thread.
 */
public final class HybridClock {
    private final LongSupplier wallMs;
    private long lastMs;
    private int lastCounter;

    public HybridClock(LongSupplier wallMs) {
        this.wallMs = wallMs;
    }

    /** Continues after a reading restored from the log, so restarts never go backwards. */
    public void observe(long ms, int counter) {
        if (ms > lastMs || (ms == lastMs && counter > lastCounter)) {
            lastMs = ms;
            lastCounter = counter;
        }
    }

    public long lastMs() {
        return lastMs;
    }

    public int lastCounter() {
        return lastCounter;
    }

    /** Advances the clock; the result is readable through {@link #lastMs()} and {@link #lastCounter()}. */
    public void tick() {
        long now = wallMs.getAsLong();
        if (now > lastMs) {
            lastMs = now;
            lastCounter = 0;
        } else {
            lastCounter++;
        }
    }
}
