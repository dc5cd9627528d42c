package io.batpak.engine.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.Coordinate;
import io.batpak.engine.CorruptLogException;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventStore;
import io.batpak.engine.RetentionRule;
import io.batpak.engine.ScavengeStatus;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.VerifyResult;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scavenging (docs/FORMAT.md "Scavenging"): the space of events past retention is reclaimed, every
 * kept event stays byte for byte as acknowledged, what was hidden never comes back, and every state
 * a crash can leave between the steps reopens with the kept events intact.
 */
class ScavengeTest {
    private static final EventKind KIND = EventKind.of(0xF, 3);
    private static final int ENTITIES = 20;
    private static final int PER_ENTITY = 100;
    private static final long KEEP = 10;
    private static final int PAYLOAD = 500;

    @TempDir
    Path dir;
    private final List<EventStore> open = new ArrayList<>();
    /** Every acknowledged event of scope "s" (the one with a rule) and "other" (no rule), by id. */
    private final Map<java.util.UUID, Acked> acked = new ConcurrentHashMap<>();

    record Acked(AppendReceipt receipt, byte[] payload) {
    }

    @AfterEach
    void closeAll() {
        open.forEach(EventStore::close);
    }

    private StoreConfig config() {
        return StoreConfig.defaults(dir).withSegmentMaxBytes(32 * 1024).withCheckpointIntervalEvents(0);
    }

    private EventStore openStore() {
        EventStore s = EventStore.open(config());
        open.add(s);
        return s;
    }

    private void closeStore(EventStore s) {
        s.close();
        open.remove(s);
    }

    private void fill(EventStore s, Random r) {
        for (int n = 0; n < PER_ENTITY; n++) {
            for (int e = 0; e < ENTITIES; e++) {
                append(s, new Coordinate("e" + e, "s"), r);
            }
            if (n % 10 == 0) {
                append(s, new Coordinate("keeper", "other"), r);
            }
        }
    }

    private AppendReceipt append(EventStore s, Coordinate c, Random r) {
        byte[] p = new byte[PAYLOAD];
        r.nextBytes(p);
        AppendReceipt a = s.append(c, KIND, p);
        acked.put(a.eventId(), new Acked(a, p));
        return a;
    }

    private static long diskBytes(Path dir) throws IOException {
        long total = 0;
        for (long id : SegmentFiles.list(dir)) {
            total += Files.size(SegmentFiles.path(dir, id));
        }
        return total;
    }

    /**
     * Every acknowledged event of scope "s" at or past the entity's first kept sequence is there
     * unchanged, every earlier one is gone, the first kept sequence is exactly what the rule keeps
     * (nothing more was dropped), and each chain verifies from it; scope "other" is whole.
     */
    private void assertKeptIntact(EventStore s, String where) {
        Map<String, Long> last = new java.util.HashMap<>();
        for (Acked a : acked.values()) {
            last.merge(a.receipt().coordinate().entity(), a.receipt().sequence(), Math::max);
        }
        for (Acked a : acked.values()) {
            Coordinate c = a.receipt().coordinate();
            long firstKept = c.scope().equals("s") ? Math.max(0, last.get(c.entity()) + 1 - KEEP) : 0;
            Optional<StoredEvent> got = s.get(EventLookup.of(a.receipt().eventId()));
            String what = where + ": " + c + " sequence " + a.receipt().sequence();
            if (a.receipt().sequence() >= firstKept) {
                StoredEvent e = got.orElseThrow(() -> new AssertionError(what + " is kept by the rule but gone — see"
                        + " SegmentScavenger.build (which frames it empties) and Scavenger.run"));
                assertArrayEquals(a.payload(), e.payload(), what + ": payload altered — see SegmentScavenger.copy");
                assertArrayEquals(a.receipt().hash(), e.hash(), what + ": hash altered");
                assertEquals(a.receipt().globalSequence(), e.globalSequence(), what + ": global sequence");
            } else {
                assertTrue(got.isEmpty(), what + " is past retention but readable again — see RetentionBook.makePermanent");
            }
        }
        for (Map.Entry<String, Long> en : last.entrySet()) {
            boolean ruled = !en.getKey().equals("keeper");
            EntityQuery q = EntityQuery.of(en.getKey());
            long expected = ruled ? Math.max(0, en.getValue() + 1 - KEEP) : 0;
            assertEquals(expected, s.firstKeptSequence(q), where + ": first kept sequence of " + en.getKey());
            VerifyResult v = s.verify(q);
            assertTrue(v.valid(), where + ": verify(" + en.getKey() + ") fails at " + v.firstInvalidSequence()
                    + " — a scavenged frame must keep the chain links (prev, hash)");
            assertEquals(expected, v.from(), where + ": verify(" + en.getKey() + ") starts at the first kept event");
        }
    }

