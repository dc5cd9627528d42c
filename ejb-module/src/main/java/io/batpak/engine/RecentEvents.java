package io.batpak.engine;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * The most recently published events, decoded once and shared by every subscription and cursor
 * that reads them: a ring of {@link #SIZE} slots addressed by global index. Readers fill it
 * themselves on a miss, on their own thread, so the writer never decodes or reads anything for
 * subscribers. Only events among the newest {@link #SIZE} are cached, so a reader far behind
 * cannot evict what the readers at the head still need. Thread-safe and lock-free; two readers may
 * load the same event at once, which costs a read but changes nothing ({@link StoredEvent} is
 * immutable).
 */
final class RecentEvents {
    static final int SIZE = 4096;
    private final AtomicReferenceArray<StoredEvent> ring = new AtomicReferenceArray<>(SIZE);
    private final IntFunction<StoredEvent> loader;

    /** @param loader reads the event at a global index from the log */
    RecentEvents(IntFunction<StoredEvent> loader) {
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

    /** The event read straight from the log, leaving the ring alone (for readers far behind). */
    StoredEvent load(int index) {
        return loader.apply(index);
    }
}
