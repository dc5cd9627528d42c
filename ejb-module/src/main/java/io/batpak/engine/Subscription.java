package io.batpak.engine;

import java.time.Duration;
import java.util.List;

/**
 * A push subscription to the events matching a filter: it replays the log from its start
 * position, then delivers newly published events as the store commits them. Obtained from
 * {@link EventStore#subscribe(Region, long, int)} or {@link EventStore#subscribeLive(Region, int)}.
 *
 * <p>Guarantees: every matching event after the start position is delivered exactly once, in
 * ascending global sequence, and only once it is published (durable under the store's sync mode);
 * the switch from replay to live delivery leaves no gap and repeats nothing. A slow or stalled
 * subscriber never slows the writer: the writer never blocks on subscribers, never reads for them,
 * and its work for them does not depend on how many there are or how far behind they are (while any
 * subscription is open it builds each event once into a shared cache of recent events). While a
 * subscription lags at most {@code bufferCapacity} events behind the newest published event it is
 * served from that memory; when it falls further behind it reads from the log on its own thread instead of
 * dropping anything (counted by {@link #fallbacksToLog()}) and returns to memory once it catches up.
 * Live delivery is coalesced so that many subscribers cannot swamp the CPU: waiting subscribers are
 * woken at most once per window of 0.1 ms per open subscription (0.1 ms to 10 ms), so an event may
 * arrive up to that long after its append returned.
 *
 * <p>Threading: one consumer thread calls {@link #poll}; {@link #close()}, {@link #isClosed()} and
 * the diagnostics may be called from any thread. Closing the store closes every subscription.
 */
public interface Subscription extends AutoCloseable {
    /**
     * The next matching events, at most {@code max} ({@code >= 1}), waiting up to {@code wait} for
     * at least one. Returns empty on timeout and after {@link #close()}, which also wakes a poll
     * that is waiting.
     *
     * @throws InterruptedException if the consumer thread is interrupted while it waits
     */
    List<StoredEvent> poll(int max, Duration wait) throws InterruptedException;

    /** The global sequence of the last event delivered, or the start position if none was. */
    long position();

    boolean isClosed();

    /** Ends the subscription and wakes a waiting {@link #poll}. Idempotent; any thread. */
    @Override
    void close();

    /**
     * Published events this subscription has not examined yet, capped at its buffer capacity: how
     * much is ready for it in memory. Not all of them need match its filter.
     */
    int buffered();

    /** How many times this subscription fell more than its buffer capacity behind and read from the log. */
    long fallbacksToLog();
}
