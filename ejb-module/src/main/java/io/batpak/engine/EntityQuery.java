package io.batpak.engine;

import java.util.function.IntPredicate;

/**
 * Which events of one entity a read, verify or last-sequence call is about, and within which
 * grants: the entity (a {@link Coordinate}, or a bare name resolved across the scopes the grants
 * reach), a page ({@code fromSequence} inclusive, at most {@code limit} events) and a kind filter.
 *
 * <p>Defaults, so a plain {@code EntityQuery.of(entity)} means "everything": from sequence 0, no
 * limit, {@link ScopeGrants#ALL}, every kind. An entity whose scope the grants do not reach reads
 * as one without events; a name held in several reachable scopes fails with
 * {@link ErrorCode#AMBIGUOUS_ENTITY} (name the scope with a {@code Coordinate} then). Events whose
 * kind the filter refuses are skipped without a disk read (projections read only the kinds they
 * fold). Immutable; invalid values fail at construction with {@link ErrorCode#INVALID_REQUEST}.
 *
 * @param coordinate the entity in its scope, or null when {@code name} is given
 * @param name a bare entity name to resolve, or null when {@code coordinate} is given
 */
public record EntityQuery(Coordinate coordinate, String name, long fromSequence, int limit, ScopeGrants grants,
                          IntPredicate kinds) {
    /** The kind filter that accepts every kind (the default; lets reads skip the per-event test). */
    public static final IntPredicate ALL_KINDS = k -> true;

    public EntityQuery {
        if ((coordinate == null) == (name == null)) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "an entity query names a coordinate or a name");
        }
        if (fromSequence < 0 || limit < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "from must be >= 0 and limit >= 1");
        }
        if (grants == null || kinds == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "grants and kinds are required");
        }
    }

    /** Every event of the entity at {@code coordinate}. */
    public static EntityQuery of(Coordinate coordinate) {
        if (coordinate == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "coordinate is required");
        }
        return new EntityQuery(coordinate, null, 0, Integer.MAX_VALUE, ScopeGrants.ALL, ALL_KINDS);
    }

    /** Every event of the one entity called {@code name}, in whichever reachable scope holds it. */
    public static EntityQuery of(String name) {
        if (name == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "entity name is required");
        }
        return new EntityQuery(null, name, 0, Integer.MAX_VALUE, ScopeGrants.ALL, ALL_KINDS);
    }

    /** The entity's name, whether given bare or in a coordinate. */
    public String entityName() {
        return coordinate != null ? coordinate.entity() : name;
    }

    /** Only events from sequence {@code from} (inclusive). */
    public EntityQuery withFrom(long from) {
        return new EntityQuery(coordinate, name, from, limit, grants, kinds);
    }

    /** At most {@code max} events. */
    public EntityQuery withLimit(int max) {
        return new EntityQuery(coordinate, name, fromSequence, max, grants, kinds);
    }

    /** Only what {@code g} reaches (replacing the current grants). */
    public EntityQuery withGrants(ScopeGrants g) {
        return new EntityQuery(coordinate, name, fromSequence, limit, g, kinds);
    }

    /** Only events whose kind value {@code wanted} accepts; the others are skipped without a disk read. */
    public EntityQuery withKinds(IntPredicate wanted) {
        return new EntityQuery(coordinate, name, fromSequence, limit, grants, wanted);
    }
}
