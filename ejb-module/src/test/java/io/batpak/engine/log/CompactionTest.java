package io.batpak.engine.log;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.CompactionResult;
import io.batpak.engine.Coordinate;
import io.batpak.engine.CorruptLogException;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventStore;
import io.batpak.engine.Region;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.VerifyResult;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EventStore.compact: small sealed segments merge into one, events stay readable and verifiable
 * during and after it, across reopen, and every state a crash can leave behind recovers.
 */
class CompactionTest {
    private static final EventKind KIND = EventKind.of(0xF, 4);
    private static final int ENTITIES = 7;
    private static final long SMALL = 4096;
    private static final long LARGE = 1 << 20;

    @TempDir
    Path dir;
    private final List<EventStore> open = new ArrayList<>();
    private final List<UUID> ids = new ArrayList<>();

    private EventStore open(long segmentBytes) {
        EventStore s = EventStore.open(StoreConfig.defaults(dir).withSegmentMaxBytes(segmentBytes));
        open.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        open.forEach(EventStore::close);
    }

    private static byte[] payload(int n) {
        return ("event-" + n + "-" + "p".repeat(n % 90)).getBytes(StandardCharsets.UTF_8);
    }

    /** Appends {@code count} events (some in batches) to a store writing 4 KiB segments, then reopens with 1 MiB ones. */
    private EventStore storeWithSmallSealedSegments(int count) {
        EventStore s = open(SMALL);
        int n = ids.size();
        while (n < count) {
            if (n % 10 == 3) {
                List<AppendReceipt> rs = s.appendBatch(List.of(
                        new AppendRequest(new Coordinate("e" + n % ENTITIES, "s"), KIND, payload(n)),
                        new AppendRequest(new Coordinate("e" + (n + 1) % ENTITIES, "s"), KIND, payload(n + 1))));
                rs.forEach(r -> ids.add(r.eventId()));
                n += 2;
            } else {
                ids.add(s.append(new Coordinate("e" + n % ENTITIES, "s"), KIND, payload(n)).eventId());
                n++;
            }
        }
        s.close();
        return open(LARGE);
    }

    private void assertAllEventsIntact(EventStore s, String when) {
        assertEquals(ids.size(), s.globalSequence(), when + ": event count");
        for (int i = 0; i < ids.size(); i++) {
            StoredEvent e = s.get(EventLookup.of(ids.get(i))).orElseThrow(() -> new AssertionError(when + ": an event is gone"));
            assertEquals(i + 1L, e.globalSequence(), when + ": event " + ids.get(i) + " moved in the global order");
            assertArrayEquals(payload(i), e.payload(), when + ": payload of event " + (i + 1) + " changed");
        }
        for (int k = 0; k < ENTITIES; k++) {
            VerifyResult v = s.verify(EntityQuery.of("e" + k));
            assertTrue(v.valid(), when + ": chain of e" + k + " broken at " + v.firstInvalidSequence());
        }
        assertEquals(ids.size(), s.read(Region.all().withLimit(Integer.MAX_VALUE)).size(), when + ": full read");
    }

    @Test
    void smallSealedSegmentsMergeAndEventsStayReadableAcrossReopen() throws Exception {
        EventStore s = storeWithSmallSealedSegments(600);
        List<Long> before = SegmentFiles.list(dir);
        assertTrue(before.size() >= 6, "fixture: several small segments, got " + before);
        long active = before.get(before.size() - 1);
        byte[] activeBytes = Files.readAllBytes(SegmentFiles.path(dir, active));

        CompactionResult r = s.compact();
        List<Long> after = SegmentFiles.list(dir);
        assertEquals(1, r.runsMerged(), "all sealed 4 KiB segments fit one 1 MiB segment");
        assertEquals(before.size() - 2, r.segmentsRemoved());
        assertEquals(List.of(before.get(0), active), after, "the merged segment keeps the first id; the active one stays");
        assertArrayEquals(activeBytes, Files.readAllBytes(SegmentFiles.path(dir, active)),
                "compaction never touches the active segment");
        assertEquals((long) r.segmentsRemoved() * SegmentHeader.SIZE, r.bytesReclaimed());
        assertTrue(Files.exists(CheckpointFile.path(dir)), "a new checkpoint is written after the switch");
        assertAllEventsIntact(s, "after compaction");

        for (int n = ids.size(); n < 650; n++) {
            ids.add(s.append(new Coordinate("e" + n % ENTITIES, "s"), KIND, payload(n)).eventId());
        }
        assertAllEventsIntact(s, "after appending more");
        assertEquals(CompactionResult.NOTHING, s.compact(), "nothing small and sealed is left to merge");
        s.close();
        EventStore reopened = open(LARGE);
        assertAllEventsIntact(reopened, "after reopen with the checkpoint");
        reopened.close();
        Files.delete(CheckpointFile.path(dir));
        assertAllEventsIntact(open(LARGE), "after reopen scanning every segment (id gap)");
    }

