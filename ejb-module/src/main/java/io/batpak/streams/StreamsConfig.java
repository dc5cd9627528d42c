package io.batpak.streams;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.util.function.LongSupplier;

/**
 * Limits and defaults of {@link Streams}: the longest long-poll wait, how long a transaction may
 * stay idle before it is aborted, the most partitions a stream may have, what a group created by
 * its first poll gets, the clock (milliseconds) deadlines are measured on, and how many
 * transactions one caller may hold open at once. Immutable.
 */
public record StreamsConfig(long maxWaitMs, long txIdleTimeoutMs, int maxPartitions, GroupConfig groupDefaults,
                            LongSupplier clockMs, int maxOpenTransactionsPerCaller) {
    public StreamsConfig {
        if (maxWaitMs < 0 || txIdleTimeoutMs < 1 || maxPartitions < 1 || groupDefaults == null || clockMs == null
                || maxOpenTransactionsPerCaller < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "streams configuration out of range: maxWaitMs="
                    + maxWaitMs + " txIdleTimeoutMs=" + txIdleTimeoutMs + " maxPartitions=" + maxPartitions
                    + " maxOpenTransactionsPerCaller=" + maxOpenTransactionsPerCaller);
        }
    }

    public StreamsConfig(long maxWaitMs, long txIdleTimeoutMs, int maxPartitions, GroupConfig groupDefaults,
                         LongSupplier clockMs) {
        this(maxWaitMs, txIdleTimeoutMs, maxPartitions, groupDefaults, clockMs, 100);
    }

    /**
     * 30 s longest wait, 60 s idle transactions, 1024 partitions, {@link GroupConfig#DEFAULTS}, system
     * clock, 100 open transactions per caller.
     */
    public static StreamsConfig defaults() {
        return new StreamsConfig(30_000, 60_000, 1024, GroupConfig.DEFAULTS, System::currentTimeMillis, 100);
    }

    public StreamsConfig withMaxOpenTransactionsPerCaller(int n) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, maxPartitions, groupDefaults, clockMs, n);
    }

    public StreamsConfig withMaxWaitMs(long ms) {
        return new StreamsConfig(ms, txIdleTimeoutMs, maxPartitions, groupDefaults, clockMs, maxOpenTransactionsPerCaller);
    }

    public StreamsConfig withTxIdleTimeoutMs(long ms) {
        return new StreamsConfig(maxWaitMs, ms, maxPartitions, groupDefaults, clockMs, maxOpenTransactionsPerCaller);
    }

    public StreamsConfig withMaxPartitions(int n) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, n, groupDefaults, clockMs, maxOpenTransactionsPerCaller);
    }

    public StreamsConfig withGroupDefaults(GroupConfig g) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, maxPartitions, g, clockMs, maxOpenTransactionsPerCaller);
    }

    public StreamsConfig withClock(LongSupplier clock) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, maxPartitions, groupDefaults, clock, maxOpenTransactionsPerCaller);
    }
}
