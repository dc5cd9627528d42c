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
 * <p>Two ways to consume, with the same delivery (the same events in the same order, whichever is
 * used, even mixed): {@link #poll} blocks the consumer's thread until something is ready; a consumer
 * that must hold no thread while it waits (an SSE stream among thousands) takes what is ready with
 * {@link #pollNow} and, when that is empty, registers {@link #onReady} to be called back once more
 * may be there. That callback runs on the thread that publishes, right after a group is published,
 * so it must do no I/O and never block: it only schedules the consumer's work. It costs the
 * publisher nothing while no listener is armed and one call per armed listener otherwise; a
 * listener is disarmed when it fires, so a consumer that re-arms only after it has read what was
 * ready is called at most once per read it does.
 *
 * <p>Threading: one consumer at a time calls {@link #poll}, {@link #pollNow} and {@link #onReady}
 * (it may hand over between threads, e.g. from one pooled task to the next, with a happens-before
 * such as an executor's); {@link #close()}, {@link #isClosed()} and the diagnostics may be called
 * from any thread. Closing the store closes every subscription.
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

    /**
     * The next matching events that are ready now, at most {@code max} ({@code >= 1}), without
     * waiting: empty when nothing new matches yet and after {@link #close()}. It may read the log
     * (on the caller's thread) when the subscription is far behind, but never waits for a publish.
     */
    List<StoredEvent> pollNow(int max);

    /**
     * Arms {@code listener} to be run once, when events may be ready for {@link #pollNow} or the
     * subscription closes: right away on the caller's thread if that is already so, otherwise on the
     * publishing thread after the next published group (or on the thread that closes it). It may
     * run when nothing that matches is ready (a published event need not match the filter); the
     * consumer then reads empty and arms again. Arming again before it ran replaces the listener;
     * it is never run twice for one arming. The listener must not block or do I/O.
     */
    void onReady(Runnable listener);

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