    @Test
    void readersAndWritersRunDuringCompaction() throws Exception {
        EventStore s = storeWithSmallSealedSegments(1500);
        List<UUID> known = List.copyOf(ids);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            fs.add(pool.submit(() -> {
                while (!stop.get()) {
                    int i = ThreadLocalRandom.current().nextInt(known.size());
                    StoredEvent e = s.get(EventLookup.of(known.get(i))).orElseThrow();
                    assertArrayEquals(payload(i), e.payload(), "a reader saw wrong data for event " + (i + 1));
                    reads.incrementAndGet();
                }
                return null;
            }));
        }
        List<UUID> appended = new ArrayList<>();
        fs.add(pool.submit(() -> {
            for (int n = 0; !stop.get() || n < 50; n++) {
                appended.add(s.append(new Coordinate("writer", "s"), KIND, new byte[] {(byte) n}).eventId());
            }
            return null;
        }));
        while (reads.get() < 1000) {
            Thread.onSpinWait();
        }
        CompactionResult r = s.compact();
        long readsAtEnd = reads.get() + 1000;
        while (reads.get() < readsAtEnd) {
            Thread.onSpinWait();
        }
        stop.set(true);
        for (Future<?> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(r.segmentsRemoved() > 0, "fixture: compaction merged something");
        for (int i = 0; i < known.size(); i++) {
            assertArrayEquals(payload(i), s.get(EventLookup.of(known.get(i))).orElseThrow().payload());
        }
        assertEquals(appended.size(), s.readEntity(EntityQuery.of("writer").withLimit(Integer.MAX_VALUE)).size(),
                "appends made during compaction are all readable");
        assertTrue(s.verify(EntityQuery.of("writer")).valid());
    }

    @Test
    void aCrashBeforeTheSwitchLeavesOnlyATemporaryFileThatRecoveryRemoves() throws Exception {
        EventStore s = storeWithSmallSealedSegments(400);
        long active = SegmentFiles.list(dir).get(SegmentFiles.list(dir).size() - 1);
        s.close();
        // The state after Compactor.build and before the writer's switch: a complete merged file under its temp name.
        List<Compactor.Run> runs = Compactor.plan(dir, active, LARGE / 2, LARGE);
        assertEquals(1, runs.size(), "fixture: one run to merge");
        Compactor.build(dir, runs.get(0));
        Path tmp = Compactor.tempPath(dir, runs.get(0).ids().get(0));
        assertTrue(Files.size(tmp) > SegmentHeader.SIZE, "fixture: the merged file was written");
        List<Long> segments = SegmentFiles.list(dir);
        Files.deleteIfExists(CheckpointFile.path(dir));

        EventStore reopened = open(LARGE);
        assertFalse(Files.exists(tmp), "recovery removes the unfinished compaction's file");
        assertEquals(segments, SegmentFiles.list(dir), "the original segments are untouched");
        assertAllEventsIntact(reopened, "after a crash before the switch");
    }

    @Test
    void aCrashAfterTheRenameLeavesCopiesThatRecoveryRecognisesAndDeletes() throws Exception {
        EventStore s = storeWithSmallSealedSegments(400);
        Map<Long, byte[]> original = TestFiles.snapshotSegments(dir);
        s.compact();
        s.close();
        // The state after the rename and before the deletes: merged first segment plus the old later ones, no checkpoint.
        List<Long> merged = SegmentFiles.list(dir);
        List<Long> leftovers = new ArrayList<>();
        for (Map.Entry<Long, byte[]> e : original.entrySet()) {
            if (!merged.contains(e.getKey())) {
                Files.write(SegmentFiles.path(dir, e.getKey()), e.getValue());
                leftovers.add(e.getKey());
            }
        }
        Files.delete(CheckpointFile.path(dir));
        assertTrue(leftovers.size() >= 2, "fixture: several leftovers");

        EventStore reopened = open(LARGE);
        assertEquals(merged, SegmentFiles.list(dir), "recovery deletes the segments the merged one already holds");
        assertAllEventsIntact(reopened, "after a crash between rename and delete");
        reopened.close();
        assertAllEventsIntact(open(LARGE), "after a second reopen");
    }

