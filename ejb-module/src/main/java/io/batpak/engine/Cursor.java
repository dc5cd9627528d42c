package io.batpak.engine;

import java.util.List;

/**
 * A pull reader of the events matching a filter, from a global-sequence position onwards.
 * Obtained from {@link EventStore#cursor(Region, long)}.
 *
 * <p>Guarantees: {@link #poll(int)} returns matching committed events in ascending global
 * sequence, each exactly once, with nothing skipped: it reads the store's index, never a lossy
 * channel, so a cursor cannot lose an event however slowly it is polled. It only sees published
 * (durable under the sync mode) events and never waits for the writer. The position can be saved
 * and a new cursor opened at it, after a restart too, to continue where this one stopped.
 *
 * <p>Threading: not thread-safe; one reader polls it. Cursors hold no resources beyond the store
 * and need no closing.
 */
public interface Cursor {
    /**
     * The next matching events, at most {@code max} ({@code >= 1}), in ascending global sequence;
     * empty if none is published yet. Never blocks on the writer.
     *
     * @throws StoreException {@link ErrorCode#UNAVAILABLE} once the store is closed
     */
    List<StoredEvent> poll(int max);

    /**
     * The global sequence of the last event returned, or the start position if none was; pass it
     * to {@link EventStore#cursor(Region, long)} to resume after it.
     */
    long position();
}
