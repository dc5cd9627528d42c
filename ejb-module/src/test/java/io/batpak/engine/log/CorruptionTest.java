package io.batpak.engine.log;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.Coordinate;
import io.batpak.engine.CorruptLogException;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventStore;
import io.batpak.engine.QuarantineReport;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.VerifyResult;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage the writer never makes: a sealed segment cut short, a frame altered with a matching CRC,
 * and the operator's way out, {@link Quarantine}. Complements {@link CrashRecoveryTest}, which
 * flips every byte of sealed segments and damages the checkpoint.
 */
@ExtendWith(QuietEngineLog.class)
class CorruptionTest {
    private static final EventKind KIND = EventKind.of(0x1, 2);

    @TempDir
    Path work;

    private static byte[] payload(int i) {
        return ("{\"marker\":\"MARK-" + (1000 + i) + "\",\"pad\":\"" + "x".repeat(120) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Appends {@code n} events over 4 entities into 4 KiB segments, closes, and drops the checkpoint. */
    private static List<AppendReceipt> fill(Path dir, int n) {
        List<AppendReceipt> acked = new ArrayList<>();
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSegmentMaxBytes(4096))) {
            for (int i = 0; i < n; i++) {
                acked.add(s.append(new Coordinate("ent-" + i % 4, "sc"), KIND, payload(i)));
            }
        }
        try {
            Files.deleteIfExists(CheckpointFile.path(dir));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return acked;
    }

    /** The frame holding global sequence {@code gseq}, with its segment. */
    private record Located(long segment, TestFiles.Frame frame) {
    }

    private static Located locate(Path dir, long gseq) throws IOException {
        for (long id : SegmentFiles.list(dir)) {
            Path file = SegmentFiles.path(dir, id);
            for (TestFiles.Frame f : TestFiles.frames(file)) {
                if (TestFiles.decode(file, f).globalSequence == gseq) {
                    return new Located(id, f);
                }
            }
        }
        throw new AssertionError("no frame with global sequence " + gseq);
    }

    @Test
    void aSealedSegmentCutShortFailsTheOpenNamingFileAndOffset() throws IOException {
        Path dir = work.resolve("cut");
        List<AppendReceipt> acked = fill(dir, 80);
        List<Long> ids = SegmentFiles.list(dir);
        assertTrue(ids.size() >= 3, "fixture needs sealed segments, has " + ids);
        Map<Long, byte[]> original = TestFiles.snapshotSegments(dir);
        long victim = ids.get(1);
        Path file = SegmentFiles.path(dir, victim);
        List<TestFiles.Frame> frames = TestFiles.frames(file);
        int tried = 0;
        for (long len = 0; len < original.get(victim).length; len += 7) {
            long cutAt = len;
            TestFiles.truncate(file, len);
            long expected = len < SegmentHeader.SIZE ? 0
                    : frames.stream().filter(f -> f.start() <= cutAt && cutAt < f.end()).findFirst()
                    .map(TestFiles.Frame::start).orElse(-1L);
            String where = "after cutting sealed segment " + file.getFileName() + " to " + len + " bytes";
            if (expected < 0) {
                // Cut exactly between frames: only the global-sequence jump into the next segment shows it.
                CorruptLogException e = assertThrows(CorruptLogException.class, () -> EventStore.open(StoreConfig.defaults(dir)).close(),
                        where + ": the store must not open with a hole in the log");
                assertEquals(SegmentFiles.path(dir, ids.get(2)), e.file(), where + ": the jump is reported at the next"
                        + " segment: " + e.getMessage());
            } else {
                try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
                    fail(where + ": the store opened with " + s.globalSequence() + " of " + acked.size() + " events");
                } catch (CorruptLogException e) {
                    assertEquals(file, e.file(), where + ": wrong file named: " + e.getMessage());
                    assertEquals(expected, e.offset(), where + ": the error must point at the cut structure: " + e.getMessage());
                    assertTrue(e.getMessage().contains(file.getFileName().toString()) && e.getMessage().contains("offset " + expected),
                            where + ": the message names file and offset: " + e.getMessage());
                }
            }
            assertEquals(len, Files.size(file), where + ": a failed open must not change a sealed segment");
            TestFiles.restore(dir, original, null);
            tried++;
        }
        assertTrue(tried > 100, "too few cuts tried: " + tried);
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            assertEquals(acked.size(), s.globalSequence(), "after restoring the segment every event is back");
        }
    }

    @Test
    void verifyReportsTheFirstAlteredSequenceWhenTheCrcWasFixedUp() throws IOException {
        Path dir = work.resolve("altered");
        List<AppendReceipt> acked = fill(dir, 40);
        AppendReceipt target = acked.get(21); // ent-1, sequence 5
        assertEquals(5, target.sequence(), "fixture: the victim's sequence");
        Located at = locate(dir, target.globalSequence());
        Path file = SegmentFiles.path(dir, at.segment());
        byte[] marker = "MARK-1021".getBytes(StandardCharsets.UTF_8);
        FrameSurgery.rewrite(file, at.frame(), body -> body[FrameSurgery.indexOf(body, marker) + 5] = '9');
        for (boolean withCheckpoint : new boolean[] {false, true}) {
            String where = (withCheckpoint ? "with" : "without") + " a checkpoint, after altering the payload of "
                    + target.coordinate().entity() + "#" + target.sequence() + " and fixing its CRC";
            try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
                VerifyResult v = s.verify(EntityQuery.of(target.coordinate().entity()));
                assertFalse(v.valid(), where + ": verify must see the altered event — see EventStore.verify");
                assertEquals(target.sequence(), v.firstInvalidSequence(), where + ": verify names the first bad sequence");
                for (String other : List.of("ent-0", "ent-2", "ent-3")) {
                    assertTrue(s.verify(EntityQuery.of(other)).valid(), where + ": untouched " + other + " must verify");
                }
                StoredEvent before = s.get(EventLookup.of(acked.get(17).eventId())).orElseThrow();
                assertArrayEquals(payload(17), before.payload(), where + ": the event before the damage reads unchanged");
                s.checkpoint();
            }
        }
    }

    @Test
    void quarantineSetsTheDamageAsideAndTheStoreOpensWithTheUndamagedPrefix() throws IOException {
        Path dir = work.resolve("quarantine");
        List<AppendReceipt> acked = fill(dir, 80);
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            s.checkpoint(); // a checkpoint covering the damage must be set aside too
        }
        List<Long> ids = SegmentFiles.list(dir);
        assertTrue(ids.size() >= 4, "fixture needs several segments, has " + ids);
        AppendReceipt victim = acked.get(30);
        Located at = locate(dir, victim.globalSequence());
        assertTrue(at.segment() < ids.get(ids.size() - 1), "fixture: the victim sits in a sealed segment");
        Path file = SegmentFiles.path(dir, at.segment());
        long sizeBefore = Files.size(file);
        TestFiles.xor(file, at.frame().bodyStart() + 10, 0xFF);
        Files.delete(CheckpointFile.path(dir));
        assertThrows(CorruptLogException.class, () -> EventStore.open(StoreConfig.defaults(dir)).close(),
                "fixture: the damaged log must refuse to open");

        QuarantineReport dry = Quarantine.run(dir, true);
        assertTrue(dry.damaged() && dry.dryRun(), "the dry run reports the damage: " + dry.describe());
        assertEquals(victim.globalSequence() - 1, dry.keptEvents(), "dry run: events before the damaged frame would stay");
        assertEquals(sizeBefore, Files.size(file), "a dry run changes nothing");
        assertFalse(Files.exists(dir.resolve(Quarantine.DIR)), "a dry run creates no quarantine");

        QuarantineReport report = Quarantine.run(dir, false);
        assertTrue(report.damaged(), "the report names the damage: " + report.describe());
        assertTrue(report.damage().contains(file.getFileName().toString()), "damage names the file: " + report.damage());
        assertEquals(victim.globalSequence() - 1, report.keptEvents(), "events 1..(damaged - 1) are kept: " + report.describe());
        long later = acked.size() - victim.globalSequence();
        assertTrue(report.lostReadableEvents() >= later, "the report counts the readable events set aside ("
                + later + " after the damaged one): " + report.describe());
        assertEquals(1, report.lostDamagedRegions(), "one damaged frame: " + report.describe());
        Path q = dir.resolve(Quarantine.DIR);
        assertEquals(sizeBefore, Files.size(q.resolve(file.getFileName())), "the damaged segment is copied whole into"
                + " the quarantine");
        assertTrue(Files.size(file) <= at.frame().start(), "the damaged segment is cut at the damaged frame");
        for (long id : ids) {
            if (id > at.segment()) {
                assertTrue(Files.exists(q.resolve(SegmentFiles.path(dir, id).getFileName())), "later segment " + id
                        + " is moved to the quarantine");
                assertFalse(Files.exists(SegmentFiles.path(dir, id)), "later segment " + id + " left the log");
            }
        }

        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            assertEquals(report.keptEvents(), s.globalSequence(), "the store opens with exactly the kept prefix");
            for (AppendReceipt r : acked) {
                if (r.globalSequence() < victim.globalSequence()) {
                    assertArrayEquals(r.hash(), s.get(EventLookup.of(r.eventId())).orElseThrow().hash(), "kept event " + r.globalSequence());
                } else {
                    assertTrue(s.get(EventLookup.of(r.eventId())).isEmpty(), "quarantined event " + r.globalSequence() + " is not served");
                }
            }
            for (int e = 0; e < 4; e++) {
                assertTrue(s.verify(EntityQuery.of("ent-" + e)).valid(), "chain of ent-" + e + " after the quarantine");
            }
            AppendReceipt next = s.append(new Coordinate("ent-0", "sc"), KIND, payload(999));
            assertEquals(report.keptEvents() + 1, next.globalSequence(), "appends continue after the kept prefix");
        }
        QuarantineReport again = Quarantine.run(dir, false);
        assertFalse(again.damaged(), "a second run finds nothing to do: " + again.describe());
    }

    @Test
    void quarantineRefusesAnOpenStore() {
        Path dir = work.resolve("open");
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            s.append(new Coordinate("a", "b"), KIND, payload(0));
            StoreException e = assertThrows(StoreException.class, () -> Quarantine.run(dir, false),
                    "the tool must not touch the files of a running store");
            assertEquals(ErrorCode.UNAVAILABLE, e.code(), "refusal code: " + e);
        }
    }
}
