package io.batpak.engine;

import java.util.List;

/**
 * A query over events of many entities, as a Dynamic Consistency Boundary reads them: an event
 * matches if its scope is inside {@code grants} and it matches any of the {@code items}. Used to
 * read ({@link EventStore#query}) and as the condition of an append ({@link AppendCondition}), so
 * a decision and its check see the same events. Immutable.
 */
public record EventQuery(List<QueryItem> items, ScopeGrants grants) {
    /** Most items one query may have. */
    public static final int MAX_ITEMS = 64;

    public EventQuery {
        if (items == null || items.isEmpty() || items.size() > MAX_ITEMS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a query has 1.." + MAX_ITEMS + " items, this one "
                    + (items == null ? 0 : items.size()));
        }
        items = List.copyOf(items);
        if (grants == null) {
            grants = ScopeGrants.ALL;
        }
    }

    public static EventQuery of(QueryItem... items) {
        return new EventQuery(List.of(items), ScopeGrants.ALL);
    }

    /** Only events whose scope {@code g} reaches (replacing the current grants). */
    public EventQuery withGrants(ScopeGrants g) {
        return new EventQuery(items, g);
    }

    /** Whether an event with these fields matches: inside the grants and matching some item. */
    public boolean matches(String entity, String scope, int kind) {
        if (!grants.reaches(scope)) {
            return false;
        }
        for (QueryItem item : items) {
            if (item.matches(entity, scope, kind)) {
                return true;
            }
        }
        return false;
    }
}
