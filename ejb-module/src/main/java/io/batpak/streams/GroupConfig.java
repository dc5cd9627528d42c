package io.batpak.streams;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

/**
 * How a consumer group hands out deliveries: how long a delivery may stay unacked before it is
 * given to another member, how many deliveries one consumer may hold at once, after how many failed
 * deliveries (nacks and ack timeouts) an event is parked ({@code 0}: never), and where a new group
 * starts. Immutable.
 */
public record GroupConfig(long ackTimeoutMs, int maxInFlight, int maxDeliveries, StartPosition start) {
    /** 30 s, 1000 per consumer, never parked, from the earliest offset: what a first poll creates. */
    public static final GroupConfig DEFAULTS = new GroupConfig(30_000, 1000, 0, StartPosition.EARLIEST);
    /** Longest ack timeout accepted (one day). */
    public static final long MAX_ACK_TIMEOUT_MS = 86_400_000L;
    /** Highest {@code maxDeliveries} accepted. */
    public static final int MAX_DELIVERIES = 1_000_000;

    public GroupConfig {
        if (ackTimeoutMs < 1 || ackTimeoutMs > MAX_ACK_TIMEOUT_MS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "ackTimeoutMs must be within 1.." + MAX_ACK_TIMEOUT_MS + ", was " + ackTimeoutMs);
        }
        if (maxInFlight < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "maxInFlight must be at least 1, was " + maxInFlight);
        }
        if (maxDeliveries < 0 || maxDeliveries > MAX_DELIVERIES) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "maxDeliveries must be within 0.." + MAX_DELIVERIES + " (0: never park), was " + maxDeliveries);
        }
        if (start == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "start is required");
        }
    }

    /** A group that never parks. */
    public GroupConfig(long ackTimeoutMs, int maxInFlight, StartPosition start) {
        this(ackTimeoutMs, maxInFlight, 0, start);
    }

    public GroupConfig withStart(StartPosition s) {
        return new GroupConfig(ackTimeoutMs, maxInFlight, maxDeliveries, s);
    }

    public GroupConfig withMaxDeliveries(int n) {
        return new GroupConfig(ackTimeoutMs, maxInFlight, n, start);
    }
}
