package io.batpak.engine.projection;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps the snapshots of the {@code maxEntries} most recently used (projection, version, entity)
 * keys in memory; the least recently used one is evicted when a new key would exceed the bound.
 * States are held by reference, which is why {@link Projection} states must not be mutated.
 * Thread-safe: every operation holds the cache's lock briefly.
 */
public final class LruProjectionCache implements ProjectionCache {
    private record Key(String name, int version, String entity) {
    }

    private final int maxEntries;
    private final LinkedHashMap<Key, ProjectionSnapshot<?>> entries;

    public LruProjectionCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "maxEntries must be at least 1, was " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, ProjectionSnapshot<?>> eldest) {
                return size() > LruProjectionCache.this.maxEntries;
            }
        };
    }

    private static Key key(Projection<?> p, String entity) {
        return new Key(p.name(), p.version(), entity);
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <S> ProjectionSnapshot<S> get(Projection<S> projection, String entity) {
        // The key includes name and version, which identify the state type (Projection's contract).
        return (ProjectionSnapshot<S>) entries.get(key(projection, entity));
    }

    @Override
    public synchronized <S> void put(Projection<S> projection, String entity, ProjectionSnapshot<S> snapshot) {
        entries.put(key(projection, entity), snapshot);
    }

    @Override
    public synchronized <S> void remove(Projection<S> projection, String entity) {
        entries.remove(key(projection, entity));
    }

    /** Number of snapshots held now. */
    public synchronized int size() {
        return entries.size();
    }
}
