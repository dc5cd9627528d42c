package io.batpak.engine.audit;

import io.batpak.engine.Coordinate;
import io.batpak.engine.Cursor;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventStore;
import io.batpak.engine.Region;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoredEvent;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Exports from a live store, page by page ({@value #PAGE} events at a time), so an export of any
 * size holds one page in memory. Each export is a snapshot at the store's global sequence when it
 * starts (events appended meanwhile are left out, and {@code upto} in the trailer says where it
 * stopped). Reads go through the caller's grants like every read: an entity or scope outside them
 * exports as one without events. Stateless; thread-safe (each call has its own writer).
 */
public final class AuditExports {
    static final int PAGE = 512;

    private AuditExports() {
    }

    /**
     * The export of one entity: {@code query} names it (a coordinate, or a bare name resolved
     * within the query's grants; its page and kind filter are ignored), written to {@code out}.
     * A bare name that no granted scope holds exports as an entity without events.
     */
    public static ExportTrailer entity(EventStore store, EntityQuery query, AuditKey key, OutputStream out)
            throws IOException {
        long upTo = store.globalSequence();
        EntityQuery all = query.withFrom(0).withLimit(PAGE).withKinds(EntityQuery.ALL_KINDS);
        Coordinate c = all.coordinate() != null ? all.coordinate() : store.resolve(all.entityName(), all.grants()).orElse(null);
        if (c == null) {
            return new ExportWriter(out, key, new ExportSubject(all.entityName(), null), upTo).finish();
        }
        ExportWriter w = new ExportWriter(out, key, ExportSubject.entity(c), upTo);
        EntityQuery page = EntityQuery.of(c).withGrants(all.grants()).withLimit(PAGE);
        long from = 0;
        while (true) {
            List<StoredEvent> events = store.readEntityStored(page.withFrom(from));
            for (StoredEvent e : events) {
                if (e.globalSequence() > upTo) {
                    return w.finish();
                }
                w.write(e);
            }
            if (events.size() < PAGE) {
                return w.finish();
            }
            from = events.get(events.size() - 1).sequence() + 1;
        }
    }

    /**
     * The export of every event in {@code scope} (every granted scope when null) that
     * {@code grants} reach, in global sequence order, written to {@code out}.
     */
    public static ExportTrailer scope(EventStore store, String scope, ScopeGrants grants, AuditKey key, OutputStream out)
            throws IOException {
        long upTo = store.globalSequence();
        Region region = Region.all().withGrants(grants);
        if (scope != null) {
            region = region.withScope(scope);
        }
        ExportWriter w = new ExportWriter(out, key, new ExportSubject(null, scope), upTo);
        Cursor cursor = store.cursorStored(region, 0);
        while (true) {
            List<StoredEvent> events = cursor.poll(PAGE);
            for (StoredEvent e : events) {
                if (e.globalSequence() > upTo) {
                    return w.finish();
                }
                w.write(e);
            }
            if (events.isEmpty() || cursor.position() >= upTo) {
                return w.finish();
            }
        }
    }
}
