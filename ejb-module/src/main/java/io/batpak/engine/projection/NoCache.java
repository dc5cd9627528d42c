package io.batpak.engine.projection;

/** A cache that keeps nothing: every projection replays the entity's events from the start. Stateless, thread-safe. */
public final class NoCache implements ProjectionCache {
    /** The one instance. */
    public static final NoCache INSTANCE = new NoCache();

    private NoCache() {
    }

    @Override
    public <S> ProjectionSnapshot<S> get(Projection<S> projection, String entity) {
        return null;
    }

    @Override
    public <S> void put(Projection<S> projection, String entity, ProjectionSnapshot<S> snapshot) {
        // Nothing is kept, by design.
    }

    @Override
    public <S> void remove(Projection<S> projection, String entity) {
        // Nothing is kept, by design.
    }
}
