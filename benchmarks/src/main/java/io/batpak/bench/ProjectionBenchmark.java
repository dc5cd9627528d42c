package io.batpak.bench;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.Freshness;
import io.batpak.engine.projection.LruProjectionCache;
import io.batpak.engine.projection.NoCache;
import io.batpak.engine.projection.Projection;
import io.batpak.engine.projection.Projector;
import io.batpak.engine.projection.SnapshotProjectionCache;
import io.batpak.engine.projection.StateCodec;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.SyncMode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * (f) Projecting one entity of 100 events (a running sum of 8-byte amounts) from a store of
 * 100,000 events over 1,000 entities, with {@code Freshness.CONSISTENT}: without a cache (full
 * replay), from a warm LRU cache (nothing new to apply), and from on-disk snapshots (read the
 * file, check it against the log's event at the watermark). Baseline in the same run: the same
 * fold written by hand over {@code readEntity(EntityQuery.of(entity).withLimit(100))}. Microseconds per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class ProjectionBenchmark {
    static final int ENTITIES = 1000;
    static final int PER_ENTITY = 100;

    /** Sum of the amounts; the state is a boxed Long. */
    static final class Sum implements Projection<Long> {
        @Override
        public String name() {
            return "bench-sum";
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public Long initial() {
            return 0L;
        }

        @Override
        public Long apply(Long state, StoredEvent event) {
            return state + ByteBuffer.wrap(event.payload()).getLong();
        }

        @Override
        public Optional<StateCodec<Long>> codec() {
            return Optional.of(new StateCodec<>() {
                @Override
                public byte[] encode(Long s) {
                    return ByteBuffer.allocate(8).putLong(s).array();
                }

                @Override
                public Long decode(byte[] b) {
                    return ByteBuffer.wrap(b).getLong();
                }
            });
        }
    }

    final Sum sum = new Sum();
    Path dir;
    EventStore store;
    String[] names = new String[ENTITIES];
    Projector replay;
    Projector lru;
    Projector snapshots;

    @Setup
    public void build() {
        dir = BenchFiles.tempDir("projection");
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        EventKind kind = EventKind.of(0xF, 1);
        Coordinate[] coordinates = new Coordinate[ENTITIES];
        for (int i = 0; i < ENTITIES; i++) {
            names[i] = "entity-" + i;
            coordinates[i] = new Coordinate(names[i], "scope-" + i % 16);
        }
        for (int b = 0; b < PER_ENTITY; b++) {
            List<AppendRequest> batch = new ArrayList<>(ENTITIES);
            for (int i = 0; i < ENTITIES; i++) {
                batch.add(new AppendRequest(coordinates[i], kind, ByteBuffer.allocate(8).putLong(b + i).array()));
            }
            store.appendBatch(batch);
        }
        store.sync();
        replay = new Projector(store, NoCache.INSTANCE);
        lru = new Projector(store, new LruProjectionCache(ENTITIES));
        snapshots = new Projector(store, SnapshotProjectionCache.in(store));
        for (String n : names) {
            long expected = baseline(n);
            if (lru.project(n, sum, Freshness.CONSISTENT).state() != expected
                    || snapshots.project(n, sum, Freshness.CONSISTENT).state() != expected) {
                throw new IllegalStateException("projection of " + n + " disagrees with the hand-written fold");
            }
        }
    }

    @TearDown
    public void close() {
        replay.close();
        lru.close();
        snapshots.close();
        store.close();
        BenchFiles.delete(dir);
    }

    private String anyEntity() {
        return names[ThreadLocalRandom.current().nextInt(ENTITIES)];
    }

    private long baseline(String entity) {
        long s = 0;
        for (StoredEvent e : store.readEntity(EntityQuery.of(entity).withLimit(PER_ENTITY))) {
            s += ByteBuffer.wrap(e.payload()).getLong();
        }
        return s;
    }

    @Benchmark
    public long baselineReadEntityAndFold() {
        return baseline(anyEntity());
    }

    @Benchmark
    public long projectNoCache() {
        return replay.project(anyEntity(), sum, Freshness.CONSISTENT).state();
    }

    @Benchmark
    public long projectLruHit() {
        return lru.project(anyEntity(), sum, Freshness.CONSISTENT).state();
    }

    @Benchmark
    public long projectSnapshotHit() {
        return snapshots.project(anyEntity(), sum, Freshness.CONSISTENT).state();
    }
}
