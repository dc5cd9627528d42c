package io.batpak.engine.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.Region;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.SyncMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Periodic checkpoints are written off the writer thread while appends go on: the file they leave
 * covers a consistent prefix of the log (chain heads, idempotency keys and positions as of one
 * moment), and compaction, which moves positions, never mixes with one in flight.
 */
class BackgroundCheckpointTest {
    private static final EventKind KIND = EventKind.of(0xF, 7);
    private static final int INTERVAL = 500;

    @TempDir
    Path dir;
    @TempDir
    Path spare;

    private static AppendRequest event(int n) {
        AppendOptions o = n % 7 == 0 ? AppendOptions.NONE.withIdempotencyKey("k" + n) : AppendOptions.NONE;
        return new AppendRequest(new Coordinate("e" + n % 40, "s" + n % 3), KIND,
                ("payload " + n).getBytes(StandardCharsets.UTF_8), o);
    }

    private static void appendRange(EventStore s, int from, int to) {
        List<AppendRequest> batch = new ArrayList<>();
        for (int n = from; n < to; n++) {
            batch.add(event(n));
            if (batch.size() == 50) {
                s.appendBatch(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            s.appendBatch(batch);
        }
    }

    @Test
    void aBackgroundCheckpointCoversAConsistentPrefixWhileAppendsGoOn() throws Exception {
        Path ckpt = CheckpointFile.path(dir);
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER)
                .withCheckpointIntervalEvents(INTERVAL))) {
            appendRange(s, 0, 3 * INTERVAL);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.exists(ckpt) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(ckpt), "no periodic checkpoint within 30 s after " + 3 * INTERVAL
                    + " events with an interval of " + INTERVAL + " (see LogWriter.startBackgroundCheckpoint)");
            appendRange(s, 3 * INTERVAL, 4 * INTERVAL + 17);
            s.sync();
            Path copy = spare.resolve("copy");
            TestFiles.copyDataDir(dir, copy); // a crash image: the checkpoint plus the log after it
            try (EventStore c = EventStore.open(StoreConfig.defaults(copy))) {
                assertEquals(4 * INTERVAL + 17, c.globalSequence(), "events after reopening from a background checkpoint");
                for (int e = 0; e < 40; e++) {
                    for (int sc = 0; sc < 3; sc++) {
                        Coordinate at = new Coordinate("e" + e, "s" + sc);
                        if (c.lastSequence(EntityQuery.of(at)) >= 0) {
                            assertTrue(c.verify(EntityQuery.of(at)).valid(), "hash chain of " + at + " after reopening from a background checkpoint");
                        }
                    }
                }
                AppendReceipt replay = c.append(event(7));
                assertTrue(replay.replayed(), "an idempotency key recorded before the checkpoint replays after reopening");
                assertEquals(4 * INTERVAL + 17, c.globalSequence(), "the replayed append stored nothing");
            }
        }
    }

    @Test
    void compactionAndCheckpointsInterleaveWithoutLosingPositions() throws Exception {
        int total = 0;
        for (int round = 0; round < 4; round++) {
            try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER)
                    .withSegmentMaxBytes(4096).withCheckpointIntervalEvents(100))) {
                appendRange(s, total, total + 700);
                total += 700;
                s.compact(1 << 20);
                appendRange(s, total, total + 300);
                total += 300;
            }
        }
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            assertEquals(total, s.globalSequence(), "events after compactions and background checkpoints");
            List<StoredEvent> all = s.read(Region.all().withLimit(total));
            assertEquals(total, all.size(), "every event readable at its (possibly moved) position");
            for (int e = 0; e < 40; e++) {
                for (int sc = 0; sc < 3; sc++) {
                    Coordinate at = new Coordinate("e" + e, "s" + sc);
                    if (s.lastSequence(EntityQuery.of(at)) >= 0) {
                        assertTrue(s.verify(EntityQuery.of(at)).valid(), "hash chain of " + at + " after compactions");
                    }
                }
            }
        }
    }
}
