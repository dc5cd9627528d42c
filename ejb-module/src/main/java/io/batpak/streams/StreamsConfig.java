package io.batpak.streams;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.util.function.LongSupplier;

/**
 * Limits and defaults of {@link Streams}: the longest long-poll wait, how long a transaction may
 * stay idle before it is aborted, the most partitions a stream may have, what a group created by
 * its first poll gets, the clock (milliseconds) deadlines are measured on, and how many
 * transactions one caller may hold open at once and how many bytes open transactions may buffer
 * ({@link TxLimits}). Immutable.
 */
public record StreamsConfig(long maxWaitMs, long txIdleTimeoutMs, int maxPartitions, GroupConfig groupDefaults,
                            LongSupplier clockMs, int maxOpenTransactionsPerCaller, TxLimits txLimits) {
    public StreamsConfig {
        if (maxWaitMs < 0 || txIdleTimeoutMs < 1 || maxPartitions < 1 || groupDefaults == null || clockMs == null
                || maxOpenTransactionsPerCaller < 1 || txLimits == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "streams configuration out of range: maxWaitMs="
                    + maxWaitMs + " txIdleTimeoutMs=" + txIdleTimeoutMs + " maxPartitions=" + maxPartitions
                    + " maxOpenTransactionsPerCaller=" + maxOpenTransactionsPerCaller);
        }
    }

    public StreamsConfig(long maxWaitMs, long txIdleTimeoutMs, int maxPartitions, GroupConfig groupDefaults,
                         LongSupplier clockMs) {
        this(maxWaitMs, txIdleTimeoutMs, maxPartitions, groupDefaults, clockMs, 100, TxLimits.DEFAULTS);
    }

    public StreamsConfig(long maxWaitMs, long txIdleTimeoutMs, int maxPartitions, GroupConfig groupDefaults,
                         LongSupplier clockMs, int maxOpenTransactionsPerCaller) {
        this(maxWaitMs, txIdleTimeoutMs, maxPartitions, groupDefaults, clockMs, maxOpenTransactionsPerCaller,
                TxLimits.DEFAULTS);
    }

    /**
     * 30 s longest wait, 60 s idle transactions, 1024 partitions, {@link GroupConfig#DEFAULTS}, system
     * clock, 100 open transactions per caller, {@link TxLimits#DEFAULTS}.
     */
    public static StreamsConfig defaults() {
        return new StreamsConfig(30_000, 60_000, 1024, GroupConfig.DEFAULTS, System::currentTimeMillis, 100);
    }

    public StreamsConfig withMaxOpenTransactionsPerCaller(int n) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, maxPartitions, groupDefaults, clockMs, n, txLimits);
    }

    public StreamsConfig withTxLimits(TxLimits limits) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, maxPartitions, groupDefaults, clockMs,
                maxOpenTransactionsPerCaller, limits);
    }

    public StreamsConfig withMaxWaitMs(long ms) {
        return new StreamsConfig(ms, txIdleTimeoutMs, maxPartitions, groupDefaults, clockMs, maxOpenTransactionsPerCaller, txLimits);
    }

    public StreamsConfig withTxIdleTimeoutMs(long ms) {
        return new StreamsConfig(maxWaitMs, ms, maxPartitions, groupDefaults, clockMs, maxOpenTransactionsPerCaller, txLimits);
    }

    public StreamsConfig withMaxPartitions(int n) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, n, groupDefaults, clockMs, maxOpenTransactionsPerCaller, txLimits);
    }

    public StreamsConfig withGroupDefaults(GroupConfig g) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, maxPartitions, g, clockMs, maxOpenTransactionsPerCaller, txLimits);
    }

    public StreamsConfig withClock(LongSupplier clock) {
        return new StreamsConfig(maxWaitMs, txIdleTimeoutMs, maxPartitions, groupDefaults, clock, maxOpenTransactionsPerCaller, txLimits);
    }
}
