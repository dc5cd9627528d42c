package io.batpak.engine;

import java.util.Set;

/**
 * One alternative of an {@link EventQuery}: an event matches it if it matches every field given
 * (an exact scope, an entity name prefix, one of the kinds, one of the kind categories); a field
 * left null or empty matches every event. Immutable.
 */
public record QueryItem(String scope, String entityPrefix, Set<Integer> kinds, Set<Integer> categories) {
    /** Most kinds (and most categories) one item may list. */
    public static final int MAX_VALUES = 64;

    public QueryItem {
        kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
        categories = categories == null ? Set.of() : Set.copyOf(categories);
        if (kinds.size() > MAX_VALUES || categories.size() > MAX_VALUES) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a query item lists at most " + MAX_VALUES
                    + " kinds and " + MAX_VALUES + " categories");
        }
        for (int k : kinds) {
            if (k < 0 || k > 0xFFFF) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "kind must be 0..65535, was " + k);
            }
        }
        for (int c : categories) {
            if (c < 0 || c > 0xF) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "category must be 0..15, was " + c);
            }
        }
    }

    /** An item matching every event. */
    public static QueryItem any() {
        return new QueryItem(null, null, Set.of(), Set.of());
    }

    public QueryItem withScope(String s) {
        return new QueryItem(s, entityPrefix, kinds, categories);
    }

    public QueryItem withEntityPrefix(String prefix) {
        return new QueryItem(scope, prefix, kinds, categories);
    }

    public QueryItem withKinds(Integer... k) {
        return new QueryItem(scope, entityPrefix, Set.of(k), categories);
    }

    public QueryItem withCategories(Integer... c) {
        return new QueryItem(scope, entityPrefix, kinds, Set.of(c));
    }

    /** Whether an event with these fields matches this item (grants are the query's business). */
    public boolean matches(String entity, String eventScope, int kind) {
        return (scope == null || scope.equals(eventScope))
                && (entityPrefix == null || entity.startsWith(entityPrefix))
                && (kinds.isEmpty() || kinds.contains(kind))
                && (categories.isEmpty() || categories.contains(kind >>> 12));
    }
}
