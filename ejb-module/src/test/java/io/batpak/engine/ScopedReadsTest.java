package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grant-aware reads on one fixed history: an entity with events in two scopes, read by a caller
 * granted only one of them. Checks what the HTTP layer relies on: hidden events are absent exactly
 * like missing ones, ancestors skip them, and counts include only reachable events.
 */
class ScopedReadsTest {
    private static final ScopeGrants ORDERS = ScopeGrants.of(Set.of("orders-*"));

    @TempDir
    Path dir;
    private EventStore store;
    private AppendReceipt a0;
    private AppendReceipt secret;
    private AppendReceipt a2;

    @BeforeEach
    void open() {
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        a0 = append("acct:1", "orders-eu");
        secret = append("acct:1", "payroll");
        a2 = append("acct:1", "orders-eu");
        append("acct:2", "payroll");
    }

    @AfterEach
    void close() {
        store.close();
    }

    private AppendReceipt append(String entity, String scope) {
        return store.append(new Coordinate(entity, scope), EventKind.of(1, 1), "{}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anEventOutsideTheGrantsIsAbsentLikeAMissingOne() {
        assertTrue(store.get(EventLookup.of(secret.eventId()).withGrants(ORDERS)).isEmpty(), "get() returned an event in an ungranted scope");
        assertTrue(store.get(EventLookup.of(a0.eventId()).withGrants(ORDERS)).isPresent(), "get() hid an event in a granted scope");
        StoreException e = assertThrows(StoreException.class, () -> store.ancestors(EventLookup.of(secret.eventId()).withGrants(ORDERS), 10));
        assertEquals(ErrorCode.NOT_FOUND, e.code(), "ancestors of a hidden event must be not-found, like a missing one");
    }

    @Test
    void theSameNameInAnotherScopeIsAnotherEntity() {
        assertEquals(0, secret.sequence(), "acct:1@payroll starts its own sequence");
        assertEquals(1, a2.sequence(), "acct:1@orders-eu continues its own");
        assertEquals(List.of(a0.eventId()), store.ancestors(EventLookup.of(a2.eventId()).withGrants(ScopeGrants.ALL), 10).stream()
                .map(StoredEvent::eventId).toList(), "ancestors never cross into another scope's entity of the same name");
        assertEquals(List.of(new Coordinate("acct:1", "orders-eu"), new Coordinate("acct:1", "payroll")),
                store.coordinatesOf("acct:1", ScopeGrants.ALL));
        StoreException e = assertThrows(StoreException.class, () -> store.readEntity(EntityQuery.of("acct:1").withLimit(10)));
        assertEquals(ErrorCode.AMBIGUOUS_ENTITY, e.code(), "a bare name that two scopes hold is ambiguous");
        assertEquals(List.of(new Coordinate("acct:1", "orders-eu")), store.coordinatesOf("acct:1", ORDERS),
                "within the grants only one is visible, so the name alone is enough there");
    }

    @Test
    void entityReadsVerifyAndStatsCountOnlyReachableEvents() {
        assertEquals(List.of(0L, 1L), store.readEntity(EntityQuery.of("acct:1").withLimit(10).withGrants(ORDERS)).stream().map(StoredEvent::sequence)
                .toList(), "entity read within the grants");
        assertEquals(List.of(1L), store.readEntity(EntityQuery.of("acct:1").withFrom(1).withLimit(1).withGrants(ORDERS)).stream().map(StoredEvent::sequence).toList(),
                "a page of one from sequence 1");
        VerifyResult v = store.verify(EntityQuery.of("acct:1").withGrants(ORDERS));
        assertEquals(2, v.events(), "verify of the reachable entity");
        assertTrue(v.valid(), "the chain is intact");
        assertEquals(new VerifyResult("acct:2", 0, true, -1), store.verify(EntityQuery.of("acct:2").withGrants(ORDERS)),
                "an entity entirely outside the grants verifies like a missing one");
        StoreStats s = store.stats(ORDERS);
        assertEquals(2, s.events(), "stats events within the grants");
        assertEquals(1, s.entities(), "stats entities within the grants");
        assertEquals(1, s.scopes(), "stats scopes within the grants");
        assertEquals(a2.globalSequence(), s.globalSequence(), "stats globalSequence is the last reachable event");
        assertEquals(0, store.stats(ScopeGrants.NONE).events(), "no grants count nothing");
        assertEquals(4, store.stats(ScopeGrants.ALL).events(), "all grants count everything");
        assertEquals(3, store.stats(ScopeGrants.ALL).entities(), "acct:1 in two scopes is two entities");
    }

    @Test
    void aQueryForAnUngrantedScopeIsEmptyAndRegionMatchingHonoursGrants() {
        assertTrue(store.read(Region.all().withScope("payroll").withGrants(ORDERS)).isEmpty(),
                "an exact ungranted scope must match nothing");
        assertEquals(2, store.read(Region.all().withGrants(ORDERS)).size(), "an unfiltered query sees granted events");
        Region r = Region.all().withGrants(ORDERS);
        assertTrue(r.matches("acct:1", "orders-eu", 0x1001, 0), "granted scope matches");
        assertTrue(!r.matches("acct:1", "payroll", 0x1001, 0), "ungranted scope must not match");
    }
}
