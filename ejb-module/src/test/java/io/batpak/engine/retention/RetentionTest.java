package io.batpak.engine.retention;

import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.ConditionFailedException;
import io.batpak.engine.Coordinate;
import io.batpak.engine.Cursor;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventQuery;
import io.batpak.engine.EventStore;
import io.batpak.engine.QueryItem;
import io.batpak.engine.Region;
import io.batpak.engine.RetentionRule;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.Subscription;
import io.batpak.engine.VerifyResult;
import io.batpak.engine.Freshness;
import io.batpak.engine.projection.LruProjectionCache;
import io.batpak.engine.projection.Projection;
import io.batpak.engine.projection.Projector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per read path: an event past retention is absent from each, and comes back on none after reopening. */
class RetentionTest {
    private static final EventKind NOTED = EventKind.of(0xF, 7);
    private static final Coordinate A = new Coordinate("acct-a", "bank");
    private static final Coordinate B = new Coordinate("acct-b", "bank");
    private static final Coordinate OTHER = new Coordinate("acct-a", "shop");

    private static final Projection<Long> COUNT = new Projection<>() {
        @Override
        public String name() {
            return "count";
        }

        @Override
        public int version() {
            return 1;
        }

        @Override
        public Long initial() {
            return 0L;
        }

        @Override
        public Long apply(Long state, StoredEvent event) {
            return state + 1;
        }
    };

    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<EventStore> open = new ArrayList<>();

    private EventStore open() {
        EventStore s = EventStore.open(StoreConfig.defaults(dir).withWallClock(clock::get));
        open.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        open.forEach(EventStore::close);
    }

