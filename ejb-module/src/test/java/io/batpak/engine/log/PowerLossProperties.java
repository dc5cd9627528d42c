package io.batpak.engine.log;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.SyncMode;
import io.batpak.engine.VerifyResult;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Power loss, not just SIGKILL: a SIGKILL leaves the page cache to the kernel, so a write answered
 * before its fsync would survive it too. Here {@link FaultyChannel.PowerLoss} keeps every byte
 * written since the last {@code force()} apart and drops it (or a random prefix of it, the last
 * write torn) at a random write, truncation or fsync, while random appends, atomic batches,
 * segment rotations (4 KiB segments), checkpoints (explicit and every 7 events), compactions and
 * explicit syncs run. The disk image is then opened and must hold:
 * <ul>
 * <li>a log that opens at all: nothing unacknowledged (a torn frame, half a batch) breaks
 *     recovery; global sequences 1..n, entity sequences gap-free, every chain valid, the store
 *     writable;</li>
 * <li>every acknowledged event that the sync mode promises, unchanged (id, hash, payload):
 *     {@code every-commit} every acknowledged event; {@code interval} every event acknowledged
 *     before the interval fsync that followed it (the test waits for it and checks that it came);
 *     {@code never} every event acknowledged before the last {@code sync()}, segment rotation or
 *     compaction — exactly the window SyncMode and config/README.md document;</li>
 * <li>losses only as a suffix of the log (no acknowledged event missing before one that
 *     survived), and atomic batches whole or absent.</li>
 * </ul>
 * Every-commit also runs with writeback reordered (any subset of the pending writes reaches the
 * disk). Uses only the public EventStore API, so it holds whatever the index looks like inside.
 */
class PowerLossProperties {
    private static final EventKind KIND = EventKind.of(0xF, 1);
    private static final Logger ENGINE_LOG = Logger.getLogger("io.batpak.engine");
    private static final int ENTITIES = 5;
    private static final long INTERVAL_MS = 20;
    private Level previousLevel;

    /** One step of the workload. */
    sealed interface Step permits Append, Batch, Checkpoint, Compact, Sync, Settle {
    }

    record Append(int entity, int size) implements Step {
    }

    record Batch(List<Append> events) implements Step {
    }

    record Checkpoint() implements Step {
    }

    record Compact() implements Step {
    }

    record Sync() implements Step {
    }

    /** Waits until the interval fsync made everything written durable (interval mode only). */
    record Settle() implements Step {
    }

    /** An acknowledged event and what the test sent for it; {@code batch} groups the events of one atomic batch. */
    private record Acked(AppendReceipt receipt, byte[] payload, int batch) {
    }

    @BeforeProperty
    void quietEngine() {
        // Every run ends in a simulated power loss: the writer's failure warnings are the expected noise.
        previousLevel = ENGINE_LOG.getLevel();
        ENGINE_LOG.setLevel(Level.OFF);
    }

    @AfterProperty
    void restoreLogLevel() {
        ENGINE_LOG.setLevel(previousLevel);
    }

    @Property(tries = 40)
    void everyCommitKeepsEveryAcknowledgedEvent(@ForAll("steps") List<Step> steps, @ForAll("crashPoints") long crashAt,
                                                @ForAll long seed) throws IOException {
        run(SyncMode.EVERY_COMMIT, steps, crashAt, seed);
    }

    /** Every-commit with dirty pages written back in any order (a hole before later data). */
    @Property(tries = 30)
    void everyCommitKeepsEveryAcknowledgedEventWhenWritebackIsReordered(@ForAll("steps") List<Step> steps,
            @ForAll("crashPoints") long crashAt, @ForAll long seed) throws IOException {
        runReordered(SyncMode.EVERY_COMMIT, steps, crashAt, seed);
    }

    private boolean reorder;

    /** {@link #run} with the unforced writes reaching the disk in any order at the power loss. */
    private void runReordered(SyncMode mode, List<Step> steps, long crashAt, long seed) throws IOException {
        reorder = true;
        try {
            run(mode, steps, crashAt, seed);
        } finally {
            reorder = false;
        }
    }

    /**
     * Interval with writeback reordered: a hole can sit before later valid frames in the unforced
     * tail; recovery cuts the segment there (keeping the cut bytes in quarantine/) instead of refusing
     * to open, and everything the interval fsync covered is still there (LogRecovery.tolerateReorderedTail).
     */
    @Property(tries = 30)
    void intervalKeepsWhatTheIntervalFsyncCoveredWhenWritebackIsReordered(@ForAll("intervalSteps") List<Step> steps,
            @ForAll("crashPoints") long crashAt, @ForAll long seed) throws IOException {
        runReordered(SyncMode.INTERVAL, steps, crashAt, seed);
    }

    /** Never with writeback reordered: as for interval, what sync, rotation and compaction forced survives. */
    @Property(tries = 30)
    void neverKeepsWhatWasForcedWhenWritebackIsReordered(@ForAll("steps") List<Step> steps,
            @ForAll("crashPoints") long crashAt, @ForAll long seed) throws IOException {
        runReordered(SyncMode.NEVER, steps, crashAt, seed);
    }

