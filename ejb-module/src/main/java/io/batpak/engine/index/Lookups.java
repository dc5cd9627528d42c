package io.batpak.engine.index;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventLookup;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns the facade's query objects into global indexes, within their grants: the entity an
 * {@link EntityQuery} means (a coordinate directly, a bare name across the scopes the grants
 * reach) and the events it selects, the event an {@link EventLookup} names and its ancestors.
 * The same name in two scopes is two entities, so a bare name held in several reachable scopes is
 * {@link ErrorCode#AMBIGUOUS_ENTITY}; anything outside the grants is treated as absent. Reads the
 * index like any reader (lock-free, published events only) and never the disk: kinds are
 * filtered on the index's kind column.
 */
public final class Lookups {
    private final StoreIndex index;

    public Lookups(StoreIndex index) {
        this.index = index;
    }

    /** The coordinates of the entities called {@code entity} that have events inside {@code grants}, in scope order. */
    public List<Coordinate> coordinatesOf(String entity, ScopeGrants grants) {
        List<Coordinate> out = new ArrayList<>(1);
        for (EntityState e : index.entitiesNamed(entity)) {
            if (index.entityVisibleEvents(e) > 0 && grants.reaches(e.coordinate.scope())) {
                out.add(e.coordinate);
            }
        }
        return out;
    }

    /** The one coordinate called {@code entity} inside {@code grants}, if any; {@code AMBIGUOUS_ENTITY} if several. */
    public Optional<Coordinate> resolve(String entity, ScopeGrants grants) {
        List<Coordinate> found = coordinatesOf(entity, grants);
        if (found.size() > 1) {
            throw new StoreException(ErrorCode.AMBIGUOUS_ENTITY, "entity '" + entity + "' exists in " + found.size()
                    + " scopes; name the scope");
        }
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /**
     * The entity {@code q} means inside its grants, or null when there is none (never written, no
     * published event, or outside the grants).
     */
    public EntityState find(EntityQuery q) {
        Coordinate c = q.coordinate();
        if (c == null) {
            Optional<Coordinate> r = resolve(q.name(), q.grants());
            if (r.isEmpty()) {
                return null;
            }
            c = r.get();
        } else if (!q.grants().reaches(c.scope())) {
            return null;
        }
        return index.entity(c);
    }

    /** The global indexes of the events {@code q} selects, ascending by sequence; empty when {@link #find} is null. */
    public int[] entityEvents(EntityQuery q) {
        EntityState e = find(q);
        if (e == null) {
            return new int[0];
        }
        int[] events = index.entityEvents(e, q.fromSequence(), q.limit());
        if (q.kinds() == EntityQuery.ALL_KINDS) {
            return events;
        }
        int n = 0;
        for (int i : events) {
            if (q.kinds().test(index.kind(i))) {
                events[n++] = i;
            }
        }
        return n == events.length ? events : java.util.Arrays.copyOf(events, n);
    }

    /** The global index of the event {@code l} names, or -1 if it is not stored, outside the grants or past retention. */
    public int event(EventLookup l) {
        UUID id = l.eventId();
        int i = index.find(id.getMostSignificantBits(), id.getLeastSignificantBits());
        return i < 0 || !index.reaches(l.grants(), i) || index.hidden(i) ? -1 : i;
    }

    /**
     * The global indexes of the event's chain walked backwards, its parent first, the event itself
     * excluded, at most {@code limit}; {@link ErrorCode#NOT_FOUND} if {@link #event} finds none. An
     * entity's chain lies in one scope, so the ancestors are inside the grants whenever the event is.
     */
    public int[] ancestors(EventLookup l, int limit) {
        int i = event(l);
        if (i < 0) {
            throw new StoreException(ErrorCode.NOT_FOUND, "event " + l.eventId() + " is not stored");
        }
        EntityState e = index.entityById(index.entityId(i));
        int seq = index.sequence(i);
        int from = Math.max(index.firstKept(e, index.entityVisibleEvents(e)), seq - limit);
        if (from >= seq) {
            return new int[0];
        }
        int[] chain = index.entityEvents(e, from, seq - from);
        int n = chain.length;
        while (n > 0 && index.sequence(chain[n - 1]) >= seq) {
            n--; // retention moved on meanwhile, so the page started later and ran past the event
        }
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            out[k] = chain[n - 1 - k];
        }
        return out;
    }
}
