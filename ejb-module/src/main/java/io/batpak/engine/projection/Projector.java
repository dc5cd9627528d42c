package io.batpak.engine.projection;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.Freshness;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * Runs {@link Projection}s over one store's entities, incrementally, through a
 * {@link ProjectionCache}, and watches them for changes.
 *
 * <p>Guarantees of {@link #project}: with {@link Freshness#CONSISTENT} the state covers every
 * event of the entity published before the call (and perhaps some published during it), and only
 * events after the cached watermark are applied, each once, in sequence order; events whose kind
 * the projection does not read are skipped without a disk read. A snapshot from a
 * {@linkplain ProjectionCache#persistent() persistent} cache is used only if the log still holds,
 * at the snapshot's watermark, the event whose hash the snapshot recorded; otherwise it is
 * discarded with a warning and the state is rebuilt (a replaced or restored data directory).
 * The watermark is the last sequence looked at, so it also moves over skipped kinds.
 *
 * <p>Threading: thread-safe. Calls for the same projection and entity are serialized; others run
 * in parallel. Watches run on one daemon thread owned by this projector, created on first use;
 * {@link #close()} stops them (closing the store stops them too, at their next round).
 */
public final class Projector implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Projector.class.getName());
    /** How often a watch checks its entity when no interval is given. */
    public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofMillis(100);
    private static final int READ_CHUNK = 512;
    private static final byte[] NO_HASH = new byte[32];

    private final EventStore store;
    private final ProjectionCache cache;
    private final long watchIntervalMs;
    private final ReentrantLock[] stripes = new ReentrantLock[64];
    private final Set<PollingWatch<?>> watches = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService scheduler;
    private boolean closed;

    public Projector(EventStore store, ProjectionCache cache) {
        this(store, cache, DEFAULT_WATCH_INTERVAL);
    }

    /** A projector whose watches check their entity every {@code watchInterval} (at least 1 ms). */
    public Projector(EventStore store, ProjectionCache cache, Duration watchInterval) {
        this.store = Objects.requireNonNull(store, "store");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.watchIntervalMs = watchInterval.toMillis();
        if (watchIntervalMs < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "watch interval must be at least 1 ms, was "
                    + watchInterval);
        }
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /**
     * As {@link #project(Coordinate, Projection, Freshness)} for the one entity of that name in any
     * scope ({@code AMBIGUOUS_ENTITY} if several); an entity with no events has the initial state.
     */
    public <S> ProjectionResult<S> project(String entity, Projection<S> projection, Freshness freshness) {
        Coordinate.validatePart("entity", entity);
        java.util.Optional<Coordinate> c = store.resolve(entity, ScopeGrants.ALL);
        if (c.isEmpty()) {
            SnapshotFile.checkName(projection.name());
            return new ProjectionResult<>(nonNull(projection.initial(), projection), AppendOptions.NO_EVENTS);
        }
        return project(c.get(), projection, freshness);
    }

    /** The entity's state under {@code projection}, as current as {@code freshness} asks. */
    public <S> ProjectionResult<S> project(Coordinate entity, Projection<S> projection, Freshness freshness) {
        SnapshotFile.checkName(projection.name());
        if (projection.version() < 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "projection version must be >= 0, was "
                    + projection.version());
        }
        ReentrantLock lock = stripes[Math.floorMod(Objects.hash(projection.name(), entity), stripes.length)];
        lock.lock();
        try {
            return projectLocked(entity, projection, freshness);
        } finally {
            lock.unlock();
        }
    }

    private <S> ProjectionResult<S> projectLocked(Coordinate entity, Projection<S> projection, Freshness freshness) {
        long now = store.config().wallClockMs().getAsLong();
        String key = retainedKey(entity);
        ProjectionSnapshot<S> cached = cache.get(projection, key);
        if (cached != null && cache.persistent() && !matchesLog(entity, cached)) {
            LOG.log(Level.WARNING, "snapshot of {0} v{1} for {2} at sequence {3} does not match the log; rebuilding",
                    projection.name(), projection.version(), entity, cached.watermark());
            cache.remove(projection, key);
            cached = null;
        }
        if (cached != null && freshness.accepts(cached.takenAtMs(), now)) {
            return new ProjectionResult<>(cached.state(), cached.watermark());
        }
        S state = cached == null ? nonNull(projection.initial(), projection) : cached.state();
        long from = cached == null ? 0 : cached.watermark() + 1;
        long last = store.lastSequence(EntityQuery.of(entity));
        IntPredicate wanted = last >= from ? kindFilter(projection.kinds()) : k -> false;
        StoredEvent lastRead = null;
        for (long seq = from; seq <= last; seq += READ_CHUNK) {
            int count = (int) Math.min(READ_CHUNK, last - seq + 1);
            for (StoredEvent e : store.readEntity(EntityQuery.of(entity).withFrom(seq).withLimit(count).withKinds(wanted))) {
                if (e.sequence() >= seq + count) {
                    break; // past retention shifted the page: the next chunk reads these
                }
                state = nonNull(projection.apply(state, e), projection);
                lastRead = e;
            }
        }
        boolean advanced = last >= from;
        long watermark = advanced ? last : from - 1;
        if (advanced || cached == null || !cache.persistent()) {
            // Persistent caches are rewritten only when the state moved; in-memory ones also record the time.
            byte[] hash = advanced ? hashAt(entity, last, lastRead) : cached == null ? NO_HASH : cached.watermarkHash();
            cache.put(projection, key, new ProjectionSnapshot<>(state, watermark, hash, now));
        }
        return new ProjectionResult<>(state, watermark);
    }

    /**
     * Calls {@code listener} with the entity's state now, then each time it changes (by
     * {@code equals}), on this projector's watch thread; see {@link ProjectionWatch}. The listener
     * must not block for long: every watch of this projector shares the thread.
     */
    public <S> ProjectionWatch watch(String entity, Projection<S> projection, Consumer<? super S> listener) {
        Coordinate.validatePart("entity", entity);
        SnapshotFile.checkName(projection.name());
        Objects.requireNonNull(listener, "listener");
        PollingWatch<S> w = new PollingWatch<>(this, entity, projection, listener);
        synchronized (this) {
            if (closed) {
                throw new StoreException(ErrorCode.UNAVAILABLE, "projector is closed");
            }
            if (scheduler == null) {
                scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "batpak-projection-watch");
                    t.setDaemon(true);
                    return t;
                });
            }
            watches.add(w);
            w.scheduled(scheduler.scheduleWithFixedDelay(w, 0, watchIntervalMs, TimeUnit.MILLISECONDS));
        }
        return w;
    }

    /** The store this projector reads. */
    public EventStore store() {
        return store;
    }

    /** The cache this projector uses. */
    public ProjectionCache cache() {
        return cache;
    }

    void forget(PollingWatch<?> w) {
        watches.remove(w);
    }

    /** Stops every watch and the watch thread. Idempotent; projecting still works afterwards. */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            closed = true;
            s = scheduler;
            scheduler = null;
        }
        for (PollingWatch<?> w : List.copyOf(watches)) {
            w.close();
        }
        if (s != null) {
            s.shutdownNow();
        }
    }

    /**
     * The cache's name for an entity: name and scope joined by NUL, which neither may hold (a plain
     * {@code entity@scope} would collide for names that contain {@code @}).
     */
    static String cacheKey(Coordinate entity) {
        return entity.entity() + '\0' + entity.scope();
    }

    /**
     * The cache's name for the entity's state over its kept events: {@link #cacheKey}, plus the first
     * kept sequence once retention hides some, so a state folded over events since hidden is never
     * served (it is rebuilt over the kept ones under the new name; the old entry ages out).
     */
    private String retainedKey(Coordinate entity) {
        long from = store.firstKeptSequence(EntityQuery.of(entity));
        return from == 0 ? cacheKey(entity) : cacheKey(entity) + '\0' + from;
    }

    private boolean matchesLog(Coordinate entity, ProjectionSnapshot<?> s) {
        if (s.watermark() == AppendOptions.NO_EVENTS) {
            return true;
        }
        List<StoredEvent> at = store.readEntity(EntityQuery.of(entity).withFrom(s.watermark()).withLimit(1));
        return !at.isEmpty() && Arrays.equals(at.get(0).hash(), s.watermarkHash());
    }

    /** The chain hash of the event at {@code sequence}, from {@code lastRead} when that is the one. */
    private byte[] hashAt(Coordinate entity, long sequence, StoredEvent lastRead) {
        if (lastRead != null && lastRead.sequence() == sequence) {
            return lastRead.hash();
        }
        return store.readEntity(EntityQuery.of(entity).withFrom(sequence).withLimit(1)).get(0).hash();
    }

    private static IntPredicate kindFilter(Set<EventKind> kinds) {
        if (kinds.isEmpty()) {
            return k -> true;
        }
        BitSet bits = new BitSet(1 << 16);
        for (EventKind k : kinds) {
            bits.set(k.value());
        }
        return bits::get;
    }

    private static <S> S nonNull(S state, Projection<S> projection) {
        if (state == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "projection " + projection.name()
                    + " produced a null state");
        }
        return state;
    }
}
