package io.batpak.streams.flow;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.util.Completions;
import io.batpak.streams.Streams;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs one {@link Derivation} on a {@link Streams}: N {@link Shard shards}, each stepped by
 * {@link #step}, {@link #runUntilCaughtUp} or the long-running {@link #loop} task (one per shard,
 * for an executor). A source event goes to shard {@link #shardOf}{@code (shuffleKey, N)}; every shard
 * reads all source partitions from its own checkpoint and applies only its own events. See the
 * package documentation for the exactly-once guarantee.
 *
 * <p>Construction writes each shard's first record (its INIT, holding N) if it has none, and
 * refuses with INVALID_REQUEST if the derivation's stored shard count differs from
 * {@link Derivation#shards()}: the count cannot change in place.
 *
 * <p>Threading: every method is thread-safe; steps of one shard are serialized, shards run in parallel.
 */
public final class DerivationRunner implements AutoCloseable {
    private static final Logger LOG = System.getLogger(DerivationRunner.class.getName());
    /** Longest derivation name, in characters. */
    public static final int MAX_NAME_CHARS = 200;

    private final Derivation derivation;
    private final DerivationConfig config;
    private final Shard[] shards;
    private final Set<String> sources;
    /** Whether every publish wakes idle loops (a region source may cover any stream). Immutable. */
    private final boolean anyPublishWakes;
    /** Bumped (under this monitor) on each publish to a source; idle loops wait on it. */
    private long publishes;
    /** The last failure of each shard's loop, cleared by a good step. */
    private final AtomicReferenceArray<Throwable> failures;
    private volatile boolean closed;

    public DerivationRunner(EventStore store, Streams streams, Derivation derivation, DerivationConfig config,
                            Caller caller) {
        this.derivation = derivation;
        this.config = config;
        String name = checkName(derivation.name());
        int n = derivation.shards();
        if (n < 1 || n > 1024) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "derivation " + name + ": shards must be within 1..1024, was " + n);
        }
        if (derivation.sources() == null || derivation.regionSources() == null
                || derivation.sources().isEmpty() && derivation.regionSources().isEmpty()) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "derivation " + name
                    + " names no source streams and no source regions");
        }
        this.sources = Set.copyOf(derivation.sources());
        this.anyPublishWakes = !derivation.regionSources().isEmpty();
        this.shards = new Shard[n];
        this.failures = new AtomicReferenceArray<>(n);
        // Check every shard already stored before writing any, so a refused count leaves no trace.
        for (int i = 0; i < n; i++) {
            readInit(store, Shard.entity(name, i)).ifPresent(init -> checkCount(init, n));
        }
        readInit(store, Shard.entity(name, n)).ifPresent(init -> checkCount(init, n)); // a larger count ran before
        PartitionReads reads = new PartitionReads(streams, config.batchSize());
        for (int i = 0; i < n; i++) {
            Coordinate entity = Shard.entity(name, i);
            if (readInit(store, entity).isEmpty()) {
                AppendRequest init = new AppendRequest(entity, FlowCodec.INIT,
                        FlowCodec.init(new FlowCodec.Init(name, n, i)),
                        AppendOptions.NONE.withExpectedSequence(AppendOptions.NO_EVENTS));
                try {
                    Completions.await(streams.publishWithRecords(List.of(init), List.of(), caller));
                } catch (StoreException e) {
                    if (e.code() != ErrorCode.SEQUENCE_MISMATCH) {
                        throw e;
                    }
                    readInit(store, entity).ifPresent(other -> checkCount(other, n)); // another runner was first
                }
            }
            shards[i] = new Shard(store, streams, reads, derivation, config, caller, i);
        }
        streams.onPublished(this::published);
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_CHARS || name.indexOf('/') >= 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a derivation name must have 1.." + MAX_NAME_CHARS
                    + " characters and no '/', was " + name);
        }
        Coordinate.validatePart("derivation", name);
        return name;
    }

    private static Optional<FlowCodec.Init> readInit(EventStore store, Coordinate entity) {
        List<StoredEvent> first = store.readEntity(EntityQuery.of(entity).withLimit(1));
        if (first.isEmpty() || !first.get(0).kind().equals(FlowCodec.INIT)) {
            return Optional.empty();
        }
        return Optional.of(FlowCodec.readInit(first.get(0).payload()));
    }

    private void checkCount(FlowCodec.Init init, int n) {
        if (init.shards() != n) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "derivation " + derivation.name() + " runs with "
                    + init.shards() + " shards, not " + n + "; the shard count cannot change in place. To re-shard:"
                    + " stop it, start the derivation under a new name with the new count (it recomputes from the"
                    + " start of its sources), then stop using the old name");
        }
    }

    /** The shard of {@code shuffleKey} among {@code shards}: a mixed {@link String#hashCode} (stable across JVMs) mod N. */
    public static int shardOf(String shuffleKey, int shards) {
        int h = shuffleKey.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, shards);
    }

    public String name() {
        return derivation.name();
    }

    public int shards() {
        return shards.length;
    }

    /** One step of {@code shard}: returns how many source events it read (0: caught up). A failure commits nothing. */
    public int step(int shard) {
        ensureOpen();
        int read = shard(shard).step();
        if (read > 0) {
            commits.increment();
        }
        return read;
    }

    /** Steps every shard until none reads anything; returns the source events read. For tests and catch-up. */
    public long runUntilCaughtUp() {
        long total = 0;
        boolean moved = true;
        while (moved) {
            moved = false;
            for (int i = 0; i < shards.length; i++) {
                int n = step(i);
                total += n;
                moved |= n > 0;
            }
        }
        return total;
    }

    /** The committed state of {@code key} (in its shard), or null. */
    public byte[] state(String key) {
        ensureOpen();
        return shards[shardOf(key, shards.length)].get(key);
    }

    /** A copy of {@code shard}'s committed state, key to value. */
    public Map<String, byte[]> state(int shard) {
        ensureOpen();
        return shard(shard).snapshot();
    }

    /** How many of its records {@code shard}'s last rebuild replayed (after its snapshot, if it used one); for tests. */
    long replayedAtLoad(int shard) {
        return shard(shard).replayedAtLoad();
    }

    /** The last failure of {@code shard}'s loop, if its latest step failed. */
    public Optional<Throwable> failure(int shard) {
        shard(shard);
        return Optional.ofNullable(failures.get(shard));
    }

    private Shard shard(int shard) {
        if (shard < 0 || shard >= shards.length) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "derivation " + derivation.name() + " has shards 0.."
                    + (shards.length - 1) + ", not " + shard);
        }
        return shards[shard];
    }

    /**
     * The long-running task of {@code shard}: steps while there is work, waits for a publish to a
     * source (or {@code idleWaitMs}) when caught up, and after a failure records it and waits the
     * same before retrying. Ends when this runner is closed or its thread is interrupted.
     */
    public Runnable loop(int shard) {
        Shard s = shard(shard);
        return () -> {
            while (!closed && !Thread.currentThread().isInterrupted()) {
                long seen;
                synchronized (this) {
                    seen = publishes;
                }
                boolean idle;
                try {
                    idle = s.step() == 0;
                    if (!idle) {
                        commits.increment();
                    }
                    failures.set(shard, null);
                } catch (RuntimeException e) {
                    if (closed) {
                        return;
                    }
                    Throwable previous = failures.getAndSet(shard, e);
                    // The first failure with its stack; the same one again at every retry only at DEBUG.
                    boolean again = previous != null && previous.getClass() == e.getClass()
                            && String.valueOf(previous.getMessage()).equals(String.valueOf(e.getMessage()));
                    String what = "derivation " + derivation.name() + " shard " + shard + ": step failed ("
                            + e.getMessage() + "); retrying every " + config.idleWaitMs() + " ms";
                    if (again) {
                        LOG.log(Level.DEBUG, what);
                    } else {
                        LOG.log(Level.WARNING, what, e);
                    }
                    idle = true;
                }
                if (idle && !awaitPublish(seen)) {
                    return;
                }
            }
        };
    }

    /** Waits until a publish after {@code seen}, the idle wait, or close; false if interrupted. */
    private synchronized boolean awaitPublish(long seen) {
        if (publishes != seen || closed) {
            return true;
        }
        try {
            wait(config.idleWaitMs());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void published(String stream) {
        if (!closed && (anyPublishWakes || sources.contains(stream))) {
            synchronized (this) {
                publishes++;
                notifyAll();
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "derivation " + derivation.name() + " is closed");
        }
    }

    /** Stops the loops (each ends after its current step) and refuses further calls. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    // ---- read-only status, for the container's status resources, health and metrics ----

    /** Steps that committed (read at least one source event) since this runner was built. */
    private final java.util.concurrent.atomic.LongAdder commits = new java.util.concurrent.atomic.LongAdder();

    /** The source streams, in the derivation's order. */
    public List<String> sources() {
        return List.copyOf(derivation.sources());
    }

    /** How many steps committed since this runner was built (a rate of it is commits per second). */
    public long commits() {
        return commits.sum();
    }

    /** True once {@link #close} ran. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * {@code shard}'s committed checkpoint: per source stream, per partition, the next offset the
     * shard will read (a partition it has not read yet is absent, i.e. 0). Readable after
     * {@link #close} too, while the store is open.
     */
    public Map<String, Map<Integer, Long>> checkpoint(int shard) {
        Map<String, Map<Integer, Long>> out = new java.util.TreeMap<>();
        shard(shard).committedCheckpoint().forEach((source, next) ->
                out.computeIfAbsent(source.stream(), k -> new java.util.TreeMap<>()).put(source.partition(), next));
        return out;
    }
}
