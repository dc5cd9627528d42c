package io.batpak.streams.exchange;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.util.function.LongSupplier;

/**
 * Bounds of {@link Exchanges} and {@link Endpoints}: the messages one subscriber may have waiting
 * before it is dropped, the calls one endpoint may hold unanswered (pending or taken by a handler),
 * the timeout of a call that names none and the longest it may name, the longest handler poll, how
 * long after its last poll a handler still counts as present, and the clock (milliseconds) that
 * presence is measured on. Immutable.
 */
public record ExchangeConfig(int subscriberQueue, int maxPendingCalls, long defaultTimeoutMs, long maxTimeoutMs,
                             long maxPollWaitMs, long handlerPresenceMs, LongSupplier clockMs) {
    public ExchangeConfig {
        if (subscriberQueue < 1 || maxPendingCalls < 1 || defaultTimeoutMs < 1 || maxTimeoutMs < defaultTimeoutMs
                || maxPollWaitMs < 0 || handlerPresenceMs < 0 || clockMs == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "exchange configuration out of range: subscriberQueue="
                    + subscriberQueue + " maxPendingCalls=" + maxPendingCalls + " defaultTimeoutMs=" + defaultTimeoutMs
                    + " maxTimeoutMs=" + maxTimeoutMs + " maxPollWaitMs=" + maxPollWaitMs + " handlerPresenceMs="
                    + handlerPresenceMs);
        }
    }

    /** 1024 queued per subscriber, 1000 pending calls, 5 s default / 30 s longest timeout and poll, 10 s presence. */
    public static ExchangeConfig defaults() {
        return new ExchangeConfig(1024, 1000, 5_000, 30_000, 30_000, 10_000, System::currentTimeMillis);
    }

    public ExchangeConfig withSubscriberQueue(int n) {
        return new ExchangeConfig(n, maxPendingCalls, defaultTimeoutMs, maxTimeoutMs, maxPollWaitMs, handlerPresenceMs,
                clockMs);
    }

    public ExchangeConfig withMaxPendingCalls(int n) {
        return new ExchangeConfig(subscriberQueue, n, defaultTimeoutMs, maxTimeoutMs, maxPollWaitMs, handlerPresenceMs,
                clockMs);
    }

    public ExchangeConfig withTimeouts(long defaultMs, long maxMs) {
        return new ExchangeConfig(subscriberQueue, maxPendingCalls, defaultMs, maxMs, maxPollWaitMs, handlerPresenceMs,
                clockMs);
    }

    public ExchangeConfig withMaxPollWaitMs(long ms) {
        return new ExchangeConfig(subscriberQueue, maxPendingCalls, defaultTimeoutMs, maxTimeoutMs, ms, handlerPresenceMs,
                clockMs);
    }

    public ExchangeConfig withHandlerPresenceMs(long ms) {
        return new ExchangeConfig(subscriberQueue, maxPendingCalls, defaultTimeoutMs, maxTimeoutMs, maxPollWaitMs, ms,
                clockMs);
    }

    public ExchangeConfig withClock(LongSupplier clock) {
        return new ExchangeConfig(subscriberQueue, maxPendingCalls, defaultTimeoutMs, maxTimeoutMs, maxPollWaitMs,
                handlerPresenceMs, clock);
    }
}
