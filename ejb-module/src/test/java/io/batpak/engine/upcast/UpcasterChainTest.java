package io.batpak.engine.upcast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.Cursor;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventQuery;
import io.batpak.engine.EventStore;
import io.batpak.engine.Freshness;
import io.batpak.engine.QueryItem;
import io.batpak.engine.Region;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.Subscription;
import io.batpak.engine.SyncMode;
import io.batpak.engine.audit.AuditExports;
import io.batpak.engine.audit.AuditKey;
import io.batpak.engine.audit.ExportVerifier;
import io.batpak.engine.log.EventHasher;
import io.batpak.engine.projection.NoCache;
import io.batpak.engine.projection.Projection;
import io.batpak.engine.projection.Projector;
import io.batpak.streams.Delivery;
import io.batpak.streams.GroupConfig;
import io.batpak.streams.StartPosition;
import io.batpak.streams.StreamEvent;
import io.batpak.streams.Streams;
import io.batpak.streams.StreamsConfig;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upcaster chain v1 → v2 → v3 read through every API that hands out events: get, readEntity,
 * ancestors, read(Region), query, a pull cursor, a catch-up and a live subscription, a projection
 * and a stream's partition read and group poll; the stored bytes, versions and hashes stay as
 * appended (verify, stored reads, a verified audit export); broken chains and failing steps are
 * typed errors.
 */
class UpcasterChainTest {
    static final EventKind RENAMED = EventKind.of(0x1, 1);
    static final EventKind OTHER = EventKind.of(0x1, 2);
    static final Coordinate USER = new Coordinate("user-1", "people");

    /** v1 → v2 wraps the payload as {"v2":…}; v2 → v3 as {"v3":…}: the result shows which steps ran, in order. */
    static final Upcaster V1_TO_V2 = Upcaster.of(RENAMED, 1, p -> wrap("v2", p));
    static final Upcaster V2_TO_V3 = new Upcaster() {
        @Override
        public EventKind kind() {
            return RENAMED;
        }

        @Override
        public int fromVersion() {
            return 2;
        }

        @Override
        public byte[] upcast(StoredEvent event) {
            assertEquals(2, event.payloadVersion(), "a step is handed the event at its from-version");
            return wrap("v3", event.payload());
        }
    };

    @TempDir
    Path dir;
    EventStore store;

