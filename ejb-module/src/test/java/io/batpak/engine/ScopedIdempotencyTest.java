package io.batpak.engine;

import io.batpak.engine.log.CheckpointFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotency keys live in one namespace per scope, for single appends and for batch items, and a
 * keyed batch is idempotent as a whole, also after a restart (recovered from the log, and from the
 * checkpoint).
 */
class ScopedIdempotencyTest {
    private static final EventKind KIND = EventKind.of(1, 1);

    @TempDir
    Path dir;

    private static AppendRequest keyed(String entity, String scope, String key, int payload) {
        return new AppendRequest(new Coordinate(entity, scope), KIND, new byte[] {(byte) payload},
                AppendOptions.NONE.withIdempotencyKey(key));
    }

    @Test
    void theSameKeyInTwoScopesIsTwoKeys() {
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            AppendReceipt a = s.append(keyed("invoice", "payments", "k", 1));
            AppendReceipt b = s.append(keyed("invoice", "evil", "k", 2));
            assertFalse(b.replayed(), "another scope's key must not replay (or refuse) this one");
            assertEquals(0, b.sequence(), "invoice@evil is its own entity");
            assertTrue(s.append(keyed("invoice", "payments", "k", 1)).replayed());
            assertEquals(ErrorCode.IDEMPOTENCY_KEY_REUSED, assertThrows(StoreException.class,
                    () -> s.append(keyed("invoice", "payments", "k", 9))).code());
            assertEquals(a.eventId(), s.append(keyed("invoice", "payments", "k", 1)).eventId());
        }
    }

    @Test
    void aKeyedBatchIsIdempotentAsAWholeAcrossRestarts() {
        List<AppendRequest> batch = List.of(keyed("a", "s", "b-1", 1), keyed("b", "s", "b-2", 2));
        List<AppendReceipt> first;
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            first = s.appendBatch(batch);
            assertEquals(first.stream().map(AppendReceipt::eventId).toList(),
                    s.appendBatch(batch).stream().map(AppendReceipt::eventId).toList(), "repeat before the restart");
        }
        for (int restart = 0; restart < 2; restart++) { // the first reopen reads the checkpoint; delete it for the second
            try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
                List<AppendReceipt> again = s.appendBatch(batch);
                assertTrue(again.stream().allMatch(AppendReceipt::replayed), "restart " + restart + ": " + again);
                assertEquals(first.stream().map(AppendReceipt::eventId).toList(),
                        again.stream().map(AppendReceipt::eventId).toList(), "restart " + restart);
                assertEquals(ErrorCode.IDEMPOTENCY_KEY_REUSED, assertThrows(StoreException.class,
                        () -> s.appendBatch(List.of(keyed("a", "s", "b-1", 1), keyed("c", "s", "b-3", 3)))).code(),
                        "half a repeat is refused");
                assertEquals(2, s.globalSequence(), "nothing was appended by the repeats");
            }
            CheckpointFile.path(dir).toFile().delete();
        }
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class,
                    () -> s.appendBatch(List.of(keyed("x", "s", "dup", 1), keyed("y", "s", "dup", 2)))).code(),
                    "one key twice in a batch");
        }
    }

    @Test
    void aRepeatedConditionalAppendReplaysInsteadOfFailingItsCondition() {
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            AppendRequest first = new AppendRequest(new Coordinate("order", "shop"), KIND, new byte[] {1},
                    AppendOptions.NONE.withExpectedSequence(AppendOptions.NO_EVENTS).withIdempotencyKey("create-order"));
            AppendReceipt a = s.append(first);
            AppendReceipt again = s.append(first);
            assertTrue(again.replayed(), "the repeat of a keyed CAS append must replay, not 409");
            assertEquals(a.eventId(), again.eventId());
            assertThrows(SequenceMismatchException.class, () -> s.append(new AppendRequest(new Coordinate("order", "shop"),
                    KIND, new byte[] {2}, AppendOptions.NONE.withExpectedSequence(AppendOptions.NO_EVENTS))),
                    "without the key the condition still holds the entity");
        }
    }
}
