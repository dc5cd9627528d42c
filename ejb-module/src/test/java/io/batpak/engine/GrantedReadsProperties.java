package io.batpak.engine;

import io.batpak.engine.log.TestFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Reads within grants against a plain model: random events over a few scopes, random glob grants,
 * random filters and page sizes. Paging a query, a cursor, a subscription or an entity read must
 * return exactly the model's events that lie inside the grants and match the filter, in order —
 * none outside, none missed — and point reads and counts must agree with the same model.
 */
class GrantedReadsProperties {
    private static final String[] ENTITIES = {"order:1", "order:2", "user:1", "user:22"};
    private static final String[] SCOPES = {"orders-eu", "orders-us", "users", "u", "ord?rs"};
    private static final String[] GLOBS = {"orders-*", "users", "*s", "orders-e?", "", "ord?rs", "x*"};

    record Row(String entity, String scope, int kind, long globalSequence, UUID id) {
    }

    @Provide
    Arbitrary<List<int[]>> events() {
        return Combinators.combine(Arbitraries.integers().between(0, ENTITIES.length - 1),
                Arbitraries.integers().between(0, SCOPES.length - 1), Arbitraries.integers().between(0, 2))
                .as((e, s, k) -> new int[] {e, s, k}).list().ofMinSize(0).ofMaxSize(60);
    }

    @Provide
    Arbitrary<Set<String>> grants() {
        return Arbitraries.of(GLOBS).set().ofMaxSize(3);
    }

    @Property(tries = 40)
    void readsReturnExactlyTheEventsInsideTheGrants(@ForAll("events") List<int[]> events,
                                                     @ForAll("grants") Set<String> globs,
                                                     @ForAll("prefix") String prefix,
                                                     @ForAll("page") int page) throws IOException, InterruptedException {
        ScopeGrants grants = ScopeGrants.of(globs);
        Path dir = Files.createTempDirectory("batpak-grants");
        List<Row> rows = new ArrayList<>();
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            for (int[] ev : events) {
                int kind = 0x1001 + ev[2];
                AppendReceipt r = s.append(new Coordinate(ENTITIES[ev[0]], SCOPES[ev[1]]), new EventKind(kind),
                        "{}".getBytes(StandardCharsets.UTF_8));
                rows.add(new Row(ENTITIES[ev[0]], SCOPES[ev[1]], kind, r.globalSequence(), r.eventId()));
            }
            Region filter = Region.all().withGrants(grants);
            if (!prefix.isEmpty()) {
                filter = filter.withEntityPrefix(prefix);
            }
            List<Long> expected = new ArrayList<>();
            for (Row r : rows) {
                if (grants.reaches(r.scope()) && r.entity().startsWith(prefix)) {
                    expected.add(r.globalSequence());
                }
            }
            String where = "grants " + grants + ", prefix '" + prefix + "', page " + page;

            assertEquals(expected, pagedQuery(s, filter, page), where + ": paged query");
            assertEquals(expected, cursorRead(s, filter, page), where + ": cursor");
            assertEquals(expected, subscriptionRead(s, filter, page), where + ": subscription");

            for (String entity : ENTITIES) {
                List<Coordinate> reachable = rows.stream().filter(r -> r.entity().equals(entity) && grants.reaches(r.scope()))
                        .map(r -> new Coordinate(r.entity(), r.scope())).distinct()
                        .sorted(java.util.Comparator.comparing(Coordinate::scope)).toList();
                assertEquals(reachable, s.coordinatesOf(entity, grants), where + ": coordinates named " + entity);
                for (String scope : SCOPES) {
                    Coordinate c = new Coordinate(entity, scope);
                    List<Long> entityExpected = new ArrayList<>();
                    for (Row r : rows) {
                        if (r.entity().equals(entity) && r.scope().equals(scope) && grants.reaches(scope)) {
                            entityExpected.add(r.globalSequence());
                        }
                    }
                    // What the HTTP layer does for ?scope=: a coordinate outside the grants reads as empty.
                    List<Long> got = grants.reaches(scope) ? pagedEntityRead(s, c, page) : List.of();
                    assertEquals(entityExpected, got, where + ": entity " + c);
                    if (reachable.size() == 1 && reachable.get(0).equals(c)) {
                        VerifyResult v = s.verify(EntityQuery.of(entity).withGrants(grants));
                        assertEquals(entityExpected.size(), v.events(), where + ": verify of " + c + " by its name alone");
                        assertTrue(v.valid(), where + ": verify of " + c);
                    }
                }
            }
            for (Row r : rows) {
                assertEquals(grants.reaches(r.scope()), s.get(EventLookup.of(r.id()).withGrants(grants)).isPresent(),
                        where + ": get of event " + r.globalSequence() + " in scope '" + r.scope() + "'");
            }
            StoreStats stats = s.stats(grants);
            long reachable = rows.stream().filter(r -> grants.reaches(r.scope())).count();
            assertEquals(reachable, stats.events(), where + ": stats events");
            assertEquals(rows.stream().filter(r -> grants.reaches(r.scope())).map(r -> r.entity() + "@" + r.scope())
                    .distinct().count(), stats.entities(), where + ": stats entities (an entity is a name within a scope)");
            assertEquals(rows.stream().filter(r -> grants.reaches(r.scope())).mapToLong(Row::globalSequence).max()
                    .orElse(0), stats.globalSequence(), where + ": stats globalSequence");
        } finally {
            TestFiles.deleteTree(dir);
        }
    }

    @Provide
    Arbitrary<String> prefix() {
        return Arbitraries.of("", "order:", "user:2", "nobody");
    }

    @Provide
    Arbitrary<Integer> page() {
        return Arbitraries.integers().between(1, 7);
    }

    private static List<Long> pagedQuery(EventStore s, Region filter, int page) {
        List<Long> got = new ArrayList<>();
        long after = 0;
        while (true) {
            List<StoredEvent> batch = s.read(filter.withAfter(after).withLimit(page));
            batch.forEach(e -> got.add(e.globalSequence()));
            if (batch.size() < page) {
                return got;
            }
            after = batch.get(batch.size() - 1).globalSequence();
        }
    }

    private static List<Long> cursorRead(EventStore s, Region filter, int page) {
        Cursor c = s.cursor(filter, 0);
        List<Long> got = new ArrayList<>();
        for (List<StoredEvent> batch = c.poll(page); !batch.isEmpty(); batch = c.poll(page)) {
            batch.forEach(e -> got.add(e.globalSequence()));
        }
        return got;
    }

    private static List<Long> subscriptionRead(EventStore s, Region filter, int page) throws InterruptedException {
        List<Long> got = new ArrayList<>();
        try (Subscription sub = s.subscribe(filter, 0, 4)) {
            for (List<StoredEvent> batch = sub.poll(page, Duration.ZERO); !batch.isEmpty();
                 batch = sub.poll(page, Duration.ZERO)) {
                batch.forEach(e -> got.add(e.globalSequence()));
            }
        }
        return got;
    }

    private static List<Long> pagedEntityRead(EventStore s, Coordinate entity, int page) {
        List<Long> got = new ArrayList<>();
        long from = 0;
        while (true) {
            List<StoredEvent> batch = s.readEntity(EntityQuery.of(entity).withFrom(from).withLimit(page));
            batch.forEach(e -> got.add(e.globalSequence()));
            if (batch.size() < page) {
                return got;
            }
            from = batch.get(batch.size() - 1).sequence() + 1;
        }
    }
}
