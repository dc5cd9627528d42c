package io.batpak.streams;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.util.function.LongSupplier;

/**
 * Limits and defaults of {@link Streams}: the longest long-poll wait, how long a transaction may
 * stay idle before it is aborted, the most partitions a stream may have, what a group created by
 * its first poll gets, and the clock (milliseconds) deadlines are measured on. Immutable.
 */
public record StreamsConfig(long maxWaitMs, long txIdleTimeoutMs, int maxPartitions, GroupConfig groupDefaults,
                            LongSupplier clockMs) {
    public StreamsConfig {
        if (maxWaitMs < 0 || txIdleTimeoutMs < 1 || maxPartitions < 1 || groupDefaults == null || clockMs == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "streams configuration out of range: maxWaitMs="
                    + maxWaitMs + " txIdleTimeoutMs=" + txIdleTimeoutMs + " maxPartitions=" + maxPartitions);
        }
    }

    /** 30 s longest wait, 60 s idle transactions, 1024 partitions, {@link GroupConfig#DEFAULTS}, system clock. */
    public static StreamsConfig defaults() {
        return new StreamsConfig(30_000, 60_000, 1024, GroupConfig.DEFAULTS, System::currentTimeMillis);
    }

    public StreamsConfig withMaxWaitMs(long ms) {
        return new StreamsConfig(ms, txIdleTimeoutMs, maxPartitions, groupDefaults, clockMs);
    }

    public StreamsConfig withTxIdleTimeoutMs(long ms) {
        return new StreamsConfig(maxWaitMs, ms, maxPartitions, groupDefaults, clockMs);
    }

    public StreamsConfig withMaxPartitions(int n) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, n, groupDefaults, clockMs);
    }

    public StreamsConfig withGroupDefaults(GroupConfig g) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, maxPartitions, g, clockMs);
    }

    public StreamsConfig withClock(LongSupplier clock) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, maxPartitions, groupDefaults, clock);
    }
}
