package io.batpak.engine.log;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.CorruptLogException;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventStore;
import io.batpak.engine.IndexEntry;
import io.batpak.engine.Region;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.SyncMode;
import io.batpak.engine.VerifyResult;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.util.Hex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash and corruption recovery on real segment files (docs/FORMAT.md, "Recovery rules"): the
 * log is cut at every byte of its tail, bytes are flipped in sealed and active segments, the
 * checkpoint is damaged or stale, and a child JVM is SIGKILLed while it appends. The rules: a torn
 * tail of the last segment is truncated, an incomplete atomic batch is dropped whole, any damage to
 * acknowledged data fails the open with a {@link CorruptLogException} naming file and offset, and a
 * checkpoint is only a cache.
 */
@ExtendWith(QuietEngineLog.class)
class CrashRecoveryTest {
    private static final EventKind SINGLE = EventKind.of(0x1, 1);
    private static final EventKind REACTION = EventKind.of(0x2, 7);
    private static final EventKind BATCH = EventKind.of(0xF, 0xB);
    private static final String[] ENTITIES = {"order-1", "konto-ä", "😀-user", "order-2"};
    private static final String[] SCOPES = {"shop", "bank/δ"};

    /** Each entity lives in one scope (an entity is a name within a scope); non-ASCII names and scopes both occur. */
    private static Coordinate at(String entity) {
        return new Coordinate(entity, entity.equals("konto-ä") || entity.equals("order-2") ? SCOPES[1] : SCOPES[0]);
    }
    private static final String IDEM_KEY = "key-of-the-last-single";

    @TempDir
    Path work;

    // ---- what was written ----

    /** One acknowledged event: its receipt, the request that made it, and its batch (0 for a single append). */
    record Acked(AppendReceipt receipt, AppendRequest request, int batch) {
        long gseq() {
            return receipt.globalSequence();
        }

        String entity() {
            return receipt.coordinate().entity();
        }
    }