    @Test
    void aLeftoverThatDiffersFromTheMergedCopyIsCorruption() throws Exception {
        EventStore s = storeWithSmallSealedSegments(400);
        Map<Long, byte[]> original = TestFiles.snapshotSegments(dir);
        s.compact();
        s.close();
        List<Long> merged = SegmentFiles.list(dir);
        long leftover = original.keySet().stream().filter(id -> !merged.contains(id)).findFirst().orElseThrow();
        Path file = SegmentFiles.path(dir, leftover);
        Files.write(file, original.get(leftover));
        List<TestFiles.Frame> frames = TestFiles.frames(file);
        TestFiles.xor(file, frames.get(frames.size() - 1).bodyStart() + 3, 0x40);
        Files.delete(CheckpointFile.path(dir));
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> open(LARGE));
        assertTrue(e.getMessage().contains(file.getFileName().toString()), "the error names the file: " + e.getMessage());
    }

    @Test
    void aMissingSegmentIsStillDetectedThoughIdsMayHaveGaps() throws Exception {
        EventStore s = open(SMALL);
        for (int n = 0; n < 300; n++) {
            ids.add(s.append(new Coordinate("e" + n % ENTITIES, "s"), KIND, payload(n)).eventId());
        }
        s.close();
        List<Long> segments = SegmentFiles.list(dir);
        assertTrue(segments.size() >= 4, "fixture: several segments");
        Files.delete(SegmentFiles.path(dir, segments.get(1)));
        Files.delete(CheckpointFile.path(dir));
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> open(SMALL));
        assertTrue(e.getMessage().contains("missing"), "the error says a segment is missing: " + e.getMessage());
    }

    @Test
    void aReaderDropsCachedChannelsOfFilesCompactionReplaced() throws Exception {
        EventStore s = storeWithSmallSealedSegments(400);
        s.close();
        List<Long> segments = SegmentFiles.list(dir);
        long a = segments.get(0);
        long b = segments.get(1);
        long firstOfB = TestFiles.frames(SegmentFiles.path(dir, b)).get(0).start();
        try (SegmentReader reader = new SegmentReader(dir, 8)) {
            LogRecord before = reader.read(a, SegmentHeader.SIZE, true);
            // Replace segment a by a merge of a and b, as the switch does, and move b's first event.
            List<Compactor.Run> runs = Compactor.plan(dir, segments.get(2), LARGE / 2, LARGE);
            Compactor.Run run = new Compactor.Run(List.of(a, b), new long[] {
                    Files.size(SegmentFiles.path(dir, a)), Files.size(SegmentFiles.path(dir, b))});
            assertFalse(runs.isEmpty(), "fixture: a and b are small");
            Compactor.build(dir, run);
            long moved = run.base(1) + firstOfB - SegmentHeader.SIZE;
            Files.move(Compactor.tempPath(dir, a), SegmentFiles.path(dir, a),
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThrows(StoreException.class, () -> reader.read(a, moved, true),
                    "fixture: the cached channel still reads the replaced (shorter) file");
            reader.beginRelocation(List.of(a, b));
            reader.endRelocation();
            LogRecord after = reader.read(a, moved, true);
            LogRecord original = reader.read(b, firstOfB, true);
            assertEquals(original.idHi, after.idHi, "after invalidation the reader sees the merged file");
            assertEquals(original.idLo, after.idLo);
            assertEquals(before.idLo, reader.read(a, SegmentHeader.SIZE, true).idLo,
                    "events of the first segment keep their offsets in the merged file");
        }
    }

    @Test
    void onlySealedSegmentsSmallerThanTheThresholdAreMerged() {
        EventStore s = open(SMALL);
        assertEquals(CompactionResult.NOTHING, s.compact(), "a store with only its active segment has nothing to merge");
        for (int n = 0; n < 200; n++) {
            ids.add(s.append(new Coordinate("e" + n % ENTITIES, "s"), KIND, payload(n)).eventId());
        }
        assertEquals(CompactionResult.NOTHING, s.compact(),
                "segments sealed near the 4 KiB limit are not below half of it");
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class, () -> s.compact(SegmentHeader.SIZE)).code());
        assertAllEventsIntact(s, "after compactions that did nothing");
    }
}
