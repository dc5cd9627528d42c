package io.batpak.engine.projection;

import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.Freshness;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.log.CheckpointFile;
import io.batpak.engine.log.SegmentFiles;
import io.batpak.engine.log.TestFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Projections: replay, incremental application, the three caches, freshness, kinds and watches. */
class ProjectionTest {
    private static final EventKind ADDED = EventKind.of(0xF, 1);
    private static final EventKind NOTED = EventKind.of(0xF, 2);
    private static final String ENTITY = "account:ä/../1";

    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(1_763_800_000_000L);
    private final List<AutoCloseable> open = new ArrayList<>();

    /** Count and sum of the amounts added; immutable. */
    record Tally(long count, long sum) {
    }

    /** Sums ADDED payloads (8-byte amounts), counting every apply call. */
    static class Sum implements Projection<Tally> {
        final AtomicInteger applied = new AtomicInteger();
        private final int version;
        private final boolean withCodec;

        Sum(int version, boolean withCodec) {
            this.version = version;
            this.withCodec = withCodec;
        }

        Sum() {
            this(1, true);
        }

        @Override
        public String name() {
            return "sum";
        }

        @Override
        public int version() {
            return version;
        }

        @Override
        public Tally initial() {
            return new Tally(0, 0);
        }

        @Override
        public Tally apply(Tally state, StoredEvent event) {
            applied.incrementAndGet();
            // Version 2 counts amounts twice, so a result tells which version computed it.
            return new Tally(state.count() + 1, state.sum() + version * ByteBuffer.wrap(event.payload()).getLong());
        }

        @Override
        public Set<EventKind> kinds() {
            return Set.of(ADDED);
        }

        @Override
        public Optional<StateCodec<Tally>> codec() {
            if (!withCodec) {
                return Optional.empty();
            }
            return Optional.of(new StateCodec<>() {
                @Override
                public byte[] encode(Tally t) {
                    return ByteBuffer.allocate(16).putLong(t.count()).putLong(t.sum()).array();
                }

                @Override
                public Tally decode(byte[] b) {
                    ByteBuffer buf = ByteBuffer.wrap(b);
                    return new Tally(buf.getLong(), buf.getLong());
                }
            });
        }
    }

    private EventStore store() {
        EventStore s = EventStore.open(StoreConfig.defaults(dir).withWallClock(clock::get));
        open.add(s);
        return s;
    }

