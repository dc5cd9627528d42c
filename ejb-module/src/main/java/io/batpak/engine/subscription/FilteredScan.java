package io.batpak.engine.subscription;

import io.batpak.engine.Region;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.index.StoreIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Reads the next published events matching a filter after a global sequence, for cursors and
 * subscriptions. Besides the events it reports how far the store has been examined, so a sparse
 * filter does not rescan the same non-matching stretch on every poll. Every event it hands out
 * passes {@code deliver} (the store's upcasting to the current payload version; the shared ring
 * keeps the stored events), except from {@link #asStored()}. Thread-safe (stateless over the
 * lock-free index; {@code deliver} is thread-safe).
 */
public final class FilteredScan {
    /**
     * One read: the matching events, ascending, and the global sequence up to which every published
     * event has been considered (so the next read starts after it).
     */
    record Batch(List<StoredEvent> events, long scannedTo) {
    }

    private final StoreIndex index;
    private final RecentEvents recent;
    private final UnaryOperator<StoredEvent> deliver;

    /** A scan handing out events as {@code deliver} makes them of the stored ones. */
    public FilteredScan(StoreIndex index, RecentEvents recent, UnaryOperator<StoredEvent> deliver) {
        this.index = index;
        this.recent = recent;
        this.deliver = deliver;
    }

    /** A scan handing out the events exactly as stored (for audit exports). */
    FilteredScan asStored() {
        return new FilteredScan(index, recent, UnaryOperator.identity());
    }

    /** The highest published global sequence. */
    long published() {
        return index.count();
    }

    /**
     * At most {@code max} matching events with a global sequence above {@code after}.
     *
     * @param fromMemory whether to use (and fill) the shared cache of recent events; false reads the
     *        log directly, for a reader far behind the head
     */
    Batch next(Region filter, long after, int max, boolean fromMemory) {
        // Read before the query: the query sees at least these events, so when it returns fewer than
        // max, every matching event up to here is among them.
        long published = index.count();
        if (published <= after) {
            return new Batch(List.of(), after);
        }
        int[] hits = index.query(filter.withAfter(after).withLimit(max));
        List<StoredEvent> events = new ArrayList<>(hits.length);
        for (int i : hits) {
            events.add(deliver.apply(fromMemory ? recent.get(i, published) : recent.load(i)));
        }
        long last = hits.length == 0 ? after : hits[hits.length - 1] + 1L;
        return new Batch(events, hits.length < max ? Math.max(published, last) : last);
    }
}
