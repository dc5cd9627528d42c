package io.batpak.engine.index;

import io.batpak.engine.Region;
import io.batpak.engine.ScopeGrants;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentNavigableMap;

/**
 * Answers a {@link Region} query over the index: picks the narrowest source of candidates (one
 * scope's events, one kind's, one category's, the entities of a name prefix, the scopes some grants
 * reach, or every event), walks it in global order and keeps the events that pass every filter, up
 * to the region's limit. Sees exactly the events published when it starts. Stateless: any thread.
 */
final class RegionQuery {
    private RegionQuery() {
    }

    /** Global indexes of visible events matching {@code r}, ascending, at most {@code r.limit()}. */
    static int[] run(StoreIndex index, Region r) {
        return run(index, r, index.count());
    }

    /**
     * Global indexes below {@code end} matching {@code r}, ascending, at most {@code r.limit()}. An
     * {@code end} past the visible count is for the writer thread only, which staged those events.
     */
    static int[] run(StoreIndex index, Region r, int end) {
        int visible = end;
        int start = (int) Math.min(r.afterGlobalSequence(), Integer.MAX_VALUE);
        int limit = r.limit();
        if (start >= visible) {
            return new int[0];
        }
        ScopeGrants grants = r.grants();
        if (r.scope() != null && !grants.reaches(r.scope())) {
            return new int[0];
        }
        // With an exact scope the grants are settled above; otherwise each candidate's scope is checked.
        ScopeReach reach = r.scope() != null || grants.reachesAll() ? null : new ScopeReach(index, grants);
        Source source;
        if (r.scope() != null) {
            ScopeState s = index.scope(r.scope());
            if (s == null) {
                return new int[0];
            }
            source = new ListSource(s.events, start);
        } else if (r.kind() != null) {
            source = listSource(index.kindEvents(r.kind()), start);
        } else if (r.category() != null) {
            source = listSource(index.categoryEvents(r.category()), start);
        } else if (r.entityPrefix() != null) {
            source = prefixSource(index, r.entityPrefix(), start, visible);
        } else if (reach != null) {
            source = grantedSource(index, grants, start, visible);
        } else {
            source = new RangeSource(start, visible);
        }
        int scopeId = -1;
        if (r.scope() != null) {
            scopeId = index.scope(r.scope()).id;
        }
        boolean mayHide = index.mayHide();
        int[] out = new int[Math.min(limit, 1024)];
        int n = 0;
        for (int i = source.next(); i >= 0 && i < visible; i = source.next()) {
            if (scopeId >= 0 && index.scopeId(i) != scopeId) {
                continue;
            }
            if (reach != null && !reach.test(index.scopeId(i))) {
                continue;
            }
            int k = index.kind(i);
            if (r.kind() != null && r.kind() != k || r.category() != null && r.category() != k >>> 12) {
                continue;
            }
            int seq = index.sequence(i);
            if (seq < r.minSequence() || seq > r.maxSequence()) {
                continue;
            }
            if (r.entityPrefix() != null && !index.entityById(index.entityId(i)).name.startsWith(r.entityPrefix())) {
                continue;
            }
            if (mayHide && index.hidden(i, visible)) {
                continue;
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, Math.min(limit, out.length * 2));
            }
            out[n++] = i;
            if (n == limit) {
                break;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private interface Source {
        /** The next candidate global index, or -1 at the end. */
        int next();
    }

    private static Source listSource(IntList list, int start) {
        return list == null ? () -> -1 : new ListSource(list, start);
    }

    private static Source prefixSource(StoreIndex index, String prefix, int start, int visible) {
        ConcurrentNavigableMap<String, EntityState> tail = index.entitiesFrom(prefix);
        List<ListSource> parts = new ArrayList<>();
        for (Map.Entry<String, EntityState> en : tail.entrySet()) {
            if (!en.getKey().startsWith(prefix)) {
                break;
            }
            parts.add(new ListSource(en.getValue().events, start));
            if (parts.size() > 256) {
                // Many entities share the prefix: a filtered scan of the columns is cheaper than a merge.
                return new RangeSource(start, visible);
            }
        }
        return merged(parts);
    }

    /** The events of every scope {@code grants} reaches, merged; a column scan when they are many. */
    private static Source grantedSource(StoreIndex index, ScopeGrants grants, int start, int visible) {
        List<ListSource> parts = new ArrayList<>();
        for (ScopeState s : index.scopeStates()) {
            if (grants.reaches(s.name)) {
                parts.add(new ListSource(s.events, start));
                if (parts.size() > 256) {
                    return new RangeSource(start, visible);
                }
            }
        }
        return merged(parts);
    }

    /** An ascending merge of ascending sources (each global index occurs in one of them at most). */
    private static Source merged(List<ListSource> parts) {
        if (parts.isEmpty()) {
            return () -> -1;
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        PriorityQueue<int[]> heap = new PriorityQueue<>((a, b) -> Integer.compare(a[0], b[0]));
        for (int p = 0; p < parts.size(); p++) {
            int v = parts.get(p).next();
            if (v >= 0) {
                heap.add(new int[] {v, p});
            }
        }
        return () -> {
            int[] top = heap.poll();
            if (top == null) {
                return -1;
            }
            int v = parts.get(top[1]).next();
            if (v >= 0) {
                heap.add(new int[] {v, top[1]});
            }
            return top[0];
        };
    }

    /**
     * Whether a scope id is reached by some grants, decided once per scope per query: glob matching
     * is far dearer than the lookup, and a query sees few distinct scopes.
     */
    private static final class ScopeReach {
        private final StoreIndex index;
        private final ScopeGrants grants;
        private byte[] known = new byte[16]; // 0 unknown, 1 reached, 2 not reached

        ScopeReach(StoreIndex index, ScopeGrants grants) {
            this.index = index;
            this.grants = grants;
        }

        boolean test(int scope) {
            if (scope >= known.length) {
                known = Arrays.copyOf(known, Math.max(scope + 1, known.length * 2));
            }
            if (known[scope] == 0) {
                known[scope] = grants.reaches(index.scopeById(scope).name) ? (byte) 1 : (byte) 2;
            }
            return known[scope] == 1;
        }
    }

    /** Walks one ascending list from the first element at least {@code start}. */
    private static final class ListSource implements Source {
        private final int[] data;
        private final int size;
        private int at;

        ListSource(IntList list, int start) {
            this.size = list.size();
            this.data = list.snapshotArray();
            this.at = IntList.firstAtLeast(data, size, start);
        }

        @Override
        public int next() {
            return at < size ? data[at++] : -1;
        }
    }

    /** Walks every global index in {@code [start, end)}. */
    private static final class RangeSource implements Source {
        private int at;
        private final int end;

        RangeSource(int start, int end) {
            this.at = start;
            this.end = end;
        }

        @Override
        public int next() {
            return at < end ? at++ : -1;
        }
    }
}
