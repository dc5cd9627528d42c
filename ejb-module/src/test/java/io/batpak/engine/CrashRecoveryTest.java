package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cuts and corrupts real segment files, then reopens. The rules under test (docs/FORMAT.md,
 * "Recovery rules"): a torn tail of the last segment is truncated, an incomplete atomic batch is
 * dropped whole, and any damage to acknowledged data fails the open naming file and offset.
 */
class CrashRecoveryTest {
    private static final EventKind KIND = EventKind.of(0xF, 1);
    private static final Logger RECOVERY_LOG = Logger.getLogger(LogRecovery.class.getName());
    private static Level previousLevel;

    @TempDir
    Path work;

    @BeforeAll
    static void quietRecoveryWarnings() {
        // Hundreds of expected "torn tail" warnings would drown the build log.
        previousLevel = RECOVERY_LOG.getLevel();
        RECOVERY_LOG.setLevel(Level.SEVERE);
    }

    @AfterAll
    static void restoreLogging() {
        RECOVERY_LOG.setLevel(previousLevel);
    }

    /** What a test wrote: receipts in order and the payload of each. */
    private record Written(List<AppendReceipt> receipts, List<byte[]> payloads, List<Integer> batchOf) {
    }

    private static Written fill(Path dir, StoreConfig config, int singles) {
        List<AppendReceipt> receipts = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        List<Integer> batchOf = new ArrayList<>();
        try (EventStore s = EventStore.open(config)) {
            for (int i = 0; i < singles; i++) {
                byte[] p = ("single-" + i).getBytes(StandardCharsets.UTF_8);
                receipts.add(s.append(new Coordinate("e" + i % 4, "s"), KIND, p));
                payloads.add(p);
                batchOf.add(-1);
            }
            List<AppendRequest> batch = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] p = ("batch-" + i).getBytes(StandardCharsets.UTF_8);
                batch.add(new AppendRequest(new Coordinate("e" + i, "s"), KIND, p));
                payloads.add(p);
                batchOf.add(1);
            }
            receipts.addAll(s.appendBatch(batch));
        }
        return new Written(receipts, payloads, batchOf);
    }

    /** Byte offsets where each frame of the segment starts, read back from the file. */
    private static List<Long> frameStarts(Path segment) throws IOException {
        byte[] all = Files.readAllBytes(segment);
        List<Long> starts = new ArrayList<>();
        int pos = SegmentHeader.SIZE;
        while (pos < all.length) {
            starts.add((long) pos);
            pos += FrameCodec.HEADER_BYTES + FrameCodec.readInt(all, pos);
        }
        return starts;
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static void flip(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0xFF)).rewind();
            ch.write(b, offset);
        }
    }

    private Path copyOf(Path source, String name) throws IOException {
        Path copy = work.resolve(name);
        EventStoreTest.copyTree(source, copy);
        Files.deleteIfExists(copy.resolve("LOCK"));
        Files.deleteIfExists(CheckpointFile.path(copy));
        return copy;
    }

    @Test
    void cuttingTheLastFramesAtEveryByteKeepsExactlyTheCompleteOnes() throws IOException {
        Path source = work.resolve("source");
        Written w = fill(source, StoreConfig.defaults(source), 6);
        Path segment = SegmentFiles.path(source, 1);
        List<Long> starts = frameStarts(segment);
        long end = Files.size(segment);
        int total = w.receipts().size();
        // The last 3 frames are the atomic batch; cover the last single event too.
        long from = starts.get(starts.size() - 4);
        for (long cut = from; cut <= end; cut++) {
            Path dir = copyOf(source, "cut-" + cut);
            truncate(SegmentFiles.path(dir, 1), cut);
            int complete = 0;
            while (complete < starts.size() && (complete + 1 < starts.size() ? starts.get(complete + 1) : end) <= cut) {
                complete++;
            }
            // An atomic batch survives only if all of its frames do.
            int expected = complete >= total ? total : Math.min(complete, total - 3);
            try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
                String where = "after cutting segment 000001.fbat at byte " + cut + " (frames start at " + starts
                        + ") — see LogRecovery.scanFrames";
                assertEquals(expected, s.globalSequence(), where + ": wrong number of surviving events");
                for (int i = 0; i < total; i++) {
                    AppendReceipt r = w.receipts().get(i);
                    var got = s.get(r.eventId());
                    if (i < expected) {
                        StoredEvent e = got.orElseThrow(() -> new AssertionError(where + ": lost event gseq " + r.globalSequence()));
                        assertArrayEquals(w.payloads().get(i), e.payload(), where + ": payload of gseq " + r.globalSequence());
                        assertArrayEquals(r.hash(), e.hash(), where + ": hash of gseq " + r.globalSequence());
                        assertEquals(r.sequence(), e.sequence(), where);
                    } else {
                        assertTrue(got.isEmpty(), where + ": event gseq " + r.globalSequence() + " should be gone");
                    }
                }
                for (int e = 0; e < 4; e++) {
                    assertTrue(s.verify("e" + e).valid(), where + ": chain of e" + e);
                }
                AppendReceipt next = s.append(new Coordinate("e0", "s"), KIND, new byte[] {1});
                assertEquals(expected + 1L, next.globalSequence(), where + ": next append must continue the sequence");
            }
            deleteTree(dir);
        }
    }

    @Test
    void anyFlippedByteInASealedSegmentFailsTheOpenNamingFileAndOffset() throws IOException {
        Path source = work.resolve("source");
        fill(source, StoreConfig.defaults(source).withSegmentMaxBytes(4096), 40);
        List<Long> segments = SegmentFiles.list(source);
        assertTrue(segments.size() >= 3, "need several segments, got " + segments);
        Path sealed = SegmentFiles.path(source, segments.get(0));
        long size = Files.size(sealed);
        int tried = 0;
        for (long off = 0; off < size; off += off < 64 ? 1 : 7) {
            Path dir = copyOf(source, "flip-" + off);
            flip(SegmentFiles.path(dir, segments.get(0)), off);
            try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
                fail("flipping byte " + off + " of sealed segment " + sealed.getFileName()
                        + " went unnoticed; the store opened with " + s.globalSequence() + " events (see LogRecovery)");
            } catch (CorruptLogException e) {
                assertTrue(e.getMessage().contains(sealed.getFileName().toString()), "error must name the file: " + e.getMessage());
                assertTrue(e.offset() >= 0 && e.offset() <= off, "error offset " + e.offset() + " must be at or before the flip at " + off);
            }
            deleteTree(dir);
            tried++;
        }
        assertTrue(tried > 100, "too few offsets tried: " + tried);
    }

    @Test
    void damageInTheLastSegmentFollowedByValidFramesIsNotATornTail() throws IOException {
        Path source = work.resolve("source");
        fill(source, StoreConfig.defaults(source), 10);
        List<Long> starts = frameStarts(SegmentFiles.path(source, 1));
        long victim = starts.get(3) + FrameCodec.HEADER_BYTES + 5;
        Path dir = copyOf(source, "mid");
        flip(SegmentFiles.path(dir, 1), victim);
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            fail("a damaged frame with valid frames after it was treated as a torn tail: " + s.globalSequence() + " events");
        } catch (CorruptLogException e) {
            assertEquals(starts.get(3), e.offset(), "the error names the damaged frame's offset: " + e.getMessage());
        }
    }

    @Test
    void aDamagedCheckpointIsDiscardedAndTheIndexRebuilt() throws IOException {
        Path source = work.resolve("source");
        Written w = fill(source, StoreConfig.defaults(source), 30);
        long ckptSize = Files.size(CheckpointFile.path(source));
        List<String> damages = List.of("flip-start", "flip-middle", "flip-end", "truncate", "garbage", "empty");
        for (String damage : damages) {
            Path dir = work.resolve("ckpt-" + damage);
            EventStoreTest.copyTree(source, dir);
            Files.deleteIfExists(dir.resolve("LOCK"));
            Path ckpt = CheckpointFile.path(dir);
            switch (damage) {
                case "flip-start" -> flip(ckpt, 2);
                case "flip-middle" -> flip(ckpt, ckptSize / 2);
                case "flip-end" -> flip(ckpt, ckptSize - 1);
                case "truncate" -> truncate(ckpt, ckptSize / 3);
                case "garbage" -> Files.write(ckpt, "not a checkpoint".getBytes(StandardCharsets.UTF_8));
                default -> Files.write(ckpt, new byte[0]);
            }
            try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
                assertEquals(w.receipts().size(), s.globalSequence(), damage + ": index must be rebuilt from the segments");
                for (AppendReceipt r : w.receipts()) {
                    assertArrayEquals(r.hash(), s.get(r.eventId()).orElseThrow().hash(), damage + ": event " + r.globalSequence());
                }
            }
        }
    }

    @Test
    void aTornSegmentHeaderAfterRotationIsRecovered() throws IOException {
        Path source = work.resolve("source");
        Written w = fill(source, StoreConfig.defaults(source), 5);
        // A crash right after creating segment 2, before its header was complete.
        Files.write(SegmentFiles.path(source, 2), new byte[] {'F', 'B'});
        Files.deleteIfExists(CheckpointFile.path(source));
        try (EventStore s = EventStore.open(StoreConfig.defaults(source))) {
            assertEquals(w.receipts().size(), s.globalSequence());
            assertEquals(w.receipts().size() + 1L, s.append(new Coordinate("x", "s"), KIND, new byte[0]).globalSequence());
        }
        try (EventStore s = EventStore.open(StoreConfig.defaults(source))) {
            assertEquals(w.receipts().size() + 1L, s.globalSequence(), "the event written into the repaired segment survives");
        }
    }

    @Test
    void aMissingMiddleSegmentFailsTheOpen() throws IOException {
        Path source = work.resolve("source");
        fill(source, StoreConfig.defaults(source).withSegmentMaxBytes(4096), 40);
        Files.delete(SegmentFiles.path(source, 2));
        Files.deleteIfExists(CheckpointFile.path(source));
        try (EventStore s = EventStore.open(StoreConfig.defaults(source))) {
            fail("opened with a segment missing: " + s.globalSequence());
        } catch (CorruptLogException e) {
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
        }
    }

    @Test
    void readsCheckTheCrcOfEveryFrame() throws IOException {
        Path dir = work.resolve("reads");
        UUID victim;
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            s.append(new Coordinate("a", "s"), KIND, "first".getBytes(StandardCharsets.UTF_8));
            victim = s.append(new Coordinate("a", "s"), KIND, "second".getBytes(StandardCharsets.UTF_8)).eventId();
            s.append(new Coordinate("a", "s"), KIND, "third".getBytes(StandardCharsets.UTF_8));
            List<Long> starts = frameStarts(SegmentFiles.path(dir, 1));
            // Damage acknowledged data behind the running store's back (a bad disk block).
            flip(SegmentFiles.path(dir, 1), starts.get(1) + 20);
            try {
                s.get(victim);
                fail("a read returned a frame whose checksum no longer matches");
            } catch (CorruptLogException e) {
                assertEquals(starts.get(1), e.offset());
            }
            VerifyResult v = s.verify("a");
            assertEquals(false, v.valid());
            assertEquals(1, v.firstInvalidSequence(), "verify reports the first bad sequence");
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