    private Projector projector(EventStore s, ProjectionCache cache) {
        Projector p = new Projector(s, cache);
        open.add(p);
        return p;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static void add(EventStore s, String entity, long amount) {
        s.append(new Coordinate(entity, "ledger"), ADDED, ByteBuffer.allocate(8).putLong(amount).array());
    }

    private static void note(EventStore s, String entity) {
        s.append(new Coordinate(entity, "ledger"), NOTED, new byte[] {1});
    }

    private Path snapshotFile(EventStore s, int version) {
        return SnapshotFile.path(s.config().dataDir().resolve("projections"), "sum", version,
                Projector.cacheKey(new Coordinate(ENTITY, "ledger")));
    }

    @Test
    void withoutCacheEveryCallReplaysFromTheStart() {
        EventStore s = store();
        for (int i = 1; i <= 5; i++) {
            add(s, ENTITY, i);
        }
        Projector p = projector(s, NoCache.INSTANCE);
        Sum sum = new Sum();
        assertEquals(new ProjectionResult<>(new Tally(5, 15), 4), p.project(ENTITY, sum, Freshness.CONSISTENT));
        p.project(ENTITY, sum, Freshness.CACHED);
        assertEquals(10, sum.applied.get(), "with no cache, the second call must apply all 5 events again");
        assertEquals(new ProjectionResult<>(new Tally(0, 0), -1), p.project("nobody", sum, Freshness.CONSISTENT),
                "an entity without events projects to the initial state at watermark -1");
    }

    @Test
    void lruCacheAppliesOnlyEventsAfterTheWatermark() {
        EventStore s = store();
        Projector p = projector(s, new LruProjectionCache(10));
        Sum sum = new Sum();
        add(s, ENTITY, 1);
        add(s, ENTITY, 2);
        add(s, ENTITY, 3);
        assertEquals(new Tally(3, 6), p.project(ENTITY, sum, Freshness.CONSISTENT).state());
        assertEquals(3, sum.applied.get());
        add(s, ENTITY, 10);
        add(s, ENTITY, 20);
        ProjectionResult<Tally> r = p.project(ENTITY, sum, Freshness.CONSISTENT);
        assertEquals(new ProjectionResult<>(new Tally(5, 36), 4), r);
        assertEquals(5, sum.applied.get(), "only the 2 events after watermark 2 may be applied");
        p.project(ENTITY, sum, Freshness.CONSISTENT);
        assertEquals(5, sum.applied.get(), "no new events: nothing may be applied");
    }

    @Test
    void lruCacheEvictsTheLeastRecentlyUsedEntity() {
        EventStore s = store();
        LruProjectionCache lru = new LruProjectionCache(2);
        Projector p = projector(s, lru);
        Sum sum = new Sum();
        for (String e : List.of("e1", "e2", "e3")) {
            add(s, e, 1);
            add(s, e, 2);
        }
        p.project("e1", sum, Freshness.CONSISTENT);
        p.project("e2", sum, Freshness.CONSISTENT);
        p.project("e1", sum, Freshness.CONSISTENT);
        p.project("e3", sum, Freshness.CONSISTENT);
        assertEquals(2, lru.size());
        assertNull(lru.get(sum, Projector.cacheKey(new Coordinate("e2", "ledger"))),
                "e2 was least recently used and must have been evicted");
        assertNotNull(lru.get(sum, Projector.cacheKey(new Coordinate("e1", "ledger"))),
                "e1 was used after e2 and must still be cached");
        int before = sum.applied.get();
        p.project("e2", sum, Freshness.CONSISTENT);
        assertEquals(before + 2, sum.applied.get(), "the evicted entity must be replayed from the start");
    }

    @Test
    void concurrentProjectionsOfOneEntityApplyEachEventOnce() throws Exception {
        EventStore s = store();
        Projector p = projector(s, new LruProjectionCache(10));
        Sum sum = new Sum();
        int events = 200;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                readers.add(pool.submit(() -> {
                    long last = -1;
                    while (last < events - 1) {
                        long w = p.project(ENTITY, sum, Freshness.CONSISTENT).watermark();
                        assertTrue(w >= last, "a watermark went back from " + last + " to " + w);
                        last = w;
                    }
                }));
            }
            for (int i = 1; i <= events; i++) {
                add(s, ENTITY, i);
            }
            for (Future<?> f : readers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(new Tally(events, events * (events + 1L) / 2), p.project(ENTITY, sum, Freshness.CONSISTENT).state());
        assertEquals(events, sum.applied.get(), "with a shared cache each event must be applied exactly once");
    }

    @Test
    void cachedAndBestEffortFreshnessMayReturnAnOlderState() {
        EventStore s = store();
        Projector p = projector(s, new LruProjectionCache(10));
        Sum sum = new Sum();
        add(s, ENTITY, 1);
        p.project(ENTITY, sum, Freshness.CONSISTENT);
        add(s, ENTITY, 2);
        assertEquals(new ProjectionResult<>(new Tally(1, 1), 0), p.project(ENTITY, sum, Freshness.CACHED),
                "CACHED must return the cached state without reading the new event");
        clock.addAndGet(500);
        assertEquals(0, p.project(ENTITY, sum, Freshness.bestEffort(1000)).watermark(),
                "a state 500 ms old is fresh enough for bestEffort(1000)");
        clock.addAndGet(1000);
        assertEquals(new ProjectionResult<>(new Tally(2, 3), 1), p.project(ENTITY, sum, Freshness.bestEffort(1000)),
                "a state 1500 ms old is too stale for bestEffort(1000)");
        assertEquals(2, sum.applied.get());
        assertThrows(StoreException.class, () -> Freshness.bestEffort(-1));
    }

    @Test
    void kindsFilterSkipsOtherEventsButMovesTheWatermark() {
        EventStore s = store();
        Projector p = projector(s, new LruProjectionCache(10));
        Sum sum = new Sum();
        add(s, ENTITY, 5);
        note(s, ENTITY);
        add(s, ENTITY, 7);
        note(s, ENTITY);
        assertEquals(new ProjectionResult<>(new Tally(2, 12), 3), p.project(ENTITY, sum, Freshness.CONSISTENT));
        assertEquals(2, sum.applied.get(), "NOTED events are not in kinds() and must not be applied");
    }

    @Test
    void snapshotSurvivesStoreCloseAndReopen() {
        EventStore s = store();
        for (int i = 1; i <= 4; i++) {
            add(s, ENTITY, i);
        }
        note(s, ENTITY);
        Sum first = new Sum();
        assertEquals(new Tally(4, 10), projector(s, SnapshotProjectionCache.in(s))
                .project(ENTITY, first, Freshness.CONSISTENT).state());
        assertTrue(Files.exists(snapshotFile(s, 1)), "a snapshot file must be written under projections/sum/v1");
        s.close();

        EventStore reopened = store();
        Sum second = new Sum();
        Projector p = projector(reopened, SnapshotProjectionCache.in(reopened));
        assertEquals(new ProjectionResult<>(new Tally(4, 10), 4), p.project(ENTITY, second, Freshness.CONSISTENT));
        assertEquals(0, second.applied.get(), "after a restart the snapshot must be used, with nothing re-applied");
        add(reopened, ENTITY, 100);
        assertEquals(new Tally(5, 110), p.project(ENTITY, second, Freshness.CONSISTENT).state());
        assertEquals(1, second.applied.get(), "only the event after the snapshot may be applied");
    }

    @Test
    void versionChangeInvalidatesSnapshots() {
        EventStore s = store();
        add(s, ENTITY, 3);
        add(s, ENTITY, 4);
        Projector p = projector(s, SnapshotProjectionCache.in(s));
        p.project(ENTITY, new Sum(1, true), Freshness.CONSISTENT);
        assertTrue(Files.exists(snapshotFile(s, 1)));

        Sum v2 = new Sum(2, true);
        Projector fresh = projector(s, SnapshotProjectionCache.in(s));
        assertEquals(new Tally(2, 14), fresh.project(ENTITY, v2, Freshness.CACHED).state(),
                "version 2 must not start from version 1's snapshot");
        assertEquals(2, v2.applied.get());
        assertFalse(Files.exists(snapshotFile(s, 1).getParent()), "version 1's snapshots must be deleted");
        assertTrue(Files.exists(snapshotFile(s, 2)));
    }

    @Test
    void damagedSnapshotIsIgnoredAndRebuilt() throws IOException {
        EventStore s = store();
        add(s, ENTITY, 3);
        add(s, ENTITY, 4);
        projector(s, SnapshotProjectionCache.in(s)).project(ENTITY, new Sum(), Freshness.CONSISTENT);
        Path file = snapshotFile(s, 1);
        long size = Files.size(file);
        for (long offset : new long[] {0, size / 2, size - 1}) {
            TestFiles.xor(file, offset, 0x40);
            Sum sum = new Sum();
            Projector p = projector(s, SnapshotProjectionCache.in(s));
            assertEquals(new Tally(2, 7), p.project(ENTITY, sum, Freshness.CACHED).state(),
                    "a snapshot damaged at byte " + offset + " must be ignored");
            assertEquals(2, sum.applied.get(), "the damaged snapshot at byte " + offset + " must be rebuilt by replay");
            p.project(ENTITY, sum, Freshness.CONSISTENT);
            assertEquals(2, sum.applied.get(), "the rebuilt snapshot must be valid and used");
        }
        TestFiles.truncate(file, 10);
        Sum sum = new Sum();
        assertEquals(new Tally(2, 7), projector(s, SnapshotProjectionCache.in(s))
                .project(ENTITY, sum, Freshness.CACHED).state(), "a truncated snapshot must be ignored");
        assertEquals(2, sum.applied.get());
    }

    @Test
    void snapshotOfAnotherLogIsDiscarded() throws IOException {
        EventStore s = store();
        add(s, ENTITY, 1);
        add(s, ENTITY, 2);
        projector(s, SnapshotProjectionCache.in(s)).project(ENTITY, new Sum(), Freshness.CONSISTENT);
        s.close();
        // Replace the log but keep the snapshots, as after restoring another backup's segments.
        TestFiles.deleteTree(SegmentFiles.dir(dir));
        Files.deleteIfExists(CheckpointFile.path(dir));
        EventStore other = store();
        add(other, ENTITY, 50);
        add(other, ENTITY, 60);
        add(other, ENTITY, 70);
        Sum sum = new Sum();
        assertEquals(new Tally(3, 180), projector(other, SnapshotProjectionCache.in(other))
                .project(ENTITY, sum, Freshness.CACHED).state(), "a snapshot whose watermark event differs must be discarded");
        assertEquals(3, sum.applied.get());
    }

    @Test
    void snapshotsNeedACodecAndProjectionsASafeName() {
        EventStore s = store();
        add(s, ENTITY, 1);
        Projector p = projector(s, SnapshotProjectionCache.in(s));
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class,
                () -> p.project(ENTITY, new Sum(1, false), Freshness.CONSISTENT)).code());
        Sum badName = new Sum() {
            @Override
            public String name() {
                return "../escape";
            }
        };
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class,
                () -> projector(s, new LruProjectionCache(1)).project(ENTITY, badName, Freshness.CONSISTENT)).code());
    }

    @Test
    void watchDeliversTheStateOnChangesOnlyAndNothingAfterClose() throws InterruptedException {
        EventStore s = store();
        add(s, ENTITY, 1);
        // A long interval: only the first round runs by itself; the test drives the others.
        Projector p = new Projector(s, new LruProjectionCache(10), Duration.ofHours(1));
        open.add(p);
        BlockingQueue<Tally> seen = new LinkedBlockingQueue<>();
        PollingWatch<?> w = (PollingWatch<?>) p.watch(ENTITY, new Sum(), seen::add);
        assertEquals(new Tally(1, 1), seen.poll(10, TimeUnit.SECONDS), "the current state must be delivered first");
        assertTrue(w.poll());
        assertTrue(seen.isEmpty(), "no change: nothing may be delivered, got " + seen);
        add(s, ENTITY, 2);
        w.poll();
        assertEquals(List.of(new Tally(2, 3)), drain(seen), "an added event must deliver the new state once");
        note(s, ENTITY);
        w.poll();
        assertTrue(seen.isEmpty(), "an event the projection ignores leaves the state equal: nothing to deliver");
        w.close();
        assertFalse(w.isActive());
        add(s, ENTITY, 3);
        assertFalse(w.poll(), "a closed watch must not poll");
        assertTrue(seen.isEmpty(), "a closed watch must not deliver, got " + seen);
    }

    @Test
    void watchPollsOnItsOwnThread() throws InterruptedException {
        EventStore s = store();
        Projector p = new Projector(s, NoCache.INSTANCE, Duration.ofMillis(5));
        open.add(p);
        BlockingQueue<Tally> seen = new LinkedBlockingQueue<>();
        ProjectionWatch w = p.watch(ENTITY, new Sum(), seen::add);
        assertEquals(new Tally(0, 0), seen.poll(10, TimeUnit.SECONDS), "the initial state must be delivered");
        add(s, ENTITY, 4);
        assertEquals(new Tally(1, 4), seen.poll(10, TimeUnit.SECONDS), "the watch thread must deliver the change");
        p.close();
        assertFalse(w.isActive(), "closing the projector must close its watches");
        assertThrows(StoreException.class, () -> p.watch(ENTITY, new Sum(), seen::add));
    }

    @Test
    void watchStopsWhenTheStoreCloses() {
        EventStore s = store();
        Projector p = new Projector(s, NoCache.INSTANCE, Duration.ofHours(1));
        open.add(p);
        PollingWatch<?> w = (PollingWatch<?>) p.watch(ENTITY, new Sum(), t -> { });
        s.close();
        w.run();
        assertFalse(w.isActive(), "a round against a closed store must end the watch");
    }

    private static List<Tally> drain(BlockingQueue<Tally> q) {
        List<Tally> out = new ArrayList<>();
        q.drainTo(out);
        return out;
    }
}
