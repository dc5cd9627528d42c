package io.batpak.engine.projection;

/**
 * Where a {@link Projector} keeps projected states between calls, keyed by projection name,
 * projection version and entity: a state stored under one version is never returned for another.
 * Implementations: {@link NoCache}, {@link LruProjectionCache}, {@link SnapshotProjectionCache}.
 *
 * <p>A cache may forget anything at any time; it is never the only copy of anything. Threading:
 * implementations are thread-safe; the projector never calls them concurrently for the same
 * projection and entity.
 */
public interface ProjectionCache {
    /** The cached snapshot, or {@code null}. */
    <S> ProjectionSnapshot<S> get(Projection<S> projection, String entity);

    /** Stores a snapshot, replacing any earlier one for the same key. */
    <S> void put(Projection<S> projection, String entity, ProjectionSnapshot<S> snapshot);

    /** Forgets the snapshot for this key, if any. */
    <S> void remove(Projection<S> projection, String entity);

    /**
     * Whether snapshots outlive the store instance (and so may disagree with a log that changed
     * meanwhile): the projector then checks each one against the log before using it.
     */
    default boolean persistent() {
        return false;
    }
}
