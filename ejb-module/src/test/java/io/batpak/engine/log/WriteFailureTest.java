package io.batpak.engine.log;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.SyncMode;
import io.batpak.engine.VerifyResult;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The writer survives a failed write (a full disk): the group is rejected as transient
 * {@code unavailable}, the segment is cut back to its last good end, and appends work again once
 * writes do, without a reopen. A failed fsync stops the writer for good. Failures are injected
 * through {@link ActiveSegment#installOpener}.
 */
class WriteFailureTest {
    private static final EventKind KIND = EventKind.of(0x1, 1);
    private static final Logger ENGINE_LOG = Logger.getLogger("io.batpak.engine");
    private final FaultyChannel.Faults faults = new FaultyChannel.Faults();
    private Level previousLevel;

    @TempDir
    Path work;

    @BeforeEach
    void injectFaults() {
        previousLevel = ENGINE_LOG.getLevel();
        ENGINE_LOG.setLevel(Level.SEVERE);
        ActiveSegment.installOpener(work, (file, options) -> new FaultyChannel(java.nio.channels.FileChannel.open(file, options), faults));
    }

    @AfterEach
    void removeFaults() {
        ActiveSegment.removeOpener(work);
        ENGINE_LOG.setLevel(previousLevel);
    }

    private static byte[] payload(String entity, int i) {
        return ("{\"entity\":\"" + entity + "\",\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static void assertUnavailable(Runnable append, String what) {
        StoreException e = assertThrows(StoreException.class, append::run, what + " must fail while writes fail");
        assertEquals(ErrorCode.UNAVAILABLE, e.code(), what + ": a full disk is 'unavailable', got " + e);
        assertTrue(e.isTransient(), what + ": a full disk is transient (HTTP 503 with Retry-After)");
    }

    /** The store holds exactly {@code acked}, in order per entity, with valid chains. */
    private static void assertHoldsExactly(EventStore s, List<AppendReceipt> acked, String where) {
        assertEquals(acked.size(), s.globalSequence(), where + ": events stored (acknowledged ones, nothing else)");
        for (AppendReceipt r : acked) {
            StoredEvent e = s.get(EventLookup.of(r.eventId())).orElseThrow(() -> new AssertionError(where + ": acknowledged " + r + " missing"));
            assertEquals(r.sequence(), e.sequence(), where + ": sequence of " + r.eventId());
            assertArrayEquals(r.hash(), e.hash(), where + ": hash of " + r.eventId());
        }
        for (String entity : acked.stream().map(r -> r.coordinate().entity()).distinct().toList()) {
            VerifyResult v = s.verify(EntityQuery.of(entity));
            assertTrue(v.valid(), where + ": chain of " + entity + " broken: " + v);
        }
    }

    @ParameterizedTest
    @EnumSource(SyncMode.class)
    void aFailedWriteRejectsItsGroupAndTheWriterGoesOn(SyncMode mode) throws IOException {
        StoreConfig config = StoreConfig.defaults(work).withSyncMode(mode);
        List<AppendReceipt> acked = new ArrayList<>();
        try (EventStore s = EventStore.open(config)) {
            for (int i = 0; i < 10; i++) {
                acked.add(s.append(new Coordinate("e-" + i % 3, "s"), KIND, payload("e", i)));
            }
            s.sync();
            long sizeBefore = Files.size(SegmentFiles.path(work, 1));
            faults.failWrites = true;
            assertUnavailable(() -> s.append(new Coordinate("e-0", "s"), KIND, payload("lost", 0)), "a single append");
            assertUnavailable(() -> s.appendBatch(List.of(new AppendRequest(new Coordinate("e-1", "s"), KIND, payload("b", 0)),
                    new AppendRequest(new Coordinate("e-2", "s"), KIND, payload("b", 1)))), "an atomic batch");
            assertTrue(faults.writesFailed >= 2, "the injected fault was not hit: " + faults.writesFailed);
            assertEquals(sizeBefore, Files.size(SegmentFiles.path(work, 1)),
                    mode + ": the half-written group must be cut from the segment — see LogWriter.cutBackFailedGroup");
            assertTrue(s.isWritable(), mode + ": a failed write must not stop the writer: " + s.writerFailure());
            assertHoldsExactly(s, acked, mode + " while writes fail");

            faults.failWrites = false;
            AppendReceipt next = s.append(new Coordinate("e-0", "s"), KIND, payload("after", 0));
            assertEquals(4, next.sequence(), mode + ": the entity's sequence continues without a gap after the rejected writes");
            assertEquals(11, next.globalSequence(), mode + ": the global sequence continues without a gap");
            acked.add(next);
            assertHoldsExactly(s, acked, mode + " after space returned");
        }
        try (EventStore s = EventStore.open(config)) {
            assertHoldsExactly(s, acked, mode + " after reopening");
        }
    }

    @Test
    void aFailedSegmentRotationKeepsTheActiveSegmentAndRetriesLater() throws IOException {
        StoreConfig config = StoreConfig.defaults(work).withSegmentMaxBytes(4096);
        Path second = SegmentFiles.path(work, 2);
        ActiveSegment.Opener real = java.nio.channels.FileChannel::open;
        boolean[] failCreate = {true};
        ActiveSegment.installOpener(work, (file, options) -> {
            if (failCreate[0] && file.equals(second)) {
                throw new IOException("No space left on device");
            }
            return real.open(file, options);
        });
        List<AppendReceipt> acked = new ArrayList<>();
        try (EventStore s = EventStore.open(config)) {
            StoreException refused = null;
            for (int i = 0; i < 200 && refused == null; i++) {
                try {
                    acked.add(s.append(new Coordinate("rot", "s"), KIND, new byte[100]));
                } catch (StoreException e) {
                    refused = e;
                }
            }
            assertTrue(refused != null, "the append that needs segment 2 must fail while segment 2 cannot be created");
            assertEquals(ErrorCode.UNAVAILABLE, refused.code(), "a failed rotation is 'unavailable': " + refused);
            assertFalse(Files.exists(second), "no partial segment 2 may stay behind");
            assertEquals(List.of(1L), SegmentFiles.list(work), "segment 1 stays the active segment");
            assertTrue(s.isWritable(), "a failed rotation must not stop the writer: " + s.writerFailure());

            failCreate[0] = false;
            acked.add(s.append(new Coordinate("rot", "s"), KIND, new byte[100]));
            assertEquals(List.of(1L, 2L), SegmentFiles.list(work), "the next append rotates");
            assertHoldsExactly(s, acked, "after the rotation succeeded");
        }
        try (EventStore s = EventStore.open(config)) {
            assertHoldsExactly(s, acked, "after reopening");
        }
    }

    @Test
    void aFailedFsyncStopsTheWriterForGoodButKeepsWhatWasAcknowledged() throws IOException {
        StoreConfig config = StoreConfig.defaults(work);
        List<AppendReceipt> acked = new ArrayList<>();
        try (EventStore s = EventStore.open(config)) {
            for (int i = 0; i < 5; i++) {
                acked.add(s.append(new Coordinate("f", "s"), KIND, payload("f", i)));
            }
            faults.failForce = true;
            assertUnavailable(() -> s.append(new Coordinate("f", "s"), KIND, payload("f", 5)), "an append whose fsync fails");
            faults.failForce = false;
            assertFalse(s.isWritable(), "after a failed fsync the writer must not pretend later data is durable");
            assertUnavailable(() -> s.append(new Coordinate("f", "s"), KIND, payload("f", 6)), "an append after a failed fsync");
            for (AppendReceipt r : acked) {
                assertTrue(s.get(EventLookup.of(r.eventId())).isPresent(), "acknowledged " + r.eventId() + " must stay readable");
            }
        }
        try (EventStore s = EventStore.open(config)) {
            // The unacknowledged event may or may not have reached the disk; every acknowledged one did.
            for (AppendReceipt r : acked) {
                assertArrayEquals(r.hash(), s.get(EventLookup.of(r.eventId())).orElseThrow().hash(), "after reopening: " + r.eventId());
            }
            assertTrue(s.verify(EntityQuery.of("f")).valid(), "chain of f after reopening");
            assertTrue(s.isWritable(), "reopening clears the failure");
            s.append(new Coordinate("f", "s"), KIND, payload("f", 7));
        }
    }

    @Test
    void aFailedCheckpointWriteLeavesNoTemporaryFileAndAppendsGoOn() throws IOException {
        StoreConfig config = StoreConfig.defaults(work);
        List<AppendReceipt> acked = new ArrayList<>();
        try (EventStore s = EventStore.open(config)) {
            acked.add(s.append(new Coordinate("c", "s"), KIND, payload("c", 0)));
            // A directory where the temporary checkpoint goes makes its write fail like a full disk would.
            Path tmp = work.resolve(CheckpointFile.NAME + ".tmp");
            Files.createDirectory(tmp);
            s.checkpoint();
            assertFalse(Files.exists(tmp), "the failed checkpoint's temporary file must be removed");
            assertTrue(s.isWritable(), "a failed checkpoint must not stop the writer: " + s.writerFailure());
            acked.add(s.append(new Coordinate("c", "s"), KIND, payload("c", 1)));
        }
        try (EventStore s = EventStore.open(config)) {
            assertHoldsExactly(s, acked, "after reopening");
        }
    }
}