    @Test
    void scavengingReclaimsTheSpaceOfEventsPastRetentionAndKeepsTheRest() throws IOException {
        EventStore s = openStore();
        fill(s, new Random(1));
        s.setRetention("s", new RetentionRule(null, KEEP));
        long before = diskBytes(dir);
        ScavengeStatus st = s.scavenge(Runnable::run);
        assertEquals(ScavengeStatus.State.DONE, st.state(), "scavenge status: " + st);
        assertTrue(st.segmentsTotal() > 0 && st.segmentsDone() == st.segmentsTotal(), "progress: " + st);
        long after = diskBytes(dir);
        long grown = st.bytesReclaimed() - (before - after);
        assertTrue(grown >= 0 && grown < 4096, "bytesReclaimed (" + st.bytesReclaimed() + ") must be what the segment"
                + " files shrank by (" + (before - after) + ") plus the job's own bookkeeping events");
        long hiddenPayload = (long) ENTITIES * (PER_ENTITY - KEEP) * PAYLOAD;
        assertTrue(st.bytesReclaimed() > hiddenPayload * 9 / 10, "reclaimed " + st.bytesReclaimed() + " of about "
                + hiddenPayload + " payload bytes past retention (the active segment's share is not reclaimed)");
        assertKeptIntact(s, "after the scavenge");

        assertTrue(s.removeRetention("s"));
        assertKeptIntact(s, "after removing the rule (scavenged events are truncated for good)");
        assertEquals(0, s.scavenge(Runnable::run).bytesReclaimed(), "a second scavenge finds nothing new");
        closeStore(s);

        s = openStore();
        assertKeptIntact(s, "after reopening from the checkpoint");
        closeStore(s);
        Files.delete(CheckpointFile.path(dir));
        s = openStore();
        assertKeptIntact(s, "after a full rescan of the scavenged segments");
        AppendReceipt next = append(s, new Coordinate("e0", "s"), new Random(2));
        assertEquals(PER_ENTITY, next.sequence(), "the entity sequence continues after the scavenged ones");
    }

