package io.batpak.engine.index;

import io.batpak.engine.EventQuery;
import io.batpak.engine.QueryItem;
import io.batpak.engine.Region;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Answers an {@link EventQuery} (any of several items) over the index: each item becomes one
 * {@link Region} per kind it lists (or per category, or one region), each answered by
 * {@link RegionQuery} from its narrowest list, and the results are merged in global order without
 * duplicates. Only the first {@code limit} matches of each region can be among the first
 * {@code limit} overall, so no region is walked further. Stateless: any thread.
 */
final class ItemsQuery {
    private ItemsQuery() {
    }

    /** Global indexes below {@code end} after {@code after} matching {@code q}, ascending, at most {@code limit}. */
    static int[] run(StoreIndex index, EventQuery q, long after, int limit, int end) {
        List<int[]> parts = new ArrayList<>();
        for (QueryItem item : q.items()) {
            for (Region r : regions(item)) {
                int[] hits = RegionQuery.run(index, r.withGrants(q.grants()).withAfter(after).withLimit(limit), end);
                if (hits.length > 0) {
                    parts.add(hits);
                }
            }
        }
        return merge(parts, limit);
    }

    /** The regions whose union is exactly the events {@code item} matches. */
    static List<Region> regions(QueryItem item) {
        Region base = Region.all();
        if (item.scope() != null) {
            base = base.withScope(item.scope());
        }
        if (item.entityPrefix() != null) {
            base = base.withEntityPrefix(item.entityPrefix());
        }
        List<Region> out = new ArrayList<>();
        if (!item.kinds().isEmpty()) {
            for (int k : item.kinds()) {
                if (item.categories().isEmpty() || item.categories().contains(k >>> 12)) {
                    out.add(base.withKind(k));
                }
            }
        } else if (!item.categories().isEmpty()) {
            for (int c : item.categories()) {
                out.add(base.withCategory(c));
            }
        } else {
            out.add(base);
        }
        return out;
    }

    private static int[] merge(List<int[]> parts, int limit) {
        if (parts.isEmpty()) {
            return new int[0];
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int[] all = parts.stream().flatMapToInt(Arrays::stream).sorted().distinct().toArray();
        return all.length > limit ? Arrays.copyOf(all, limit) : all;
    }
}
