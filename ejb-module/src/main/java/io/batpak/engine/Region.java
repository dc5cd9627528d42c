package io.batpak.engine;

/**
 * A predicate over committed events, used for queries: entity prefix, exact scope, exact kind or
 * kind category, per-entity sequence range, events after a global sequence, a result limit, and
 * the caller's {@link ScopeGrants}. Unset parts match everything; the grants default to
 * {@link ScopeGrants#ALL}. The engine applies the grants inside the query, before the limit, so a
 * page, its {@code next} position and a subscription never contain or count an event outside
 * them. Results are always in ascending global sequence. Immutable; start from {@link #all()} and
 * narrow with the {@code with*} methods.
 */
public record Region(String entityPrefix, String scope, Integer kind, Integer category,
                     long minSequence, long maxSequence, long afterGlobalSequence, int limit, ScopeGrants grants) {
    /** Limit used when none is given. */
    public static final int DEFAULT_LIMIT = 1000;

    public Region {
        if (kind != null && (kind < 0 || kind > 0xFFFF)) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "kind must be 0..65535, was " + kind);
        }
        if (category != null && (category < 0 || category > 0xF)) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "category must be 0..15, was " + category);
        }
        if (minSequence < 0 || maxSequence < minSequence) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "sequence range must satisfy 0 <= min <= max, was " + minSequence + ".." + maxSequence);
        }
        if (afterGlobalSequence < 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "after must be 0 or more, was " + afterGlobalSequence);
        }
        if (limit < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "limit must be at least 1, was " + limit);
        }
        if (grants == null) {
            grants = ScopeGrants.ALL;
        }
    }

    /** A region that reaches every scope. */
    public Region(String entityPrefix, String scope, Integer kind, Integer category,
                  long minSequence, long maxSequence, long afterGlobalSequence, int limit) {
        this(entityPrefix, scope, kind, category, minSequence, maxSequence, afterGlobalSequence, limit, ScopeGrants.ALL);
    }

    public static Region all() {
        return new Region(null, null, null, null, 0, Long.MAX_VALUE, 0, DEFAULT_LIMIT);
    }

    public Region withEntityPrefix(String prefix) {
        return new Region(prefix, scope, kind, category, minSequence, maxSequence, afterGlobalSequence, limit, grants);
    }

    public Region withScope(String s) {
        return new Region(entityPrefix, s, kind, category, minSequence, maxSequence, afterGlobalSequence, limit, grants);
    }

    public Region withKind(int k) {
        return new Region(entityPrefix, scope, k, category, minSequence, maxSequence, afterGlobalSequence, limit, grants);
    }

    public Region withCategory(int c) {
        return new Region(entityPrefix, scope, kind, c, minSequence, maxSequence, afterGlobalSequence, limit, grants);
    }

    /** Only events whose per-entity sequence lies in {@code [min, max]}. */
    public Region withSequenceRange(long min, long max) {
        return new Region(entityPrefix, scope, kind, category, min, max, afterGlobalSequence, limit, grants);
    }

    /** Only events with a global sequence greater than {@code after}; 0 means from the beginning. */
    public Region withAfter(long after) {
        return new Region(entityPrefix, scope, kind, category, minSequence, maxSequence, after, limit, grants);
    }

    public Region withLimit(int l) {
        return new Region(entityPrefix, scope, kind, category, minSequence, maxSequence, afterGlobalSequence, l, grants);
    }

    /** Only events whose scope {@code g} reaches (replacing the current grants). */
    public Region withGrants(ScopeGrants g) {
        return new Region(entityPrefix, scope, kind, category, minSequence, maxSequence, afterGlobalSequence, limit, g);
    }

    /** Whether an event with these fields lies in this region (the limit and after are not considered). */
    public boolean matches(String entity, String eventScope, int eventKind, long sequence) {
        return grants.reaches(eventScope)
                && (entityPrefix == null || entity.startsWith(entityPrefix))
                && (scope == null || scope.equals(eventScope))
                && (kind == null || kind == eventKind)
                && (category == null || category == eventKind >>> 12)
                && sequence >= minSequence && sequence <= maxSequence;
    }
}
