package io.batpak.engine.subscription;

import io.batpak.engine.Cursor;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.Region;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;

import java.util.List;

/** {@link Cursor} over the store's index: every poll is a filtered index read after the last one. */
final class IndexCursor implements Cursor {
    private final SubscriptionHub hub;
    private final FilteredScan scan;
    private final Region filter;
    /** Every published event up to this global sequence has been considered. */
    private long scanned;
    private long position;

    IndexCursor(SubscriptionHub hub, FilteredScan scan, Region filter, long after) {
        this.hub = hub;
        this.scan = scan;
        this.filter = filter;
        this.scanned = after;
        this.position = after;
    }

    @Override
    public List<StoredEvent> poll(int max) {
        SubscriptionHub.checkMax(max);
        if (hub.isClosed()) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "store is closed");
        }
        FilteredScan.Batch batch = scan.next(filter, scanned, max, true);
        scanned = batch.scannedTo();
        List<StoredEvent> events = batch.events();
        if (!events.isEmpty()) {
            position = events.get(events.size() - 1).globalSequence();
        }
        return events;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public String toString() {
        return "Cursor[" + filter + " position=" + position + "]";
    }
}