    @Test
    void appendsAndReadsGoOnWhileSegmentsAreRewritten() throws Exception {
        EventStore s = openStore();
        fill(s, new Random(3));
        s.setRetention("s", new RetentionRule(null, KEEP));
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<AppendReceipt> kept = new ArrayList<>(acked.values().stream()
                .filter(a -> a.receipt().coordinate().scope().equals("other")).map(Acked::receipt).toList());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int seed = t;
            threads.add(new Thread(() -> {
                Random r = new Random(100 + seed);
                try {
                    while (!stop.get()) {
                        append(s, new Coordinate("e" + r.nextInt(ENTITIES), "s"), r);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "appender-" + t));
            threads.add(new Thread(() -> {
                Random r = new Random(200 + seed);
                try {
                    while (!stop.get()) {
                        AppendReceipt a = kept.get(r.nextInt(kept.size()));
                        StoredEvent e = s.get(EventLookup.of(a.eventId())).orElseThrow(() -> new AssertionError(
                                "kept event " + a.globalSequence() + " vanished during a scavenge"));
                        assertArrayEquals(acked.get(a.eventId()).payload(), e.payload(), "payload of " + a.globalSequence()
                                + " read during a scavenge — see IndexedReads.readRecord (relocation retries)");
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "reader-" + t));
        }
        threads.forEach(Thread::start);
        long reclaimed = 0;
        for (int round = 0; round < 10; round++) {
            ScavengeStatus st = s.scavenge(Runnable::run);
            assertEquals(ScavengeStatus.State.DONE, st.state(), "round " + round + ": " + st);
            reclaimed += st.bytesReclaimed();
            Thread.sleep(50);
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertTrue(failures.isEmpty(), "failures during the scavenges: " + failures);
        assertTrue(reclaimed > 0, "the scavenges reclaimed nothing");
        assertKeptIntact(s, "after scavenging under load");
        closeStore(s);
        Files.delete(CheckpointFile.path(dir));
        assertKeptIntact(openStore(), "after a full rescan");
    }

    /** Truncates what the rule hides, as the scavenger's first step does, and returns the store closed. */
    private void fillTruncateAndClose() {
        EventStore s = openStore();
        fill(s, new Random(5));
        for (int e = 0; e < ENTITIES; e++) {
            s.truncate(EntityQuery.of("e" + e), PER_ENTITY - KEEP);
        }
        s.setRetention("s", new RetentionRule(null, KEEP));
        closeStore(s);
    }

    /** Builds the rewrite of every sealed segment on the closed store, as the job's third step does. */
    private List<Long> buildRewrites() {
        List<Long> ids = SegmentFiles.list(dir);
        List<Long> built = new ArrayList<>();
        for (long id : ids.subList(0, ids.size() - 1)) {
            if (SegmentScavenger.build(dir, id, r -> r.scope.equals("s") && r.sequence < PER_ENTITY - KEEP) != null) {
                built.add(id);
            }
        }
        assertFalse(built.isEmpty(), "fixture: some sealed segment holds truncated events");
        return built;
    }

    @Test
    void aCrashAfterTheRewriteIsBuiltLeavesTheSegmentsUntouched() throws IOException {
        fillTruncateAndClose();
        Map<Long, byte[]> original = new java.util.HashMap<>();
        for (long id : SegmentFiles.list(dir)) {
            original.put(id, Files.readAllBytes(SegmentFiles.path(dir, id)));
        }
        buildRewrites();
        Files.delete(CheckpointFile.path(dir)); // step 2 done too: the checkpoint is gone
        EventStore s = openStore();
        assertKeptIntact(s, "reopened with rewrites built but not switched");
        for (long id : SegmentFiles.list(dir)) {
            if (original.containsKey(id) && id != SegmentFiles.list(dir).get(SegmentFiles.list(dir).size() - 1)) {
                assertArrayEquals(original.get(id), Files.readAllBytes(SegmentFiles.path(dir, id)),
                        "segment " + id + " changed although no rewrite was put in place");
            }
        }
        try (var files = Files.list(SegmentFiles.dir(dir))) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(SegmentScavenger.TEMP_SUFFIX)),
                    "the open must delete unfinished rewrites — see Compactor.removeTemporaries");
        }
    }

    @Test
    void aCrashBetweenTwoRenamesReopensAndTheNextScavengeFinishes() throws IOException {
        fillTruncateAndClose();
        List<Long> built = buildRewrites();
        Files.delete(CheckpointFile.path(dir));
        for (long id : built.subList(0, built.size() / 2 + 1)) {
            Files.move(SegmentScavenger.tempPath(dir, id), SegmentFiles.path(dir, id), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        EventStore s = openStore();
        assertKeptIntact(s, "reopened with half the rewrites in place and no checkpoint");
        ScavengeStatus st = s.scavenge(Runnable::run);
        assertEquals(ScavengeStatus.State.DONE, st.state(), st.toString());
        assertTrue(st.bytesReclaimed() > 0, "the next scavenge rewrites the segments the crash left: " + st);
        assertKeptIntact(s, "after the next scavenge");
        io.batpak.engine.CompactionResult merged = s.compact();
        assertTrue(merged.segmentsRemoved() > 0, "scavenged segments are small, so compaction merges them: " + merged);
        assertKeptIntact(s, "after compacting the scavenged segments");
        closeStore(s);
        Files.delete(CheckpointFile.path(dir));
        assertKeptIntact(openStore(), "after a full rescan of compacted scavenged segments");
        int withScavenged = 0;
        for (long id : SegmentFiles.list(dir)) {
            if (holdsScavengedFrames(SegmentFiles.path(dir, id))) {
                withScavenged++;
                assertEquals(SegmentHeader.SCAVENGED_VERSION, headerVersion(SegmentFiles.path(dir, id)), "segment " + id
                        + " holds scavenged frames, so its header must say version 3 (older builds refuse it) — see"
                        + " Compactor.anyScavenged");
            }
        }
        assertTrue(withScavenged > 0, "fixture: some segment holds scavenged frames");
    }

    @Test
    void damageInAScavengedSegmentStillFailsTheOpen() throws IOException {
        fillTruncateAndClose();
        List<Long> built = buildRewrites();
        long id = built.get(0);
        Files.move(SegmentScavenger.tempPath(dir, id), SegmentFiles.path(dir, id), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        for (long other : built.subList(1, built.size())) {
            Files.delete(SegmentScavenger.tempPath(dir, other));
        }
        Files.delete(CheckpointFile.path(dir));
        long offset = TestFiles.frames(SegmentFiles.path(dir, id)).get(0).start() + 12;
        TestFiles.xor(SegmentFiles.path(dir, id), offset, 0x40);
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> EventStore.open(config()),
                "a flipped byte in a scavenged frame must fail the open");
        assertTrue(e.getMessage().contains(SegmentFiles.path(dir, id).getFileName().toString()), e.getMessage());
    }

    private static boolean holdsScavengedFrames(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            FrameReader frames = new FrameReader(new SegmentScanner(ch, ch.size()));
            LogRecord r = new LogRecord();
            for (long pos = SegmentHeader.SIZE; pos < ch.size() && frames.read(pos, r, false) == null; pos = frames.end()) {
                if (r.scavenged()) {
                    return true;
                }
            }
            return false;
        }
    }

    private static int headerVersion(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(SegmentHeader.SIZE);
            SegmentReader.readFully(ch, b, 0);
            return SegmentHeader.decode(b.flip(), file).version();
        }
    }
}