    private static List<AppendReceipt> fill(EventStore s, Coordinate c, int n) {
        List<AppendReceipt> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(s.append(c, NOTED, new byte[] {(byte) i}));
        }
        return out;
    }

    private static List<Long> sequences(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::sequence).toList();
    }

    private static List<Long> userSequences(List<StoredEvent> events, Coordinate c) {
        return sequences(events.stream().filter(e -> e.coordinate().equals(c)).toList());
    }

    @Test
    void truncateHidesTheEntitysPrefixFromEntityReadsGetAndAncestors() {
        EventStore s = open();
        List<AppendReceipt> a = fill(s, A, 5);
        fill(s, B, 2);
        assertEquals(3, s.truncate(EntityQuery.of(A), 3));
        assertEquals(List.of(3L, 4L), sequences(s.readEntity(EntityQuery.of(A))), "readEntity keeps sequences 3..4");
        assertEquals(List.of(0L, 1L), sequences(s.readEntity(EntityQuery.of(B))), "another entity is untouched");
        assertTrue(s.get(EventLookup.of(a.get(2).eventId())).isEmpty(), "a truncated event is not found by id");
        assertTrue(s.get(EventLookup.of(a.get(3).eventId())).isPresent(), "the first kept event is found by id");
        assertEquals(List.of(), s.ancestors(EventLookup.of(a.get(3).eventId()), 10), "the first kept event has no ancestors");
        assertEquals(List.of(3L), sequences(s.ancestors(EventLookup.of(a.get(4).eventId()), 10)));
        assertThrows(StoreException.class, () -> s.ancestors(EventLookup.of(a.get(1).eventId()), 10));
        assertEquals(4, s.lastSequence(EntityQuery.of(A)), "the last sequence is unchanged");
        assertEquals(3, s.firstKeptSequence(EntityQuery.of(A)));
        assertEquals(5, s.append(A, NOTED, new byte[0]).sequence(), "sequences are never reused");
        assertEquals(3, s.truncate(EntityQuery.of(A), 1), "a truncate never goes back");
    }

    @Test
    void truncateIsCheckedAgainstTheEntity() {
        EventStore s = open();
        fill(s, A, 2);
        StoreException beyond = assertThrows(StoreException.class, () -> s.truncate(EntityQuery.of(A), 4));
        assertEquals(ErrorCode.INVALID_REQUEST, beyond.code());
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class,
                () -> s.truncate(EntityQuery.of("nobody"), 0)).code());
        assertEquals(2, s.truncate(EntityQuery.of(A), 2), "truncating everything is allowed");
        assertEquals(List.of(), s.readEntity(EntityQuery.of(A)));
    }

    @Test
    void hiddenEventsVanishFromRegionAndItemQueriesAndConditions() {
        EventStore s = open();
        fill(s, A, 4);
        fill(s, OTHER, 4);
        s.setRetention("bank", new RetentionRule(null, 1L));
        assertEquals(List.of(3L), userSequences(s.read(Region.all().withScope("bank")), A), "region read keeps the newest");
        assertEquals(List.of(3L), s.query(Region.all().withEntityPrefix("acct-a").withScope("bank")).stream()
                .map(e -> e.sequence()).toList(), "index query keeps the newest");
        assertEquals(List.of(0L, 1L, 2L, 3L), userSequences(s.read(Region.all().withScope("shop")), OTHER),
                "another scope is untouched");
        EventQuery bankPrefix = EventQuery.of(new QueryItem("bank", "acct-a", Set.of(NOTED.value()), Set.of()));
        assertEquals(List.of(3L), sequences(s.query(bankPrefix, 0, 100).events()), "items query keeps the newest");
        // A condition over events that are all hidden but the newest: only the newest (global 4) can match.
        AppendCondition sinceTwo = new AppendCondition(bankPrefix, 1);
        assertThrows(ConditionFailedException.class,
                () -> s.appendBatch(List.of(new AppendRequest(B, NOTED, new byte[0])), sinceTwo));
        AppendCondition sinceNewest = new AppendCondition(bankPrefix, 4);
        s.appendBatch(List.of(new AppendRequest(B, NOTED, new byte[0])), sinceNewest);
        s.removeRetention("bank");
        assertEquals(List.of(0L, 1L, 2L, 3L), sequences(s.readEntity(EntityQuery.of(A))), "removing the rule shows all again");
    }

    @Test
    void hiddenEventMatchesNoCondition() {
        EventStore s = open();
        fill(s, A, 3);
        s.truncate(EntityQuery.of(A), 3);
        EventQuery anyA = EventQuery.of(new QueryItem("bank", "acct-a", Set.of(), Set.of()));
        s.appendBatch(List.of(new AppendRequest(B, NOTED, new byte[0])), new AppendCondition(anyA, 0));
        assertEquals(1, s.readEntity(EntityQuery.of(B)).size(), "the conditional append went through");
    }

    @Test
    void maxAgeFollowsTheClock() {
        EventStore s = open();
        fill(s, A, 2);           // written at 1_000_000
        clock.set(1_005_000);
        fill(s, A, 2);           // written at 1_005_000
        s.setRetention("bank", new RetentionRule(10_000L, null));
        assertEquals(4, s.readEntity(EntityQuery.of(A)).size(), "nothing is 10 s old yet");
        clock.set(1_010_000);
        assertEquals(4, s.readEntity(EntityQuery.of(A)).size(), "exactly 10 s old is not past 10 s");
        clock.set(1_010_001);
        assertEquals(List.of(2L, 3L), sequences(s.readEntity(EntityQuery.of(A))), "a millisecond later it is");
        clock.set(1_012_000);
        assertEquals(List.of(2L, 3L), sequences(s.readEntity(EntityQuery.of(A))), "the first two are now 12 s old");
        clock.set(1_020_000);
        assertEquals(List.of(), sequences(s.readEntity(EntityQuery.of(A))), "all are now past 10 s");
        assertEquals(Optional.of(new RetentionRule(10_000L, null)), s.retention("bank"));
    }

    @Test
    void cursorsAndSubscriptionsSkipHiddenEvents() throws InterruptedException {
        EventStore s = open();
        fill(s, A, 5);
        s.truncate(EntityQuery.of(A), 4);
        Cursor c = s.cursor(Region.all().withEntityPrefix("acct-"), 0);
        assertEquals(List.of(4L), sequences(c.poll(100)), "a cursor from the start sees the kept event only");
        try (Subscription sub = s.subscribe(Region.all().withEntityPrefix("acct-"), 0, 16)) {
            assertEquals(List.of(4L), sequences(sub.poll(100, Duration.ofSeconds(5))), "catch-up skips hidden events");
            s.append(A, NOTED, new byte[0]);
            assertEquals(List.of(5L), sequences(sub.poll(100, Duration.ofSeconds(5))), "then new events arrive");
        }
    }

    @Test
    void projectionsFoldOnlyKeptEvents() {
        EventStore s = open();
        fill(s, A, 6);
        Projector p = new Projector(s, new LruProjectionCache(10));
        assertEquals(6L, p.project(A, COUNT, Freshness.CONSISTENT).state());
        s.truncate(EntityQuery.of(A), 4);
        assertEquals(2L, p.project(A, COUNT, Freshness.CONSISTENT).state(), "a cached state over hidden events is not served");
        assertEquals(2L, p.project(A, COUNT, Freshness.CACHED).state());
    }

    @Test
    void pagesStartAtTheFirstKeptEventSoAShortPageStillMeansTheEnd() {
        EventStore s = open();
        fill(s, A, 1200);
        s.truncate(EntityQuery.of(A), 700);
        List<StoredEvent> page = s.readEntity(EntityQuery.of(A).withFrom(0).withLimit(100));
        assertEquals(100, page.size(), "a full page from the first kept event");
        assertEquals(700, page.get(0).sequence());
        assertEquals(500, s.readEntity(EntityQuery.of(A)).size());
        Projector p = new Projector(s, new LruProjectionCache(10));
        assertEquals(500L, p.project(A, COUNT, Freshness.CONSISTENT).state(),
                "reading in chunks over a hidden prefix counts each kept event once");
    }

    @Test
    void anAuditExportOfATruncatedEntityVerifiesFromItsFirstKeptEvent() throws java.io.IOException {
        EventStore s = open();
        fill(s, A, 600);
        s.truncate(EntityQuery.of(A), 90);
        io.batpak.engine.audit.AuditKey key = io.batpak.engine.audit.AuditKey.generate();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertEquals(510, io.batpak.engine.audit.AuditExports.entity(s, EntityQuery.of(A), key, out).events());
        io.batpak.engine.audit.ExportVerifier.Report r = new io.batpak.engine.audit.ExportVerifier(key.publicKey())
                .verify(new java.io.ByteArrayInputStream(out.toByteArray()));
        assertTrue(r.ok(), r.toString());
    }

    @Test
    void verifyChecksTheChainFromTheFirstKeptEvent() {
        EventStore s = open();
        fill(s, A, 5);
        assertEquals(new VerifyResult("acct-a", 5, true, -1, 0), s.verify(EntityQuery.of(A)));
        s.truncate(EntityQuery.of(A), 2);
        assertEquals(new VerifyResult("acct-a", 3, true, -1, 2), s.verify(EntityQuery.of(A)));
    }

    @Test
    void rulesAndTruncatesSurviveReopening() {
        EventStore s = open();
        fill(s, A, 5);
        fill(s, B, 5);
        s.truncate(EntityQuery.of(A), 2);
        s.setRetention("bank", new RetentionRule(null, 4L));
        s.setRetention("bank", new RetentionRule(null, 2L));
        s.close();
        EventStore again = open();
        assertEquals(Optional.of(new RetentionRule(null, 2L)), again.retention("bank"), "the last rule is in force");
        assertEquals(List.of(3L, 4L), sequences(again.readEntity(EntityQuery.of(A))));
        again.removeRetention("bank");
        again.checkpoint();
        again.close();
        EventStore third = open();
        assertEquals(Optional.empty(), third.retention("bank"));
        assertEquals(List.of(2L, 3L, 4L), sequences(third.readEntity(EntityQuery.of(A))), "the truncate stays after the rule went");
        assertEquals(5, third.readEntity(EntityQuery.of(B)).size());
    }

    @Test
    void theStoresOwnEntitiesAreNeitherHiddenNorTruncated() {
        EventStore s = open();
        fill(s, A, 2);
        s.setRetention("bank", new RetentionRule(null, 0L));
        s.setRetention("bank", new RetentionRule(null, 0L));
        assertEquals(List.of(), s.readEntity(EntityQuery.of(A)), "maxCount 0 keeps none");
        assertEquals(2, s.readEntity(EntityQuery.of(new Coordinate("retention:bank", "bank"))).size(),
                "the rule's own bookkeeping stays readable");
        assertEquals(ErrorCode.RESERVED_ENTITY, assertThrows(StoreException.class,
                () -> s.truncate(EntityQuery.of(new Coordinate("retention:bank", "bank")), 1)).code());
        assertFalse(s.removeRetention("shop"), "a scope without a rule has nothing to remove");
    }
}