    @Property(tries = 30)
    void intervalKeepsWhatTheIntervalFsyncCovered(@ForAll("intervalSteps") List<Step> steps, @ForAll("crashPoints") long crashAt,
                                                   @ForAll long seed) throws IOException {
        run(SyncMode.INTERVAL, steps, crashAt, seed);
    }

    @Property(tries = 30)
    void neverKeepsWhatSyncRotationAndCompactionForced(@ForAll("steps") List<Step> steps, @ForAll("crashPoints") long crashAt,
                                                       @ForAll long seed) throws IOException {
        run(SyncMode.NEVER, steps, crashAt, seed);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return step(false).list().ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<Step>> intervalSteps() {
        return step(true).list().ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<Long> crashPoints() {
        // About three channel operations per append: most runs lose power mid-workload, some after it.
        return Arbitraries.longs().between(1, 140);
    }

    private static Arbitrary<Append> append() {
        return Combinators.combine(Arbitraries.integers().between(0, ENTITIES - 1), Arbitraries.integers().between(0, 700))
                .as(Append::new);
    }

    private static Arbitrary<Step> step(boolean settle) {
        Arbitrary<Step> batch = append().list().ofMinSize(2).ofMaxSize(4).map(Batch::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, append().map(a -> (Step) a)),
                net.jqwik.api.Tuple.of(4, batch),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Checkpoint())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Compact())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Sync())),
                net.jqwik.api.Tuple.of(settle ? 2 : 0, Arbitraries.just(new Settle())));
    }

    private static byte[] payload(int entity, int n, int size) {
        StringBuilder b = new StringBuilder("{\"e\":").append(entity).append(",\"n\":").append(n).append(",\"pad\":\"");
        for (int i = 0; i < size; i++) {
            b.append((char) ('a' + (n + i) % 26));
        }
        return b.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Coordinate coordinate(int entity) {
        return new Coordinate("power:" + entity, "power");
    }

    private void run(SyncMode mode, List<Step> steps, long crashAt, long seed) throws IOException {
        Path work = Files.createTempDirectory("batpak-powerloss-");
        try {
            runIn(work, mode, steps, crashAt, seed);
        } finally {
            ActiveSegment.removeOpener(work.resolve("data"));
            deleteTree(work);
        }
    }

    private void runIn(Path work, SyncMode mode, List<Step> steps, long crashAt, long seed) throws IOException {
        Path data = work.resolve("data");
        Path image = work.resolve("image");
        FaultyChannel.PowerLoss power = new FaultyChannel.PowerLoss(data, image, crashAt, seed);
        if (reorder) {
            power.reorderWrites();
        }
        ActiveSegment.installOpener(data, power::open);
        StoreConfig config = StoreConfig.defaults(data).withSyncMode(mode).withSyncIntervalMs(INTERVAL_MS)
                .withSegmentMaxBytes(4096).withCheckpointIntervalEvents(7);
        List<Acked> acked = new ArrayList<>();
        int guaranteed = 0; // acked.subList(0, guaranteed) must survive the power loss
        int n = 0;
        EventStore s;
        try {
            s = EventStore.open(config);
        } catch (StoreException e) {
            if (!power.crashed()) {
                throw e;
            }
            // The power went while the store created its first segment: the disk must still open (empty).
            ActiveSegment.removeOpener(data);
            check(StoreConfig.defaults(image).withSegmentMaxBytes(4096).withSyncMode(mode), acked, 0, mode + " crash while opening");
            return;
        }
        try {
            for (int i = 0; i < steps.size() && !power.crashed(); i++) {
                Step step = steps.get(i);
                try {
                    int segmentsBefore = s.stats(ScopeGrants.ALL).segments();
                    int ackedBefore = acked.size();
                    // (Java 17: no pattern matching for switch yet.)
                    if (step instanceof Append a) {
                        byte[] p = payload(a.entity(), n++, a.size());
                        acked.add(new Acked(s.append(coordinate(a.entity()), KIND, p), p, -1));
                    } else if (step instanceof Batch b) {
                        List<AppendRequest> requests = new ArrayList<>();
                        List<byte[]> payloads = new ArrayList<>();
                        for (Append a : b.events()) {
                            byte[] p = payload(a.entity(), n++, a.size());
                            payloads.add(p);
                            requests.add(new AppendRequest(coordinate(a.entity()), KIND, p));
                        }
                        List<AppendReceipt> receipts = s.appendBatch(requests);
                        for (int k = 0; k < receipts.size(); k++) {
                            acked.add(new Acked(receipts.get(k), payloads.get(k), i));
                        }
                    } else if (step instanceof Checkpoint) {
                        s.checkpoint();
                    } else if (step instanceof Compact) {
                        s.compact(4096);
                        // Compaction runs "with every earlier append durable" (FORMAT.md, step 2).
                        guaranteed = acked.size();
                    } else if (step instanceof Sync) {
                        s.sync();
                        guaranteed = acked.size();
                    } else if (step instanceof Settle) {
                        if (awaitIntervalFsync(power)) {
                            guaranteed = acked.size();
                        }
                    }
                    if (s.stats(ScopeGrants.ALL).segments() > segmentsBefore && (step instanceof Append || step instanceof Batch)) {
                        // The append rotated: the segment it sealed was forced with everything acked before it.
                        guaranteed = Math.max(guaranteed, ackedBefore);
                    }
                } catch (RuntimeException e) {
                    if (!power.crashed()) {
                        throw new AssertionError("step " + i + " " + step + " failed before any power loss", e);
                    }
                    // The step in flight at the loss: it may or may not have reached the disk.
                }
            }
            if (mode == SyncMode.EVERY_COMMIT) {
                guaranteed = acked.size();
            }
            power.crashNow();
        } finally {
            try {
                s.close(); // its writes fail: the power is off
            } catch (RuntimeException expected) {
                // closing a store that lost its disk
            }
        }
        ActiveSegment.removeOpener(data);
        check(StoreConfig.defaults(image).withSegmentMaxBytes(4096).withSyncMode(mode), acked, guaranteed,
                mode + " crash at operation " + crashAt + " of " + power.operations() + " (seed " + seed + ", " + acked.size()
                        + " acked, " + guaranteed + " guaranteed)");
    }

    /**
     * Interval mode: the next periodic fsync must come within a generous bound and leave nothing
     * pending. True if it forced everything written; false if the power went first (the crash may
     * have hit that very fsync, so nothing more is promised). Nothing writes between the forced state
     * and the check, so a crash seen here came before that fsync finished.
     */
    private static boolean awaitIntervalFsync(FaultyChannel.PowerLoss power) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (power.hasPending() && !power.crashed()) {
            assertTrue(System.nanoTime() < deadline, "interval mode (" + INTERVAL_MS + " ms): written data still not forced"
                    + " after 10 s");
            try {
                Thread.sleep(INTERVAL_MS / 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return !power.crashed() && !power.hasPending();
    }

    private static void check(StoreConfig config, List<Acked> acked, int guaranteed, String where) {
        EventStore s;
        try {
            s = EventStore.open(config);
        } catch (RuntimeException e) {
            throw new AssertionError(where + ": the store does not open after the power loss", e);
        }
        try (s) {
            long g = s.globalSequence();
            Map<Long, StoredEvent> byGlobal = new HashMap<>();
            for (int e = 0; e < ENTITIES; e++) {
                String entity = coordinate(e).entity();
                List<StoredEvent> events = s.readEntity(EntityQuery.of(entity).withLimit(100_000));
                for (int i = 0; i < events.size(); i++) {
                    StoredEvent ev = events.get(i);
                    assertEquals(i, ev.sequence(), where + ": sequence gap in " + entity);
                    byGlobal.put(ev.globalSequence(), ev);
                }
                VerifyResult v = s.verify(EntityQuery.of(entity));
                assertTrue(v.valid(), where + ": chain of " + entity + " broken: " + v);
            }
            for (long q = 1; q <= g; q++) {
                assertTrue(byGlobal.containsKey(q), where + ": global sequence " + q + " missing of 1.." + g);
            }
            assertEquals(g, byGlobal.size(), where + ": events beyond the global sequence " + g);
            Map<Integer, Integer> batchSurvivors = new HashMap<>();
            Map<Integer, Integer> batchSizes = new HashMap<>();
            for (int i = 0; i < acked.size(); i++) {
                Acked a = acked.get(i);
                AppendReceipt r = a.receipt();
                StoredEvent ev = byGlobal.get(r.globalSequence());
                if (i < guaranteed) {
                    assertTrue(ev != null, where + ": acknowledged and promised durable, but lost: " + r);
                }
                if (a.batch() >= 0) {
                    batchSizes.merge(a.batch(), 1, Integer::sum);
                    batchSurvivors.merge(a.batch(), ev == null ? 0 : 1, Integer::sum);
                }
                if (ev == null) {
                    assertTrue(r.globalSequence() > g, where + ": " + r + " lost although later events survived (up to " + g + ")");
                    continue;
                }
                assertEquals(r.eventId(), ev.eventId(), where + ": another event at global sequence " + r.globalSequence());
                assertEquals(r.sequence(), ev.sequence(), where + ": sequence of " + r.eventId());
                assertArrayEquals(r.hash(), ev.hash(), where + ": hash of " + r.eventId());
                assertArrayEquals(a.payload(), ev.payload(), where + ": payload of " + r.eventId());
            }
            batchSizes.forEach((b, size) -> {
                int kept = batchSurvivors.get(b);
                assertTrue(kept == 0 || kept == size, where + ": an atomic batch survived in part: " + kept + " of " + size);
            });
            // The recovered store takes appends again, continuing the sequences.
            AppendReceipt next = s.append(coordinate(0), KIND, payload(0, -1, 3));
            assertEquals(g + 1, next.globalSequence(), where + ": the next append after recovery");
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
