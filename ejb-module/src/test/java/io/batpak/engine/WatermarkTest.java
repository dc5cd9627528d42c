package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's accepted, durable and visible positions and the waits on them: in EVERY_COMMIT an
 * answered append is at every level; in NEVER it is visible but not durable until a durable wait
 * makes the writer force; a wait past the head times out, and one for an event still to come ends
 * when it arrives; a reopened store starts with every level at what it recovered.
 */
class WatermarkTest {
    private static final EventKind KIND = EventKind.of(0x1, 1);
    /** Guard against a hang only; never a performance expectation. */
    private static final long HANG_GUARD_MS = 60_000;

    @TempDir
    Path dir;

    private static long append(EventStore s, String entity) {
        return s.append(new Coordinate(entity, "wm"), KIND, new byte[10]).globalSequence();
    }

    @Test
    void everyCommitAnswersAnAppendAtEveryLevel() {
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.EVERY_COMMIT))) {
            long g = append(s, "a");
            Watermarks w = s.watermarks();
            assertTrue(w.accepted() >= g && w.durable() >= g && w.visible() >= g, "after an EVERY_COMMIT append at " + g
                    + ": " + w);
        }
    }

    @Test
    void neverIsVisibleAtOnceAndDurableAfterADurableWait() {
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            long g = append(s, "a");
            Watermarks before = s.watermarks();
            assertTrue(before.visible() >= g && before.accepted() >= g, "visible and accepted after the answer: " + before);
            assertTrue(before.durable() < g, "nothing forced the append yet in NEVER mode: " + before);
            assertTrue(s.awaitWatermark(g, WatermarkLevel.DURABLE, HANG_GUARD_MS), "a durable wait forces the write");
            assertTrue(s.watermarks().durable() >= g, "durable after the wait: " + s.watermarks());
        }
    }

    @Test
    void aWaitPastTheHeadTimesOutAndOneForAComingEventEndsWhenItArrives() throws Exception {
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            long g = append(s, "a");
            assertFalse(s.awaitWatermark(g + 1, WatermarkLevel.VISIBLE, 50), "nothing past the head becomes visible");
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(
                    () -> s.awaitWatermark(g + 1, WatermarkLevel.VISIBLE, HANG_GUARD_MS));
            long next = append(s, "b");
            assertEquals(g + 1, next, "the event the wait is for");
            assertTrue(waiting.get(HANG_GUARD_MS, TimeUnit.MILLISECONDS), "the wait ends once the event is visible");
            assertTrue(s.awaitWatermark(next, WatermarkLevel.ACCEPTED, 0), "a reached level answers at once");
        }
    }

    @Test
    void aReopenedStoreStartsWithEveryLevelAtWhatItRecovered() {
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            append(s, "a");
            append(s, "b");
        }
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            assertEquals(new Watermarks(2, 2, 2), s.watermarks(), "after reopening two events");
        }
    }
}
