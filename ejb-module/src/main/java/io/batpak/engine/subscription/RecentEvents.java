package io.batpak.engine.subscription;

import io.batpak.engine.StoredEvent;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * The most recent events, built once and shared by every subscription and cursor that reads them:
 * a ring of {@link #SIZE} slots addressed by global index. While subscriptions are open the writer
 * puts each event it writes here (it has every field at hand, so this costs it one object per
 * event and no read); readers fill the ring themselves on a miss, on their own thread. Only events
 * among the newest {@link #SIZE} are cached, so a reader far behind cannot evict what the readers at
 * the head still need. A slot may hold an event that is written but not yet published: readers only
 * ask for published indexes, so they never see it early. Thread-safe and lock-free; two readers may
 * load the same event at once, which costs a read but changes nothing ({@link StoredEvent} is
 * immutable).
 */
public final class RecentEvents {
    static final int SIZE = 4096;
    private final AtomicReferenceArray<StoredEvent> ring = new AtomicReferenceArray<>(SIZE);
    private final IntFunction<StoredEvent> loader;

    /** @param loader reads the event at a global index from the log */
    public RecentEvents(IntFunction<StoredEvent> loader) {
        this.loader = loader;
    }

    /** The event at global index {@code index}, where {@code published} events are visible. */
    StoredEvent get(int index, long published) {
        int slot = index & (SIZE - 1);
        long globalSequence = index + 1L;
        StoredEvent cached = ring.get(slot);
        if (cached != null && cached.globalSequence() == globalSequence) {
            return cached;
        }
        StoredEvent loaded = loader.apply(index);
        if (index >= published - SIZE && (cached == null || cached.globalSequence() < globalSequence)) {
            ring.compareAndSet(slot, cached, loaded);
        }
        return loaded;
    }

    /** Stores the event the writer has just written at global index {@code index}. */
    void put(int index, StoredEvent event) {
        ring.set(index & (SIZE - 1), event);
    }

    /** The event read straight from the log, leaving the ring alone (for readers far behind). */
    StoredEvent load(int index) {
        return loader.apply(index);
    }
}
