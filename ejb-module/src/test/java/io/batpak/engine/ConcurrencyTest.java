package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many appenders (single, CAS with retry, atomic batches) and concurrent readers on one store.
 * Checks the invariants the writer's group commit must keep under contention: gap-free sequences,
 * valid chains, and no reader ever seeing half of an atomic batch.
 */
class ConcurrencyTest {
    private static final EventKind SINGLE = EventKind.of(0xF, 1);
    private static final EventKind CAS = EventKind.of(0xF, 2);
    private static final EventKind HALF = EventKind.of(0xF, 3);
    private static final int THREADS = 16;
    private static final int OPS_PER_THREAD = 400;
    private static final int ENTITIES = 50;

    @TempDir
    Path dir;

    private static byte[] marker(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    @Test
    void pipelinedFsyncKeepsEveryInvariant() throws Exception {
        run(StoreConfig.defaults(dir.resolve("every-commit")).withWriterQueueCapacity(64));
    }

    @Test
    void intervalSyncKeepsEveryInvariant() throws Exception {
        run(StoreConfig.defaults(dir.resolve("interval")).withSyncMode(SyncMode.INTERVAL).withSyncIntervalMs(2)
                .withWriterQueueCapacity(64));
    }

    private void run(StoreConfig config) throws Exception {
        Map<Long, Integer> batchHalvesSeen = new ConcurrentHashMap<>();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        long committed;
        try (EventStore s = EventStore.open(config)) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Future<Integer>> writers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                writers.add(pool.submit(() -> {
                    start.await();
                    int events = 0;
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int op = 0; op < OPS_PER_THREAD; op++) {
                        String entity = "ent-" + r.nextInt(ENTITIES);
                        switch (op % 3) {
                            case 0 -> {
                                s.append(new Coordinate(entity, "s" + thread % 4), SINGLE, new byte[] {(byte) op});
                                events++;
                            }
                            case 1 -> {
                                while (true) {
                                    long last = s.lastSequence(entity);
                                    try {
                                        s.append(new AppendRequest(new Coordinate(entity, "s"), CAS, new byte[0],
                                                AppendOptions.NONE.withExpectedSequence(last)));
                                        events++;
                                        break;
                                    } catch (SequenceMismatchException lost) {
                                        assertTrue(lost.actual() > last, "a CAS loser must see a newer sequence");
                                    }
                                }
                            }
                            default -> {
                                long id = ((long) thread << 32) | op;
                                s.appendBatch(List.of(
                                        new AppendRequest(new Coordinate("left-" + r.nextInt(5), "b"), HALF, marker(id)),
                                        new AppendRequest(new Coordinate("right-" + r.nextInt(5), "b"), HALF, marker(id))));
                                events += 2;
                            }
                        }
                    }
                    return events;
                }));
            }
            List<Future<?>> readers = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                readers.add(pool.submit(() -> {
                    try {
                        start.await();
                        while (writing.get()) {
                            // Every batch is two consecutive global sequences: a reader must see both halves or none.
                            long top = s.globalSequence();
                            List<StoredEvent> halves = s.read(Region.all().withKind(HALF.value()).withLimit(100_000));
                            Map<Long, Integer> count = new java.util.HashMap<>();
                            for (StoredEvent e : halves) {
                                count.merge(ByteBuffer.wrap(e.payload()).getLong(), 1, Integer::sum);
                            }
                            for (Map.Entry<Long, Integer> c : count.entrySet()) {
                                if (c.getValue() != 2) {
                                    throw new AssertionError("reader saw " + c.getValue() + " half(s) of batch " + c.getKey()
                                            + " — a partial batch became visible (StoreIndex.publish)");
                                }
                                batchHalvesSeen.merge(c.getKey(), 2, Math::max);
                            }
                            List<IndexEntry> page = s.query(Region.all().withAfter(Math.max(0, top - 50)));
                            for (int i = 1; i < page.size(); i++) {
                                assertEquals(page.get(i - 1).globalSequence() + 1, page.get(i).globalSequence(),
                                        "a global page has a gap");
                            }
                        }
                    } catch (Throwable t) {
                        readerFailure.compareAndSet(null, t);
                    }
                    return null;
                }));
            }
            start.countDown();
            int expected = 0;
            for (Future<Integer> w : writers) {
                expected += w.get(120, TimeUnit.SECONDS);
            }
            writing.set(false);
            for (Future<?> r : readers) {
                r.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            if (readerFailure.get() != null) {
                throw new AssertionError("a concurrent reader failed", readerFailure.get());
            }
            committed = s.globalSequence();
            assertEquals(expected, committed, "every acknowledged append is counted exactly once");
            checkInvariants(s, committed);
        }
        try (EventStore again = EventStore.open(StoreConfig.defaults(config.dataDir()))) {
            assertEquals(committed, again.globalSequence(), "close + reopen keeps every event");
            checkInvariants(again, committed);
        }
        assertTrue(!batchHalvesSeen.isEmpty(), "readers observed batches while writers ran");
    }

    private static void checkInvariants(EventStore s, long committed) {
        List<IndexEntry> all = s.query(Region.all().withLimit((int) committed + 1));
        assertEquals(committed, all.size());
        Map<String, Long> nextPerEntity = new java.util.HashMap<>();
        for (int i = 0; i < all.size(); i++) {
            IndexEntry e = all.get(i);
            assertEquals(i + 1L, e.globalSequence(), "global sequences must be 1..N without gaps");
            long next = nextPerEntity.getOrDefault(e.coordinate().entity(), 0L);
            assertEquals(next, e.sequence(), "entity " + e.coordinate().entity() + " has a sequence gap");
            nextPerEntity.put(e.coordinate().entity(), next + 1);
        }
        for (String entity : nextPerEntity.keySet()) {
            VerifyResult v = s.verify(entity);
            assertTrue(v.valid(), "hash chain of " + entity + " breaks at " + v.firstInvalidSequence());
            assertEquals(nextPerEntity.get(entity) - 1, s.lastSequence(entity));
        }
    }
}
