package io.batpak.engine.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Coordinate;
import io.batpak.engine.CorruptLogException;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hole followed by valid frames in the last segment: what a power loss leaves when unforced
 * pages reached the disk out of order. With fsync interval or never that is the documented loss
 * window, so the store opens cut at the hole and keeps the cut bytes in quarantine/; with fsync
 * every commit it is damage to acknowledged data and the open still fails naming file and offset.
 */
class ReorderedTailTest {
    private static final EventKind KIND = EventKind.of(0xF, 9);

    @TempDir
    Path dir;

    /** Five events, then the third frame's bytes zeroed as a page never written back would be. */
    private byte[] storeWithAHoleAtTheThirdFrame(SyncMode mode) throws Exception {
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(mode))) {
            for (int i = 0; i < 5; i++) {
                s.append(new Coordinate("e", "s"), KIND, ("event " + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        Files.delete(CheckpointFile.path(dir)); // the checkpoint would cover the damage: scan it
        Path file = SegmentFiles.path(dir, 1);
        List<TestFiles.Frame> frames = TestFiles.frames(file);
        byte[] all = Files.readAllBytes(file);
        TestFiles.Frame third = frames.get(2);
        Arrays.fill(all, (int) third.start(), (int) third.end(), (byte) 0);
        Files.write(file, all);
        return Arrays.copyOfRange(all, (int) third.start(), all.length);
    }

    @Test
    void withIntervalOrNeverTheStoreOpensCutAtTheHoleAndKeepsTheRestInQuarantine() throws Exception {
        byte[] cutAway = storeWithAHoleAtTheThirdFrame(SyncMode.NEVER);
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            assertEquals(2, s.globalSequence(), "the events before the hole stay, the ones after it are in the loss window"
                    + " (see LogRecovery.tolerateReorderedTail)");
            assertEquals(3, s.append(new Coordinate("e", "s"), KIND, new byte[] {1}).globalSequence(),
                    "appends continue after the cut");
        }
        Path quarantine = dir.resolve(Quarantine.DIR);
        List<Path> kept;
        try (var files = Files.list(quarantine)) {
            kept = files.toList();
        }
        assertEquals(1, kept.size(), "one copy of the cut bytes in " + quarantine + ": " + kept);
        assertTrue(kept.get(0).getFileName().toString().endsWith(".unforced-tail"), kept.toString());
        assertArrayEquals(cutAway, Files.readAllBytes(kept.get(0)), "the quarantined copy holds every byte from the cut on");
    }

    @Test
    void withEveryCommitTheSameHoleIsDamageAndTheOpenFails() throws Exception {
        storeWithAHoleAtTheThirdFrame(SyncMode.EVERY_COMMIT);
        long size = Files.size(SegmentFiles.path(dir, 1));
        CorruptLogException e = assertThrows(CorruptLogException.class,
                () -> EventStore.open(StoreConfig.defaults(dir)).close());
        assertTrue(e.getMessage().contains("000001"), "the error names the segment: " + e.getMessage());
        assertEquals(size, Files.size(SegmentFiles.path(dir, 1)), "a refused open changes nothing");
    }
}
