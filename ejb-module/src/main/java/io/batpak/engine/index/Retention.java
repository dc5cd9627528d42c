package io.batpak.engine.index;

import io.batpak.engine.RetentionRule;

import java.util.function.IntToLongFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Which events are past retention, decided on the index alone so that no read, query, condition,
 * cursor or subscription ever sees them: the facade installs one per store
 * ({@link StoreIndex#attachRetention}). Past retention is always a prefix of an entity's chain:
 * sequences below the entity's truncate-before, all but the newest {@code maxCount} of its scope's
 * rule, and those older than the rule's {@code maxAgeMs}. Entities the {@code exempt} predicate
 * names (the store's own bookkeeping) are never touched by scope rules.
 *
 * <p>The age limit is turned into a global-index cutoff per scope: writer timestamps (HLC wall
 * times) rise with the global sequence, so the first kept event is found by a binary search over
 * the scope's events, reading the timestamp of a few frames ({@code wallMsOf}); the cutoff is
 * recomputed when the clock moved on by a millisecond.
 *
 * <p>Threading: rules and truncates are set by the facade (serialised by its caller), read by any
 * thread; every field is volatile or an immutable value, and a cached cutoff only moves forward.
 */
public final class Retention {
    private final StoreIndex index;
    private final IntToLongFunction wallMsOf;
    private final LongSupplier nowMs;
    private final Predicate<String> exempt;
    /** Whether any rule or truncate was ever set: false keeps every read on its old fast path. */
    private volatile boolean active;

    public Retention(StoreIndex index, IntToLongFunction wallMsOf, LongSupplier nowMs, Predicate<String> exempt) {
        this.index = index;
        this.wallMsOf = wallMsOf;
        this.nowMs = nowMs;
        this.exempt = exempt;
    }

    /** Sets (null: removes) the scope's rule. */
    public void setRule(ScopeState scope, RetentionRule rule) {
        scope.retention = rule;
        scope.ageCutoff = new AgeCutoff(Long.MIN_VALUE, 0);
        if (rule != null) {
            active = true;
        }
    }

    /** Raises the entity's truncate-before to {@code before} (never lowers it); returns the value now in force. */
    public int truncate(EntityState entity, int before) {
        if (before > entity.truncatedBefore) {
            entity.truncatedBefore = before;
            active = true;
        }
        return entity.truncatedBefore;
    }

    /**
     * The first sequence of {@code e} that is kept when the entity has {@code n} events (those below
     * the reader's end): every sequence below it is past retention.
     */
    public int firstKept(EntityState e, int n) {
        if (!active) {
            return 0;
        }
        int from = e.truncatedBefore;
        RetentionRule rule = e.scope.retention;
        if (rule != null && !isExempt(e)) {
            if (rule.maxCount() != null) {
                from = (int) Math.max(from, n - rule.maxCount());
            }
            if (rule.maxAgeMs() != null) {
                int cutoff = ageCutoff(e.scope, rule);
                if (cutoff > 0) {
                    from = Math.max(from, IntList.firstAtLeast(e.events.snapshotArray(), n, cutoff));
                }
            }
        }
        return Math.min(from, n);
    }

    /** Whether the event at global index {@code i} is past retention, for a reader seeing events below {@code end}. */
    public boolean hidden(int i, int end) {
        if (!active) {
            return false;
        }
        EntityState e = index.entityById(index.entityId(i));
        int seq = index.sequence(i);
        if (seq < e.truncatedBefore) {
            return true;
        }
        if (e.scope.retention == null) {
            return false;
        }
        return seq < firstKept(e, countBelow(e, end));
    }

    /** Whether any rule or truncate was ever set. */
    public boolean active() {
        return active;
    }

    private boolean isExempt(EntityState e) {
        byte x = e.ruleExempt;
        if (x == 0) {
            x = exempt.test(e.name) ? (byte) 1 : (byte) 2;
            e.ruleExempt = x;
        }
        return x == 1;
    }

    private static int countBelow(EntityState e, int end) {
        int n = e.events.size();
        int[] d = e.events.snapshotArray();
        while (n > 0 && d[n - 1] >= end) {
            n--;
        }
        return n;
    }

    /** The first global index of the scope's published events that is not older than the rule allows. */
    private int ageCutoff(ScopeState s, RetentionRule rule) {
        long now = nowMs.getAsLong();
        AgeCutoff c = s.ageCutoff;
        if (c.atMs == now) {
            return c.cutoff;
        }
        long oldestKeptMs = now - rule.maxAgeMs();
        int published = index.count();
        int size = s.events.size(); // the size before the array (IntList's reader protocol)
        int[] d = s.events.snapshotArray();
        int lo = IntList.firstAtLeast(d, size, c.cutoff);
        int hi = IntList.firstAtLeast(d, size, published); // candidates are d[lo..hi)
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (wallMsOf.applyAsLong(d[mid]) < oldestKeptMs) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int cutoff = lo < size ? d[lo] : published;
        cutoff = Math.max(cutoff, c.cutoff);
        if (s.retention == rule) {
            s.ageCutoff = new AgeCutoff(now, cutoff);
        }
        return cutoff;
    }

    /** A scope's age cutoff as computed at {@code atMs}: events below global index {@code cutoff} are too old. */
    record AgeCutoff(long atMs, int cutoff) {
    }
}
