package io.batpak.engine.index;

import io.batpak.engine.EventStore;
import io.batpak.engine.ScopeGrants;

import java.util.Arrays;
import java.util.BitSet;

/**
 * The index walks behind the grant-aware read methods of {@link EventStore}: an entity's events,
 * its ancestors and the store's counts restricted to the scopes some {@link ScopeGrants} reach.
 * Filtering happens while walking, before any limit is applied, so a limit counts only reachable
 * events. Stateless over the lock-free index; thread-safe.
 */
public final class GrantedReads {
    /** Counts of the published events some grants reach. */
    public record Counts(long events, long entities, long scopes, long lastGlobalSequence) {
    }

    private final StoreIndex index;

    public GrantedReads(StoreIndex index) {
        this.index = index;
    }

    /** Global indexes of the entity's reachable events with sequence at least {@code from}, at most {@code limit}. */
    int[] entityEvents(EntityState e, long from, int limit, ScopeGrants grants) {
        if (grants.reachesAll()) {
            return index.entityEvents(e, from, limit);
        }
        int n = index.entityVisibleEvents(e);
        int[] d = e.events.snapshotArray();
        int[] out = new int[Math.min(limit, 64)];
        int found = 0;
        for (long k = from; k < n && found < limit; k++) {
            int i = d[(int) k];
            if (index.reaches(grants, i)) {
                if (found == out.length) {
                    out = Arrays.copyOf(out, (int) Math.min(limit, out.length * 2L));
                }
                out[found++] = i;
            }
        }
        return Arrays.copyOf(out, found);
    }

    /** Global indexes of the entity's reachable events before {@code sequence}, nearest first, at most {@code limit}. */
    int[] ancestors(EntityState e, int sequence, int limit, ScopeGrants grants) {
        int[] d = e.events.snapshotArray();
        int[] out = new int[Math.min(limit, Math.max(sequence, 0))];
        int found = 0;
        for (int k = sequence - 1; k >= 0 && found < limit; k--) {
            if (index.reaches(grants, d[k])) {
                out[found++] = d[k];
            }
        }
        return Arrays.copyOf(out, found);
    }

    /** Whether some published event of the entity lies inside the grants. */
    boolean reachesAny(EntityState e, ScopeGrants grants) {
        int n = index.entityVisibleEvents(e);
        if (grants.reachesAll()) {
            return n > 0;
        }
        int[] d = e.events.snapshotArray();
        for (int k = 0; k < n; k++) {
            if (index.reaches(grants, d[k])) {
                return true;
            }
        }
        return false;
    }

    /** Events, distinct entities and scopes among the published events the grants reach, and the last one's global sequence. */
    public Counts counts(ScopeGrants grants) {
        int visible = index.count();
        long events = 0;
        long scopes = 0;
        long last = 0;
        BitSet entities = new BitSet();
        for (ScopeState s : index.scopeStates()) {
            if (!grants.reaches(s.name)) {
                continue;
            }
            int size = s.events.size();
            int[] d = s.events.snapshotArray();
            int n = IntList.firstAtLeast(d, size, visible);
            if (n == 0) {
                continue;
            }
            scopes++;
            events += n;
            last = Math.max(last, d[n - 1] + 1L);
            for (int k = 0; k < n; k++) {
                entities.set(index.entityId(d[k]));
            }
        }
        return new Counts(events, entities.cardinality(), scopes, last);
    }
}
