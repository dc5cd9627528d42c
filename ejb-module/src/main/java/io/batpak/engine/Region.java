package io.batpak.engine;

/**
 * A predicate over committed events, used for queries: entity prefix, exact scope, exact kind or
 * kind category, per-entity sequence range, events after a global sequence, and a result limit.
 * Unset parts match everything. Results are always in ascending global sequence. Immutable;
 * start from {@link #all()} and narrow with the {@code with*} methods.
 */
public record Region(String entityPrefix, String scope, Integer kind, Integer category,
                     long minSequence, long maxSequence, long afterGlobalSequence, int limit) {
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
    }

    public static Region all() {
        return new Region(null, null, null, null, 0, Long.MAX_VALUE, 0, DEFAULT_LIMIT);
    }

    public Region withEntityPrefix(String prefix) {
        return new Region(prefix, scope, kind, category, minSequence, maxSequence, afterGlobalSequence, limit);
    }

    public Region withScope(String s) {
        return new Region(entityPrefix, s, kind, category, minSequence, maxSequence, afterGlobalSequence, limit);
    }

    public Region withKind(int k) {
        return new Region(entityPrefix, scope, k, category, minSequence, maxSequence, afterGlobalSequence, limit);
    }

    public Region withCategory(int c) {
        return new Region(entityPrefix, scope, kind, c, minSequence, maxSequence, afterGlobalSequence, limit);
    }

    /** Only events whose per-entity sequence lies in {@code [min, max]}. */
    public Region withSequenceRange(long min, long max) {
        return new Region(entityPrefix, scope, kind, category, min, max, afterGlobalSequence, limit);
    }

    /** Only events with a global sequence greater than {@code after}; 0 means from the beginning. */
    public Region withAfter(long after) {
        return new Region(entityPrefix, scope, kind, category, minSequence, maxSequence, after, limit);
    }

    public Region withLimit(int l) {
        return new Region(entityPrefix, scope, kind, category, minSequence, maxSequence, afterGlobalSequence, l);
    }

    /** Whether an event with these fields lies in this region (the limit and after are not considered). */
    public boolean matches(String entity, String eventScope, int eventKind, long sequence) {
        return (entityPrefix == null || entity.startsWith(entityPrefix))
                && (scope == null || scope.equals(eventScope))
                && (kind == null || kind == eventKind)
                && (category == null || category == eventKind >>> 12)
                && sequence >= minSequence && sequence <= maxSequence;
    }
}
