package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Event attributes: stored, hashed, compared by idempotent replays, validated, kept across reopen. */
class AttributesTest {
    @TempDir
    Path dir;

    private static AppendRequest request(String entity, Map<String, String> attrs, String key) {
        AppendOptions o = AppendOptions.NONE.withAttributes(attrs);
        if (key != null) {
            o = o.withIdempotencyKey(key);
        }
        return new AppendRequest(new Coordinate(entity, "s"), EventKind.of(0xF, 1),
                "{}".getBytes(StandardCharsets.UTF_8), o);
    }

    @Test
    void attributesRoundTripAcrossReopenAndVerify() {
        Map<String, String> attrs = Map.of("ce.type", "com.example.created", "a", "1");
        String id;
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            id = store.append(request("e", attrs, null)).eventId().toString();
            store.append(request("e", Map.of(), null));
            assertEquals(attrs, store.get(EventLookup.of(java.util.UUID.fromString(id))).orElseThrow().attributes());
        }
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            StoredEvent e = store.get(EventLookup.of(java.util.UUID.fromString(id))).orElseThrow();
            assertEquals(attrs, e.attributes(), "attributes after reopen");
            assertEquals(Map.of(), store.readEntity(EntityQuery.of("e").withFrom(1).withLimit(1)).get(0).attributes(), "an event without attributes");
            assertTrue(store.verify(EntityQuery.of("e")).valid(), "the hash chain must cover attributes consistently");
        }
    }

    @Test
    void idempotentReplayComparesAttributes() {
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir))) {
            AppendReceipt first = store.append(request("e", Map.of("k", "v"), "key-1"));
            assertTrue(store.append(request("e", Map.of("k", "v"), "key-1")).replayed());
            StoreException e = assertThrows(StoreException.class,
                    () -> store.append(request("e", Map.of("k", "other"), "key-1")));
            assertEquals(ErrorCode.IDEMPOTENCY_KEY_REUSED, e.code(), "other attributes make another request");
            assertEquals(0, first.sequence());
        }
    }

    @Test
    void invalidAttributesAreRefused() {
        for (Map<String, String> bad : new Map[] {Map.of("Upper", "x"), Map.of("", "x"), Map.of("a".repeat(65), "x"),
                Map.of("k", "v".repeat(5000))}) {
            StoreException e = assertThrows(StoreException.class, () -> AppendOptions.NONE.withAttributes(bad),
                    () -> "accepted " + bad.keySet());
            assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        }
    }
}