    private static byte[] payload(String tag, int size) {
        byte[] p = new byte[size];
        byte[] t = tag.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < size; i++) {
            p[i] = i < t.length ? t[i] : (byte) (i * 31 + size);
        }
        return p;
    }

    /**
     * Writes {@code singles} single appends over four entities (some reactions, the last one with an
     * idempotency key), an atomic batch of three after every {@code batchEvery} singles (0: none),
     * and always an atomic batch of three last.
     */
    private static List<Acked> fill(StoreConfig config, int singles, int batchEvery) {
        List<Acked> out = new ArrayList<>();
        int batches = 0;
        try (EventStore s = EventStore.open(config)) {
            for (int i = 0; i < singles; i++) {
                AppendOptions o = AppendOptions.NONE;
                EventKind kind = SINGLE;
                if (i % 5 == 3) {
                    o = o.withCorrelation(out.get(0).receipt().eventId(), out.get(out.size() - 1).receipt().eventId());
                    kind = REACTION;
                }
                if (i == singles - 1) {
                    o = o.withIdempotencyKey(IDEM_KEY);
                }
                AppendRequest req = new AppendRequest(at(ENTITIES[i % ENTITIES.length]), kind,
                        payload("single-" + i, 12 + (i * 37) % 190), o);
                out.add(new Acked(s.append(req), req, 0));
                if (batchEvery > 0 && i % batchEvery == batchEvery - 1) {
                    out.addAll(batch(s, ++batches));
                }
            }
            out.addAll(batch(s, ++batches));
        }
        return out;
    }

    /** An atomic batch of three events over two entities, one of them twice. */
    private static List<Acked> batch(EventStore s, int n) {
        List<AppendRequest> reqs = List.of(
                new AppendRequest(at(ENTITIES[0]), BATCH, payload("batch-" + n + "-a", 40)),
                new AppendRequest(at(ENTITIES[1]), BATCH, payload("batch-" + n + "-b", 70)),
                new AppendRequest(at(ENTITIES[0]), BATCH, payload("batch-" + n + "-c", 25)));
        List<AppendReceipt> receipts = s.appendBatch(reqs);
        List<Acked> out = new ArrayList<>();
        for (int i = 0; i < reqs.size(); i++) {
            out.add(new Acked(receipts.get(i), reqs.get(i), n));
        }
        return out;
    }

    /** Where an event's frame lies on disk. */
    record Loc(long segment, TestFiles.Frame frame) {
    }

    /**
     * Finds every acknowledged event's frame by parsing the segment files with {@link TestFiles},
     * independently of recovery, and checks frame i holds global sequence i + 1.
     */
    private static List<Loc> locate(Path dataDir, List<Acked> acked) throws IOException {
        List<Loc> locs = new ArrayList<>();
        for (long id : SegmentFiles.list(dataDir)) {
            Path seg = SegmentFiles.path(dataDir, id);
            for (TestFiles.Frame f : TestFiles.frames(seg)) {
                LogRecord r = TestFiles.decode(seg, f);
                Acked a = acked.get(locs.size());
                assertEquals(a.gseq(), r.globalSequence, "frame " + locs.size() + " of the log (" + seg.getFileName()
                        + " at " + f.start() + ") holds the wrong event — the fixture is off, or LogWriter wrote out of order");
                assertEquals(a.receipt().eventId(), new UUID(r.idHi, r.idLo), "event id of gseq " + a.gseq());
                locs.add(new Loc(id, f));
            }
        }
        assertEquals(acked.size(), locs.size(), "every acknowledged event has exactly one frame on disk");
        return locs;
    }

    /**
     * How many events survive cutting segment {@code segment} at byte {@code cut}: those whose frame
     * lies entirely before the cut, minus every atomic batch that lost a frame.
     */
    private static int survivors(List<Acked> acked, List<Loc> locs, long segment, long cut) {
        boolean[] keep = new boolean[acked.size()];
        Map<Integer, Boolean> batchWhole = new HashMap<>();
        for (int i = 0; i < keep.length; i++) {
            Loc l = locs.get(i);
            keep[i] = l.segment() < segment || l.segment() == segment && l.frame().end() <= cut;
            if (acked.get(i).batch() > 0) {
                batchWhole.merge(acked.get(i).batch(), keep[i], Boolean::logicalAnd);
            }
        }
        int n = 0;
        while (n < keep.length && keep[n] && (acked.get(n).batch() == 0 || batchWhole.get(acked.get(n).batch()))) {
            n++;
        }
        for (int i = n; i < keep.length; i++) {
            assertFalse(keep[i] && (acked.get(i).batch() == 0 || batchWhole.get(acked.get(i).batch())),
                    "fixture: survivors must be a prefix of the log");
        }
        return n;
    }

    /**
     * Asserts the store holds exactly the first {@code n} acknowledged events, each unchanged, with
     * gap-free sequences, matching last sequences and verifiable chains.
     */
    static void assertHoldsExactly(EventStore s, List<Acked> acked, int n, String where) {
        assertEquals(n, s.globalSequence(), where + ": the store reopened with " + s.globalSequence()
                + " events but exactly " + n + " lie wholly before the cut — see LogRecovery.scanFrames (torn tail,"
                + " incomplete batch)");
        Map<String, Long> lastSeq = new HashMap<>();
        for (int i = 0; i < acked.size(); i++) {
            Acked a = acked.get(i);
            Optional<StoredEvent> got = s.get(EventLookup.of(a.receipt().eventId()));
            if (i < n) {
                StoredEvent e = got.orElseThrow(() -> new AssertionError(where + ": the store lost acknowledged event gseq "
                        + a.gseq() + " (" + a.receipt().coordinate() + ") — see LogRecovery.scanFrames"));
                String what = where + ": event gseq " + a.gseq() + " came back altered: ";
                assertEquals(a.gseq(), e.globalSequence(), what + "global sequence");
                assertEquals(a.receipt().sequence(), e.sequence(), what + "entity sequence");
                assertEquals(a.request().coordinate(), e.coordinate(), what + "coordinate");
                assertEquals(a.request().kind(), e.kind(), what + "kind");
                assertArrayEquals(a.request().payload(), e.payload(), what + "payload");
                assertArrayEquals(a.receipt().hash(), e.hash(), what + "hash");
                assertEquals(a.request().options().causationId(), e.causationId(), what + "causation id");
                lastSeq.merge(a.entity(), a.receipt().sequence(), Math::max);
            } else {
                assertTrue(got.isEmpty(), where + ": event gseq " + a.gseq() + (a.batch() > 0 ? " of atomic batch "
                        + a.batch() : "") + " lies (partly) after the cut but the store still has it — see"
                        + " LogRecovery.scanFrames (a torn frame or a partial batch must be truncated)");
            }
        }
        List<IndexEntry> all = s.query(Region.all().withLimit(Integer.MAX_VALUE));
        assertEquals(n, all.size(), where + ": query(all) disagrees with globalSequence() — see StoreIndex.query");
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1L, all.get(i).globalSequence(), where + ": global sequences have a gap at " + (i + 1));
            assertEquals(acked.get(i).receipt().eventId(), all.get(i).eventId(), where + ": gseq " + (i + 1) + " is another event");
        }
        for (String entity : ENTITIES) {
            long expected = lastSeq.getOrDefault(entity, AppendOptions.NO_EVENTS);
            assertEquals(expected, s.lastSequence(EntityQuery.of(entity)), where + ": lastSequence(" + entity + ") — see StoreIndex.entityVisibleEvents");
            VerifyResult v = s.verify(EntityQuery.of(entity));
            assertTrue(v.valid(), where + ": verify(" + entity + ") fails at sequence " + v.firstInvalidSequence()
                    + " — see EventStore.verify / LogRecovery.apply");
            assertEquals(expected + 1, v.events(), where + ": verify(" + entity + ") checked the wrong number of events");
        }
    }

    /**
     * After recovery: a new append continues both the global and the entity sequence, the idempotent
     * retry of the keyed single behaves as its survival demands, and a full rescan (checkpoint deleted)
     * accepts what was appended after the truncation point.
     */
    /** Reopens a cut copy: it must hold exactly the {@code n} complete events and accept the next append. */
    private static void assertReopensAsTornTail(Path dir, StoreConfig config, List<Acked> acked, int n, String where,
                                                String lookAt) throws IOException {
        try (EventStore s = EventStore.open(config)) {
            assertHoldsExactly(s, acked, n, where);
        } catch (CorruptLogException e) {
            throw new AssertionError(where + ": a torn tail was reported as corruption — see " + lookAt + ": "
                    + e.getMessage(), e);
        }
        assertAppendsContinue(dir, config, acked, n, where);
    }

    private static void assertAppendsContinue(Path dir, StoreConfig config, List<Acked> acked, int n, String where)
            throws IOException {
        AppendReceipt next;
        Acked keyed = acked.stream().filter(a -> a.request().options().idempotencyKey() != null).findFirst().orElseThrow();
        boolean keyedSurvived = acked.indexOf(keyed) < n;
        try (EventStore s = EventStore.open(config)) {
            long before = s.lastSequence(EntityQuery.of(ENTITIES[0]));
            next = s.append(at(ENTITIES[0]), SINGLE, payload("after-recovery", 33));
            assertEquals(n + 1L, next.globalSequence(), where + ": the first append after recovery must get the next"
                    + " global sequence — see LogWriter (constructor) / LogRecovery.End");
            assertEquals(before + 1, next.sequence(), where + ": the entity sequence must continue after recovery");
            AppendReceipt retry = s.append(keyed.request());
            if (keyedSurvived) {
                assertTrue(retry.replayed(), where + ": the keyed event survived, so its retry must replay — see"
                        + " LogRecovery.apply (idempotency keys)");
                assertEquals(keyed.gseq(), retry.globalSequence(), where + ": replayed receipt of the keyed event");
            } else {
                assertFalse(retry.replayed(), where + ": the keyed event was cut away, but its key still replays a"
                        + " receipt for an event that no longer exists — see LogRecovery.apply");
                assertEquals(n + 2L, retry.globalSequence(), where + ": retry of a lost keyed event appends anew");
            }
            assertTrue(s.verify(EntityQuery.of(ENTITIES[0])).valid(), where + ": chain after the new append");
        } catch (CorruptLogException e) {
            throw new AssertionError(where + ": reopening the recovered store (with its fresh checkpoint) failed — see"
                    + " LogRecovery.scanFrames: " + e.getMessage(), e);
        }
        Files.deleteIfExists(CheckpointFile.path(dir));
        try (EventStore s = EventStore.open(config)) {
            assertEquals(n + (keyedSurvived ? 1L : 2L), s.globalSequence(), where + ": a full rescan after appending"
                    + " to the recovered log lost or invented events — the writer must append exactly at the truncation point");
            assertTrue(s.get(EventLookup.of(next.eventId())).isPresent(), where + ": the event appended after recovery is gone");
            for (String entity : ENTITIES) {
                assertTrue(s.verify(EntityQuery.of(entity)).valid(), where + ": verify(" + entity + ") after the rescan");
            }
        } catch (CorruptLogException e) {
            throw new AssertionError(where + ": after one append to the recovered log a full rescan finds corruption:"
                    + " the truncation left bytes the writer appended after — see LogRecovery.scanFrames (cut point) and"
                    + " LogWriter (append position): " + e.getMessage(), e);
        }
    }

    private Path copy(Path source, String name) throws IOException {
        Path dir = work.resolve(name);
        TestFiles.deleteTree(dir);
        TestFiles.copyDataDir(source, dir);
        return dir;
    }

    // ---- (a) torn tail at every byte ----

    @Test
    void cuttingTheLastFramesAtEveryByteKeepsExactlyTheCompleteOnes() throws IOException {
        Path source = work.resolve("source");
        List<Acked> acked = fill(StoreConfig.defaults(source), 9, 0);
        List<Loc> locs = locate(source, acked);
        assertEquals(List.of(1L), SegmentFiles.list(source), "fixture fits one segment");
        Path segment = SegmentFiles.path(source, 1);
        long end = Files.size(segment);
        // The last 4 frames: the keyed single and the 3-event atomic batch; plus the segment header.
        long from = locs.get(locs.size() - 4).frame().start();
        List<Long> cuts = new ArrayList<>();
        for (long c = 0; c <= SegmentHeader.SIZE; c++) {
            cuts.add(c);
        }
        for (long c = from; c <= end; c++) {
            cuts.add(c);
        }
        Map<Long, byte[]> original = TestFiles.snapshotSegments(source);
        Path dir = copy(source, "cut");
        // Durability is not under test here (the fill fsynced every commit): recover without fsyncs.
        StoreConfig config = StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER);
        for (long cut : cuts) {
            TestFiles.restore(dir, original, null);
            TestFiles.truncate(SegmentFiles.path(dir, 1), cut);
            int n = survivors(acked, locs, 1, cut);
            String where = "after cutting segment 000001.fbat at byte " + cut + " of " + end + " (frames of the last"
                    + " events start at " + locs.subList(locs.size() - 4, locs.size()).stream()
                    .map(l -> l.frame().start()).toList() + ")";
            assertReopensAsTornTail(dir, config, acked, n, where, "LogRecovery.scanFrames / validFrameFollows");
        }
    }

    @Test
    void cuttingTheLastOfSeveralSegmentsAtEveryByteKeepsExactlyTheCompleteFrames() throws IOException {
        Path source = work.resolve("source");
        StoreConfig small = StoreConfig.defaults(source).withSegmentMaxBytes(4096);
        List<Acked> acked = fill(small, 30, 7);
        List<Loc> locs = locate(source, acked);
        List<Long> ids = SegmentFiles.list(source);
        assertTrue(ids.size() >= 2, "fixture needs several segments, has " + ids);
        long last = ids.get(ids.size() - 1);
        String name = SegmentFiles.path(source, last).getFileName().toString();
        long end = Files.size(SegmentFiles.path(source, last));
        // Every byte of the header and the first two frames of the last segment (cutting there leaves
        // an empty or nearly empty last segment after full sealed ones); around every later frame boundary.
        List<TestFiles.Frame> frames = TestFiles.frames(SegmentFiles.path(source, last));
        assertTrue(frames.size() >= 3, "fixture: the last segment needs a few frames, has " + frames.size());
        java.util.TreeSet<Long> cuts = new java.util.TreeSet<>();
        for (long c = 0; c <= frames.get(1).end(); c++) {
            cuts.add(c);
        }
        for (TestFiles.Frame f : frames) {
            for (long c = f.start() - 1; c <= f.start() + FrameCodec.HEADER_BYTES + 1; c++) {
                cuts.add(c);
            }
            cuts.add(f.end() - 1);
        }
        cuts.add(end);
        Map<Long, byte[]> original = TestFiles.snapshotSegments(source);
        Path dir = copy(source, "cut");
        StoreConfig config = StoreConfig.defaults(dir).withSegmentMaxBytes(4096).withSyncMode(SyncMode.NEVER);
        for (long cut : cuts) {
            TestFiles.restore(dir, original, null);
            TestFiles.truncate(SegmentFiles.path(dir, last), cut);
            int n = survivors(acked, locs, last, cut);
            String where = "after cutting the last segment " + name + " at byte " + cut + " of " + end;
            assertReopensAsTornTail(dir, config, acked, n, where, "LogRecovery.scanSegment / scanFrames");
        }
    }

    @Test
    void aTornEventWhosePayloadEmbedsAValidFrameIsStillATornTail() throws IOException {
        // Payloads are opaque: an event may carry a whole frame (an export of this or another store).
        Path source = work.resolve("embedded");
        List<Acked> acked = new ArrayList<>(fill(StoreConfig.defaults(source), 6, 0));
        byte[] log = Files.readAllBytes(SegmentFiles.path(source, 1));
        List<Loc> before = locate(source, acked);
        TestFiles.Frame first = before.get(0).frame();
        byte[] embedded = Arrays.copyOfRange(log, (int) first.start(), (int) first.end());
        byte[] p = new byte[embedded.length + 64];
        System.arraycopy(embedded, 0, p, 16, embedded.length);
        AppendRequest req = new AppendRequest(at(ENTITIES[2]), SINGLE, p);
        try (EventStore s = EventStore.open(StoreConfig.defaults(source))) {
            acked.add(new Acked(s.append(req), req, 0));
        }
        List<Loc> locs = locate(source, acked);
        TestFiles.Frame outer = locs.get(locs.size() - 1).frame();
        long embeddedEnd = outer.end() - p.length + 16 + embedded.length;
        Map<Long, byte[]> original = TestFiles.snapshotSegments(source);
        Path dir = copy(source, "embedded-cut");
        StoreConfig config = StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER);
        for (long cut = embeddedEnd - 2; cut < outer.end(); cut++) {
            TestFiles.restore(dir, original, null);
            TestFiles.truncate(SegmentFiles.path(dir, 1), cut);
            String where = "after cutting the last event (whose payload embeds a copy of the frame of gseq 1, ending at"
                    + " byte " + embeddedEnd + ") at byte " + cut;
            try (EventStore s = EventStore.open(config)) {
                assertHoldsExactly(s, acked, acked.size() - 1, where);
            } catch (CorruptLogException e) {
                throw new AssertionError(where + ": the never-acknowledged torn tail was reported as corruption, because"
                        + " the frame copy inside its payload passed for a valid frame after the damage — the store cannot"
                        + " reopen after such a crash; see LogRecovery.validFrameFollows: " + e.getMessage(), e);
            }
        }
    }

    // ---- (b) flipped bytes in sealed segments ----

    @Test
    void everyFlippedByteInASealedSegmentFailsTheOpenNamingFileAndOffset() throws IOException {
        Path dir = work.resolve("sealed");
        List<Acked> acked = fill(StoreConfig.defaults(dir).withSegmentMaxBytes(4096), 40, 6);
        List<Loc> locs = locate(dir, acked);
        List<Long> ids = SegmentFiles.list(dir);
        assertTrue(ids.size() >= 4, "fixture needs several segments, has " + ids);
        Files.delete(CheckpointFile.path(dir));
        Map<Long, byte[]> original = new TreeMap<>();
        for (long id : ids) {
            original.put(id, Files.readAllBytes(SegmentFiles.path(dir, id)));
        }
        // The first segment and one in the middle that holds (part of) an atomic batch.
        long middle = locs.stream().filter(l -> l.segment() > 1 && l.segment() < ids.get(ids.size() - 1)
                && acked.get(locs.indexOf(l)).batch() > 0).findFirst().orElseThrow().segment();
        int tried = 0;
        for (long id : List.of(1L, middle)) {
            Path file = SegmentFiles.path(dir, id);
            List<TestFiles.Frame> frames = TestFiles.frames(file);
            for (long off = 0; off < original.get(id).length; off++) {
                long frameStart = 0;
                for (TestFiles.Frame f : frames) {
                    if (f.start() <= off) {
                        frameStart = f.start();
                    }
                }
                String part = off < SegmentHeader.SIZE ? "the segment header"
                        : off < frameStart + FrameCodec.HEADER_BYTES ? "the header of the frame at " + frameStart
                        : "the body of the frame at " + frameStart;
                String where = "after flipping byte " + off + " (" + part + ") of sealed segment " + file.getFileName();
                TestFiles.xor(file, off, 0xFF);
                try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
                    fail(where + " the store opened with " + s.globalSequence() + " events instead of refusing —"
                            + " see LogRecovery.scanFrames / SegmentHeader.decode");
                } catch (CorruptLogException e) {
                    assertEquals(file, e.file(), where + ": the error names the wrong file: " + e.getMessage());
                    assertTrue(e.getMessage().contains(file.getFileName().toString()) && e.getMessage().contains("offset "
                            + e.offset()), where + ": the message must name file and offset: " + e.getMessage());
                    assertEquals(off < SegmentHeader.SIZE ? 0 : frameStart, e.offset(), where + ": the error must point"
                            + " at the start of the damaged structure: " + e.getMessage());
                }
                TestFiles.xor(file, off, 0xFF);
                for (long other : ids) {
                    assertEquals(original.get(other).length, Files.size(SegmentFiles.path(dir, other)), where
                            + ": the failed open changed the size of segment " + other + " — recovery must not truncate"
                            + " a sealed segment or anything before the damage");
                }
                tried++;
            }
        }
        for (long id : ids) {
            assertArrayEquals(original.get(id), Files.readAllBytes(SegmentFiles.path(dir, id)),
                    "failed opens must leave segment " + id + " as it was");
        }
        assertTrue(tried > 4000, "too few offsets tried: " + tried);
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            assertHoldsExactly(s, acked, acked.size(), "after undoing every flip");
        }
    }

    @Test
    void withACheckpointCoveringADamagedSealedSegmentReadsFailInsteadOfReturningAlteredData() throws IOException {
        Path dir = work.resolve("covered");
        List<Acked> acked = fill(StoreConfig.defaults(dir).withSegmentMaxBytes(4096), 40, 6);
        List<Loc> locs = locate(dir, acked);
        assertTrue(Files.exists(CheckpointFile.path(dir)), "close writes a checkpoint");
        byte[] checkpoint = Files.readAllBytes(CheckpointFile.path(dir));
        for (int i = 0; i < locs.size() && locs.get(i).segment() == 1; i++) {
            Loc l = locs.get(i);
            Acked a = acked.get(i);
            Path file = SegmentFiles.path(dir, 1);
            long off = l.frame().bodyStart() + l.frame().bodyLength() - 3; // inside the payload
            String where = "after flipping byte " + off + " (payload of gseq " + a.gseq() + ") of sealed segment "
                    + file.getFileName() + " behind a valid checkpoint";
            TestFiles.xor(file, off, 0xFF);
            try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
                try {
                    StoredEvent e = s.get(EventLookup.of(a.receipt().eventId())).orElse(null);
                    fail(where + ": get() returned " + e + " instead of failing — see SegmentReader.readFrom (CRC check)");
                } catch (CorruptLogException e) {
                    assertEquals(l.frame().start(), e.offset(), where + ": " + e.getMessage());
                    assertEquals(file, e.file(), where + ": " + e.getMessage());
                }
                VerifyResult v = s.verify(EntityQuery.of(a.entity()));
                assertFalse(v.valid(), where + ": verify(" + a.entity() + ") must report the damage — see EventStore.verify");
                assertEquals(a.receipt().sequence(), v.firstInvalidSequence(), where + ": verify names the damaged sequence");
                Acked other = acked.get(i == 0 ? 1 : 0);
                assertArrayEquals(other.request().payload(), s.get(EventLookup.of(other.receipt().eventId())).orElseThrow().payload(),
                        where + ": an undamaged neighbour must still read");
            } catch (CorruptLogException refused) {
                // Refusing to open is acceptable too: what matters is that no altered data is served.
                assertEquals(file, refused.file(), where + ": " + refused.getMessage());
            }
            TestFiles.xor(file, off, 0xFF);
            Files.write(CheckpointFile.path(dir), checkpoint);
        }
    }

    // ---- (c) damage in the last segment that is not a torn tail ----

    @Test
    void damageInTheLastSegmentFollowedByValidFramesIsNotATornTail() throws IOException {
        Path dir = work.resolve("last");
        List<Acked> acked = fill(StoreConfig.defaults(dir), 14, 5);
        List<Loc> locs = locate(dir, acked);
        assertEquals(List.of(1L), SegmentFiles.list(dir), "fixture fits one segment");
        Files.delete(CheckpointFile.path(dir));
        Path file = SegmentFiles.path(dir, 1);
        byte[] original = Files.readAllBytes(file);
        // Every byte of: a frame in the middle, the first frame of a middle batch, and the second-to-last frame.
        int firstBatch = 0;
        while (acked.get(firstBatch).batch() == 0) {
            firstBatch++;
        }
        int[] victims = {3, firstBatch, firstBatch + 1, locs.size() - 2};
        int tried = 0;
        for (int victim : victims) {
            TestFiles.Frame f = locs.get(victim).frame();
            for (long off = f.start(); off < f.end(); off++) {
                String where = "after flipping byte " + off + " of frame " + victim + " (gseq " + acked.get(victim).gseq()
                        + ", frame " + f.start() + ".." + f.end() + ") in the last segment, with valid frames after it,";
                TestFiles.xor(file, off, 0xFF);
                try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
                    fail(where + " the store opened with " + s.globalSequence() + " events: damage before the tail was"
                            + " taken for a torn tail — see LogRecovery.scanFrames / validFrameFollows");
                } catch (CorruptLogException e) {
                    assertEquals(f.start(), e.offset(), where + " the error must name the damaged frame: " + e.getMessage());
                    assertTrue(e.getMessage().contains(file.getFileName().toString()), where + ": " + e.getMessage());
                }
                TestFiles.xor(file, off, 0xFF);
                assertEquals(original.length, Files.size(file), where + " the failed open truncated acknowledged data —"
                        + " see LogRecovery.scanFrames");
                tried++;
            }
        }
        assertArrayEquals(original, Files.readAllBytes(file), "failed opens must leave the segment as it was");
        assertTrue(tried > 300, "too few offsets tried: " + tried);
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            assertHoldsExactly(s, acked, acked.size(), "after undoing every flip");
        }
    }

    // ---- (d) damaged checkpoint ----

    /** Rewrites a checkpoint's trailing CRC32C so that deliberate content damage passes the checksum. */
    private static byte[] withValidCrc(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length);
        return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    }

    @Test
    void aDamagedCheckpointIsDiscardedAndTheIndexRebuilt() throws IOException {
        Path dir = work.resolve("ckpt");
        List<Acked> acked = fill(StoreConfig.defaults(dir).withSegmentMaxBytes(4096), 30, 6);
        StoreConfig config = StoreConfig.defaults(dir).withSegmentMaxBytes(4096).withSyncMode(SyncMode.NEVER);
        Path ckpt = CheckpointFile.path(dir);
        byte[] good = Files.readAllBytes(ckpt);
        byte[] body = Arrays.copyOf(good, good.length - 4);
        Map<String, byte[]> damages = new LinkedHashMap<>();
        // Every byte of the fixed header and of the tail (idempotency keys, CRC), every third byte between.
        for (int off = 0; off < good.length; off += off < 64 || off >= good.length - 64 ? 1 : 3) {
            byte[] b = good.clone();
            b[off] ^= (byte) 0xFF;
            damages.put("byte " + off + " flipped", b);
        }
        for (int len = 0; len < good.length; len += Math.max(1, good.length / 97)) {
            damages.put("truncated to " + len + " bytes", Arrays.copyOf(good, len));
        }
        damages.put("last byte cut", Arrays.copyOf(good, good.length - 1));
        damages.put("garbage", "this is not a checkpoint".getBytes(StandardCharsets.UTF_8));
        damages.put("empty", new byte[0]);
        byte[] random = new byte[good.length];
        new java.util.Random(7).nextBytes(random);
        damages.put("random bytes", random);
        // Checksum right, content wrong: a checkpoint writer bug or a file from elsewhere.
        damages.put("valid CRC, one trailing byte", withValidCrc(Arrays.copyOf(body, body.length + 1)));
        damages.put("valid CRC, one byte short", withValidCrc(Arrays.copyOf(body, body.length - 1)));
        byte[] negative = body.clone();
        ByteBuffer.wrap(negative).putInt(4 + 2 + 8 + 8 + 4 + 8 + 4, -1); // entity count
        damages.put("valid CRC, negative entity count", withValidCrc(negative));
        byte[] future = body.clone();
        ByteBuffer.wrap(future).putShort(4, (short) (CheckpointFile.VERSION + 1));
        damages.put("valid CRC, unknown version", withValidCrc(future));
        for (Map.Entry<String, byte[]> d : damages.entrySet()) {
            String where = "after damaging index.ckpt (" + d.getKey() + ")";
            Files.write(ckpt, d.getValue());
            try (EventStore s = EventStore.open(config)) {
                assertHoldsExactly(s, acked, acked.size(), where);
            } catch (RuntimeException | Error e) {
                throw new AssertionError(where + " the open failed instead of discarding the checkpoint and rebuilding"
                        + " the index from the segments — see CheckpointFile.load / EventStore.open: " + e, e);
            }
        }
        // A rebuilt index keeps working: the next append continues, and idempotency survived the rebuild.
        Files.write(ckpt, withValidCrc(Arrays.copyOf(body, body.length + 1)));
        assertAppendsContinue(dir, config, acked, acked.size(), "after discarding a checkpoint with a trailing byte");
    }

    // ---- (e) stale checkpoint ----

    @Test
    void aStaleCheckpointIsContinuedByScanningTheLogAfterIt() throws IOException {
        Path live = work.resolve("live");
        StoreConfig config = StoreConfig.defaults(live).withSegmentMaxBytes(4096);
        List<Acked> acked = new ArrayList<>();
        Path crashed = work.resolve("crashed");
        try (EventStore s = EventStore.open(config)) {
            for (int i = 0; i < 20; i++) {
                AppendRequest r = new AppendRequest(at(ENTITIES[i % 4]), SINGLE, payload("pre-" + i, 50 + i));
                acked.add(new Acked(s.append(r), r, 0));
            }
            s.checkpoint();
            int batchNo = 1;
            for (int i = 0; i < 40; i++) {
                AppendRequest r = new AppendRequest(at(ENTITIES[i % 4]), SINGLE, payload("post-" + i, 60 + i),
                        i == 39 ? AppendOptions.NONE.withIdempotencyKey(IDEM_KEY) : AppendOptions.NONE);
                acked.add(new Acked(s.append(r), r, 0));
                if (i % 9 == 8) {
                    acked.addAll(batch(s, batchNo++));
                }
            }
            acked.addAll(batch(s, batchNo));
            s.sync();
            // A crash now: the disk holds everything synced, and a checkpoint that covers only the first 20.
            TestFiles.copyDataDir(live, crashed);
        }
        byte[] staleCkpt = Files.readAllBytes(CheckpointFile.path(crashed));
        int covered = ByteBuffer.wrap(staleCkpt).getInt(4 + 2 + 8 + 8);
        assertEquals(20, covered, "fixture: the copied checkpoint must be the stale one");
        assertTrue(SegmentFiles.list(crashed).size() >= 3, "fixture: the log continues over several segments after the checkpoint");
        StoreConfig crashedConfig = StoreConfig.defaults(crashed).withSegmentMaxBytes(4096);
        try (EventStore s = EventStore.open(crashedConfig)) {
            assertHoldsExactly(s, acked, acked.size(), "after reopening with a checkpoint that covers 20 of "
                    + acked.size() + " events (see LogRecovery.scan from the checkpoint position)");
        }

        // The same crash with a torn tail on top: cut inside the last frames of the last segment.
        List<Loc> locs = locate(crashed, acked);
        List<Long> ids = SegmentFiles.list(crashed);
        long last = ids.get(ids.size() - 1);
        long end = Files.size(SegmentFiles.path(crashed, last));
        long from = locs.get(locs.size() - 5).segment() == last ? locs.get(locs.size() - 5).frame().start() : SegmentHeader.SIZE;
        Path crashedAgain = work.resolve("crashed-at-start");
        TestFiles.copyDataDir(crashed, crashedAgain);
        Map<Long, byte[]> crashedSegments = TestFiles.snapshotSegments(crashedAgain);
        Path dir = copy(crashedAgain, "torn");
        for (long cut = from; cut <= end; cut++) {
            TestFiles.restore(dir, crashedSegments, staleCkpt);
            TestFiles.truncate(SegmentFiles.path(dir, last), cut);
            int n = survivors(acked, locs, last, cut);
            String where = "after a stale checkpoint (20 events) and cutting " + SegmentFiles.path(dir, last).getFileName()
                    + " at byte " + cut;
            try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSegmentMaxBytes(4096)
                    .withSyncMode(SyncMode.NEVER))) {
                assertHoldsExactly(s, acked, n, where);
            }
        }

        // A checkpoint from the future (covering more than this copy of the log holds) is discarded.
        Path past = copy(crashedAgain, "past");
        Files.write(CheckpointFile.path(past), Files.readAllBytes(CheckpointFile.path(live)));
        int n = survivors(acked, locs, last, SegmentHeader.SIZE);
        TestFiles.truncate(SegmentFiles.path(past, last), SegmentHeader.SIZE);
        try (EventStore s = EventStore.open(StoreConfig.defaults(past).withSegmentMaxBytes(4096))) {
            assertHoldsExactly(s, acked, n, "after restoring a checkpoint that covers more than the log holds (it must be"
                    + " discarded — see EventStore.open / LogRecovery.scanSegment)");
        }

        // A crash while writing a checkpoint leaves index.ckpt.tmp behind: it is never read.
        Path tmpLeft = copy(crashedAgain, "tmp-left");
        Files.write(tmpLeft.resolve(CheckpointFile.NAME + ".tmp"), "half a checkpoint".getBytes(StandardCharsets.UTF_8));
        try (EventStore s = EventStore.open(StoreConfig.defaults(tmpLeft).withSegmentMaxBytes(4096))) {
            assertHoldsExactly(s, acked, acked.size(), "with a leftover index.ckpt.tmp");
            s.checkpoint();
        }
        try (EventStore s = EventStore.open(StoreConfig.defaults(tmpLeft).withSegmentMaxBytes(4096))) {
            assertHoldsExactly(s, acked, acked.size(), "after a checkpoint replaced a leftover index.ckpt.tmp");
        }
    }

    // ---- (f) SIGKILL of a child JVM ----

    /** One line the child printed after an append returned. */
    record ChildAck(long gseq, UUID id, long sequence, String entity, byte[] payload, byte[] hash) {
    }

    @Test
    void acknowledgedEventsSurviveSigkillOfAChildJvm() throws Exception {
        int kills = Boolean.parseBoolean(System.getProperty("batpak.longTests")) ? 50 : 3;
        Path dir = work.resolve("killed");
        TreeMap<Long, ChildAck> acked = new TreeMap<>();
        long expectedStart = 0;
        long truncatedTotal = 0;
        for (int k = 1; k <= kills; k++) {
            String round = "kill " + k + " of " + kills;
            List<String> lines = runChildAndKill(dir, round);
            assertEquals("ready " + expectedStart, lines.get(0), round + ": the child opened the store with another"
                    + " global sequence than the parent left (data in " + dir + ")");
            int fresh = 0;
            for (String line : lines.subList(1, lines.size())) {
                ChildAck a = parseAck(line);
                if (a == null) {
                    continue; // the kill cut this line short: not an acknowledgement the test can check
                }
                ChildAck before = acked.putIfAbsent(a.gseq(), a);
                assertTrue(before == null || before.id().equals(a.id()), round + ": global sequence " + a.gseq()
                        + " was acknowledged twice, for " + (before == null ? null : before.id()) + " and " + a.id());
                fresh++;
            }
            long bytesBefore = logBytes(dir);
            try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
                truncatedTotal += bytesBefore - logBytes(dir);
                String where = "after " + round + " (data in " + dir + ")";
                long n = s.globalSequence();
                assertTrue(acked.isEmpty() || n >= acked.lastKey(), where + ": the store"
                        + " reopened with " + n + " events but the child acknowledged up to gseq "
                        + acked.lastKey() + " — see LogRecovery / LogWriter sync stage");
                for (ChildAck a : acked.values()) {
                    StoredEvent e = s.get(EventLookup.of(a.id())).orElseThrow(() -> new AssertionError(where + ": the store lost"
                            + " acknowledged event gseq " + a.gseq() + " (" + a.id() + ") — an append returned before"
                            + " its frame was durable? see LogWriter.syncStage / LogRecovery.scanFrames"));
                    assertEquals(a.gseq(), e.globalSequence(), where + ": gseq of " + a.id());
                    assertEquals(a.sequence(), e.sequence(), where + ": entity sequence of gseq " + a.gseq());
                    assertEquals(a.entity(), e.entity(), where + ": entity of gseq " + a.gseq());
                    assertArrayEquals(a.payload(), e.payload(), where + ": payload of gseq " + a.gseq());
                    assertArrayEquals(a.hash(), e.hash(), where + ": hash of gseq " + a.gseq());
                }
                List<IndexEntry> all = s.query(Region.all().withLimit(Integer.MAX_VALUE));
                assertEquals(n, all.size(), where + ": query(all) and globalSequence() disagree");
                Map<String, Long> next = new HashMap<>();
                for (int i = 0; i < all.size(); i++) {
                    IndexEntry e = all.get(i);
                    assertEquals(i + 1L, e.globalSequence(), where + ": global sequences have a gap at " + (i + 1));
                    long want = next.getOrDefault(e.coordinate().entity(), 0L);
                    assertEquals(want, e.sequence(), where + ": entity " + e.coordinate().entity() + " has a sequence gap");
                    next.put(e.coordinate().entity(), want + 1);
                }
                for (Map.Entry<String, Long> en : next.entrySet()) {
                    VerifyResult v = s.verify(EntityQuery.of(en.getKey()));
                    assertTrue(v.valid(), where + ": verify(" + en.getKey() + ") fails at " + v.firstInvalidSequence());
                    assertEquals(en.getValue() - 1, s.lastSequence(EntityQuery.of(en.getKey())), where + ": lastSequence(" + en.getKey() + ")");
                }
                AppendReceipt r = s.append(new Coordinate("parent", "s"), SINGLE, payload("parent-" + k, 10));
                assertEquals(n + 1, r.globalSequence(), where + ": the first append after recovery");
                expectedStart = n + 1;
            }
            assertTrue(fresh > 0, round + ": the child acknowledged nothing before it was killed");
        }
        System.out.printf("CrashRecoveryTest SIGKILL: %d kills, %d acknowledged events checked, %d bytes of torn"
                + " tail truncated, 0 lost%n", kills, acked.size(), truncatedTotal);
    }

    private static long logBytes(Path dir) throws IOException {
        long total = 0;
        for (long id : SegmentFiles.list(dir)) {
            total += Files.size(SegmentFiles.path(dir, id));
        }
        return total;
    }

    private static ChildAck parseAck(String line) {
        String[] f = line.split(" ");
        if (f.length != 7 || !f[0].equals("ack") || f[6].length() != 64 || f[5].length() % 2 != 0) {
            return null;
        }
        try {
            return new ChildAck(Long.parseLong(f[1]), UUID.fromString(f[2]), Long.parseLong(f[3]), f[4],
                    Hex.decode(f[5]), Hex.decode(f[6]));
        } catch (IllegalArgumentException cut) {
            return null;
        }
    }

    /** Starts {@link CrashWriterMain}, lets it append for 1-2 s, SIGKILLs it; returns its stdout lines. */
    private static List<String> runChildAndKill(Path dir, String round) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stderr = Files.createTempFile("crash-writer", ".err");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CrashWriterMain.class.getName(), dir.toString())
                .redirectError(stderr.toFile())
                .start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the pipe breaks when the child is killed
            }
        }, "crash-writer-stdout");
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && p.isAlive()) {
                synchronized (lines) {
                    if (lines.size() > 1) {
                        break;
                    }
                }
                Thread.sleep(10);
            }
            Thread.sleep(1000 + ThreadLocalRandom.current().nextInt(1000));
            String err = Files.readString(stderr);
            assertTrue(p.isAlive(), round + ": the child died on its own before the kill; its stderr:\n" + err);
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), round + ": the child did not die");
            reader.join(10_000);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(stderr);
        }
        synchronized (lines) {
            assertFalse(lines.isEmpty(), round + ": the child printed nothing");
            assertTrue(lines.get(0).startsWith("ready "), round + ": the child never became ready: " + lines.get(0));
            return new ArrayList<>(lines);
        }
    }
}
