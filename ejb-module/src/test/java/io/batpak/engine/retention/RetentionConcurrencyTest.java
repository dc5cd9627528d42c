package io.batpak.engine.retention;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.Region;
import io.batpak.engine.RetentionRule;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules and truncates set while appenders go on: every read meanwhile shows a gap-free suffix of
 * each entity's chain at or above the truncate already answered, and the end state (also after a
 * reopen) is exactly the newest {@code maxCount} above the last truncate.
 */
class RetentionConcurrencyTest {
    private static final EventKind NOTED = EventKind.of(0xF, 3);
    private static final int THREADS = 4;
    private static final int PER_THREAD = 400;

    @TempDir
    Path dir;

    @Test
    void rulesAndTruncatesTakeEffectWhileAppendsGoOn() throws Exception {
        StoreConfig config = StoreConfig.defaults(dir);
        List<Coordinate> entities = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            entities.add(new Coordinate("acct-" + t, "bank"));
        }
        long[] truncated = new long[THREADS];
        try (EventStore s = EventStore.open(config)) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Coordinate c = entities.get(t);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < PER_THREAD; i++) {
                        s.append(c, NOTED, new byte[] {(byte) i});
                    }
                    return null;
                }));
            }
            for (int round = 0; round < 40; round++) {
                s.setRetention("bank", new RetentionRule(null, 50L + round));
                int t = round % THREADS;
                long last = s.lastSequence(EntityQuery.of(entities.get(t)));
                if (last >= 0) {
                    truncated[t] = s.truncate(EntityQuery.of(entities.get(t)), last / 2);
                }
                for (int k = 0; k < THREADS; k++) {
                    List<Long> seen = sequences(s.readEntity(EntityQuery.of(entities.get(k))));
                    assertGapFree(seen, entities.get(k));
                    if (!seen.isEmpty()) {
                        assertTrue(seen.get(0) >= truncated[k], entities.get(k) + " shows " + seen.get(0)
                                + " below its truncate-before " + truncated[k]);
                    }
                }
                Thread.sleep(2);
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            s.setRetention("bank", new RetentionRule(null, 100L));
            checkEnd(s, entities, truncated);
        }
        try (EventStore again = EventStore.open(config)) {
            checkEnd(again, entities, truncated);
        }
    }

    private static void checkEnd(EventStore s, List<Coordinate> entities, long[] truncated) {
        List<Long> regionSeen = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Coordinate c = entities.get(t);
            long from = Math.max(truncated[t], PER_THREAD - 100);
            List<Long> want = new ArrayList<>();
            for (long q = from; q < PER_THREAD; q++) {
                want.add(q);
            }
            assertEquals(want, sequences(s.readEntity(EntityQuery.of(c))), "kept events of " + c);
            assertEquals(PER_THREAD - 1, s.lastSequence(EntityQuery.of(c)), "last sequence of " + c);
            regionSeen.add((long) want.size());
        }
        long total = regionSeen.stream().mapToLong(Long::longValue).sum();
        assertEquals(total, s.read(Region.all().withEntityPrefix("acct-")).size(), "region read of all kept events");
    }

    private static void assertGapFree(List<Long> seqs, Coordinate c) {
        for (int i = 1; i < seqs.size(); i++) {
            assertEquals(seqs.get(i - 1) + 1, seqs.get(i), c + " shows a gap in its kept events: " + seqs);
        }
    }

    private static List<Long> sequences(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::sequence).toList();
    }
}