    static byte[] wrap(String key, byte[] inner) {
        return ("{\"" + key + "\":" + new String(inner, StandardCharsets.UTF_8) + "}").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(StoredEvent e) {
        return new String(e.payload(), StandardCharsets.UTF_8);
    }

    @BeforeEach
    void open() {
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    /** Appends one event at each version, then an unrelated kind; returns the receipts. */
    List<AppendReceipt> appendOnePerVersion() {
        List<AppendReceipt> r = new ArrayList<>();
        r.add(store.append(new AppendRequest(USER, RENAMED, utf8("{\"name\":\"ada\"}"))));
        r.add(store.append(new AppendRequest(USER, RENAMED, utf8("{\"v2\":{\"name\":\"bob\"}}"), AppendOptions.NONE, 2)));
        r.add(store.append(new AppendRequest(USER, RENAMED, utf8("{\"v3\":{\"v2\":{\"name\":\"cy\"}}}"))
                .withPayloadVersion(3)));
        r.add(store.append(new AppendRequest(USER, OTHER, utf8("{\"untouched\":true}"))));
        return r;
    }

    static final List<String> CURRENT = List.of("{\"v3\":{\"v2\":{\"name\":\"ada\"}}}", "{\"v3\":{\"v2\":{\"name\":\"bob\"}}}",
            "{\"v3\":{\"v2\":{\"name\":\"cy\"}}}", "{\"untouched\":true}");
    static final List<Integer> CURRENT_VERSIONS = List.of(3, 3, 3, 1);

    static void assertCurrent(List<StoredEvent> events, String api) {
        assertEquals(CURRENT, events.stream().map(UpcasterChainTest::text).collect(Collectors.toList()),
                api + " must deliver every payload at its kind's current version");
        assertEquals(CURRENT_VERSIONS, events.stream().map(StoredEvent::payloadVersion).collect(Collectors.toList()),
                api + " must report the delivered payload version");
    }

    @Test
    void everyReadPathDeliversTheCurrentVersionAndTheStoredBytesStay() throws Exception {
        // Open before the appends, so the writer caches each event it writes for subscribers (stored, not upcast).
        Subscription live = store.subscribeLive(Region.all(), 100);
        List<AppendReceipt> receipts = appendOnePerVersion();
        Upcasters set = store.installUpcasters(List.of(V2_TO_V3, V1_TO_V2)); // any order: the set is validated whole
        assertEquals(3, set.currentVersion(RENAMED));
        assertEquals(1, set.currentVersion(OTHER));

        assertCurrent(store.readEntity(EntityQuery.of(USER)), "readEntity");
        assertCurrent(store.read(Region.all()), "read(Region)");
        assertCurrent(store.query(EventQuery.of(QueryItem.any()), 0, 100).events(), "query");
        assertEquals(CURRENT.get(0), text(store.get(EventLookup.of(receipts.get(0).eventId())).orElseThrow()), "get");
        assertEquals(CURRENT.subList(0, 3), store.ancestors(EventLookup.of(receipts.get(3).eventId()), 10).stream()
                .map(UpcasterChainTest::text).sorted().collect(Collectors.toList()), "ancestors");
        Cursor cursor = store.cursor(Region.all(), 0);
        assertCurrent(cursor.poll(100), "cursor");
        try (Subscription catchUp = store.subscribe(Region.all(), 0, 100)) {
            assertCurrent(catchUp.poll(100, Duration.ofSeconds(5)), "catch-up subscription");
        }

        // Live: the writer caches the stored event for subscribers; they still get it upcast.
        store.append(new AppendRequest(USER, RENAMED, utf8("{\"name\":\"dee\"}")));
        List<StoredEvent> liveEvents = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (liveEvents.size() < 5 && System.nanoTime() < deadline) {
            liveEvents.addAll(live.poll(10, Duration.ofMillis(200)));
        }
        live.close();
        assertCurrent(liveEvents.subList(0, 4), "live subscription (opened before the upcasters were installed)");
        assertEquals("{\"v3\":{\"v2\":{\"name\":\"dee\"}}}", text(liveEvents.get(4)), "a live event appended at v1");
        assertEquals(List.of("{\"v3\":{\"v2\":{\"name\":\"dee\"}}}"), cursor.poll(10).stream().map(UpcasterChainTest::text)
                .collect(Collectors.toList()), "the cursor's next poll");

        // A projection folds the current version.
        Projection<String> names = new Projection<>() {
            public String name() {
                return "names";
            }

            public int version() {
                return 1;
            }

            public String initial() {
                return "";
            }

            public String apply(String state, StoredEvent e) {
                return state + e.payloadVersion() + ":" + text(e) + ";";
            }

            public Set<EventKind> kinds() {
                return Set.of(RENAMED);
            }
        };
        try (Projector projector = new Projector(store, NoCache.INSTANCE)) {
            assertEquals("3:" + CURRENT.get(0) + ";3:" + CURRENT.get(1) + ";3:" + CURRENT.get(2)
                            + ";3:{\"v3\":{\"v2\":{\"name\":\"dee\"}}};",
                    projector.project(USER, names, Freshness.CONSISTENT).state(), "projection");
        }

        // The stored events are untouched: versions and bytes as appended, hashes as in the receipts.
        List<StoredEvent> stored = store.readEntityStored(EntityQuery.of(USER));
        assertEquals(List.of(1, 2, 3, 1, 1), stored.stream().map(StoredEvent::payloadVersion).collect(Collectors.toList()),
                "readEntityStored gives the stored versions");
        assertEquals("{\"name\":\"ada\"}", text(stored.get(0)), "readEntityStored gives the stored bytes");
        List<StoredEvent> current = store.readEntity(EntityQuery.of(USER));
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(receipts.get(i).hash(), stored.get(i).hash(), "stored hash of event " + i);
            assertArrayEquals(receipts.get(i).hash(), current.get(i).hash(), "upcasting must not change hash of " + i);
            assertArrayEquals(stored.get(i).hash(), EventHasher.hashOf(stored.get(i)),
                    "the stored content (with its stored version) hashes to the stored hash, event " + i);
        }
        assertTrue(store.verify(EntityQuery.of(USER)).valid(), "verify after upcasting: the chain is unchanged");

        // An audit export carries the stored bytes and verifies without the server.
        AuditKey key = AuditKey.generate();
        for (boolean byScope : new boolean[] {false, true}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (byScope) {
                AuditExports.scope(store, "people", ScopeGrants.ALL, key, out);
            } else {
                AuditExports.entity(store, EntityQuery.of(USER), key, out);
            }
            String export = out.toString(StandardCharsets.UTF_8);
            assertTrue(export.contains("\"pver\":2") && export.contains("\"pver\":3"), "the export names stored versions");
            assertTrue(export.contains("\"payload\":\"" + java.util.Base64.getEncoder().encodeToString(utf8("{\"name\":\"ada\"}"))),
                    "the export holds the stored, not the upcast, payload");
            ExportVerifier.Report report = new ExportVerifier(key.publicKey()).verify(new ByteArrayInputStream(out.toByteArray()));
            assertTrue(report.ok(), (byScope ? "scope" : "entity") + " export with versioned events must verify: " + report);
            assertEquals(5, report.events());
        }
    }

    @Test
    void versionsSurviveReopenAndAreUpcastAgainOnceInstalled() {
        appendOnePerVersion();
        store.close();
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        assertEquals(List.of(1, 2, 3, 1), store.readEntity(EntityQuery.of(USER)).stream().map(StoredEvent::payloadVersion)
                .collect(Collectors.toList()), "without upcasters, events read at their stored versions (frames keep pver)");
        assertTrue(store.verify(EntityQuery.of(USER)).valid(), "versioned frames verify after reopen");
        store.installUpcasters(List.of(V1_TO_V2, V2_TO_V3));
        assertCurrent(store.readEntity(EntityQuery.of(USER)), "readEntity after reopen");
    }

    @Test
    void streamsDeliverTheCurrentVersion() {
        store.installUpcasters(List.of(V1_TO_V2, V2_TO_V3));
        try (Streams streams = new Streams(store, StreamsConfig.defaults())) {
            streams.createOrGrow("orders", 1, Caller.ANONYMOUS);
            streams.publish("orders", List.of(new StreamEvent("k", RENAMED, utf8("{\"name\":\"ada\"}"))), Caller.ANONYMOUS);
            List<StoredEvent> part = streams.readPartition("orders", 0, 0, 10);
            assertEquals(List.of("{\"v3\":{\"v2\":{\"name\":\"ada\"}}}"), part.stream().map(UpcasterChainTest::text)
                    .collect(Collectors.toList()), "readPartition");
            streams.configureGroup("orders", "g", new GroupConfig(1_000, 10, StartPosition.EARLIEST), Caller.ANONYMOUS);
            List<Delivery> got = streams.poll("orders", "g", "c", 10, 0, null, Caller.ANONYMOUS);
            assertEquals(1, got.size(), "one delivery");
            assertEquals(3, got.get(0).event().payloadVersion(), "group poll delivers the current version");
            assertEquals("{\"v3\":{\"v2\":{\"name\":\"ada\"}}}", text(got.get(0).event()), "group poll payload");
        }
    }

    @Test
    void aMissingOrDoubledStepIsRefusedAtInstallAndTheOldSetStays() {
        Upcasters before = store.installUpcasters(List.of(V1_TO_V2));
        Upcaster v3ToV4 = Upcaster.of(RENAMED, 3, p -> p);
        StoreException gap = assertThrows(StoreException.class, () -> store.installUpcasters(List.of(V1_TO_V2, v3ToV4)));
        assertEquals(ErrorCode.INVALID_UPCASTERS, gap.code());
        assertTrue(gap.getMessage().contains("none from version 2"), "the error names the missing step: " + gap.getMessage());
        StoreException noFirst = assertThrows(StoreException.class, () -> store.installUpcasters(List.of(V2_TO_V3)));
        assertTrue(noFirst.getMessage().contains("none from version 1"), "a chain must start at 1: " + noFirst.getMessage());
        StoreException twice = assertThrows(StoreException.class,
                () -> store.installUpcasters(List.of(V1_TO_V2, Upcaster.of(RENAMED, 1, p -> p))));
        assertEquals(ErrorCode.INVALID_UPCASTERS, twice.code());
        StoreException zero = assertThrows(StoreException.class,
                () -> store.installUpcasters(List.of(Upcaster.of(RENAMED, 0, p -> p))));
        assertEquals(ErrorCode.INVALID_UPCASTERS, zero.code());
        StoreException reserved = assertThrows(StoreException.class,
                () -> store.installUpcasters(List.of(Upcaster.of(EventKind.of(0xE, 1), 1, p -> p))));
        assertEquals(ErrorCode.INVALID_UPCASTERS, reserved.code(), "the store's bookkeeping kinds are never upcast");
        assertSame(before, store.upcasters(), "a refused set installs nothing");
    }

    @Test
    void aFailingStepFailsTheReadWithATypedErrorAndStoredReadsStillWork() {
        store.append(new AppendRequest(USER, RENAMED, utf8("{\"name\":\"ada\"}")));
        store.installUpcasters(List.of(V1_TO_V2, Upcaster.of(RENAMED, 2, p -> {
            throw new IllegalStateException("bad step");
        })));
        for (Runnable read : List.<Runnable>of(() -> store.readEntity(EntityQuery.of(USER)),
                () -> store.read(Region.all()), () -> store.cursor(Region.all(), 0).poll(10))) {
            StoreException e = assertThrows(StoreException.class, read::run);
            assertEquals(ErrorCode.UPCAST_FAILED, e.code());
            assertTrue(e.getMessage().contains("from version 2") && e.getCause() instanceof IllegalStateException,
                    "the error names the step's version and keeps its cause: " + e.getMessage());
        }
        store.installUpcasters(List.of(Upcaster.of(RENAMED, 1, p -> null)));
        assertEquals(ErrorCode.UPCAST_FAILED, assertThrows(StoreException.class,
                () -> store.readEntity(EntityQuery.of(USER))).code(), "a step returning no payload");
        assertEquals("{\"name\":\"ada\"}", text(store.readEntityStored(EntityQuery.of(USER)).get(0)),
                "the stored event stays readable as stored");
        store.installUpcasters(List.of());
        assertEquals(1, store.readEntity(EntityQuery.of(USER)).get(0).payloadVersion(), "without upcasters: as stored");
    }

    @Test
    void payloadVersionsAreValidatedAndPartOfTheIdempotentRequest() {
        for (int bad : new int[] {0, -1, AppendRequest.MAX_PAYLOAD_VERSION + 1}) {
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class,
                    () -> new AppendRequest(USER, RENAMED, utf8("{}")).withPayloadVersion(bad)).code(), "version " + bad);
        }
        AppendOptions keyed = AppendOptions.NONE.withIdempotencyKey("k-1");
        store.append(new AppendRequest(USER, RENAMED, utf8("{}"), keyed, 2));
        assertTrue(store.append(new AppendRequest(USER, RENAMED, utf8("{}"), keyed, 2)).replayed(), "same request replays");
        assertEquals(ErrorCode.IDEMPOTENCY_KEY_REUSED, assertThrows(StoreException.class,
                () -> store.append(new AppendRequest(USER, RENAMED, utf8("{}"), keyed, 3))).code(),
                "another version makes another request");
    }
}
