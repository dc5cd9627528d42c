package io.batpak.engine.retention;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.Coordinate;
import io.batpak.engine.Cursor;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventQuery;
import io.batpak.engine.EventStore;
import io.batpak.engine.QueryItem;
import io.batpak.engine.Region;
import io.batpak.engine.RetentionRule;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.log.TestFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random appends, clock moves, rule sets and removals, truncates and reopens on a real store,
 * against a list model that knows for each event whether retention keeps it: what every read path
 * shows is exactly what the model keeps, in order, and sequences go on where they left off.
 */
class RetentionModelProperties {
    private static final EventKind NOTED = EventKind.of(0xF, 9);
    private static final String[] SCOPES = {"s1", "s2"};
    private static final String[] ENTITIES = {"e-a", "e-b", "e-c"};

    /** One step: {@code op} picks what it does, {@code a}, {@code b}, {@code c} its arguments. */
    record Step(int op, int a, int b, int c) {
    }

    private record Row(Coordinate coordinate, long sequence, long wallMs, UUID id) {
    }

    /** What the model keeps: the same rules written apart from the engine's. */
    private static final class Model {
        final List<Row> rows = new ArrayList<>();
        final Map<String, RetentionRule> rules = new HashMap<>();
        final Map<Coordinate, Long> truncated = new HashMap<>();

        long count(Coordinate c) {
            return rows.stream().filter(r -> r.coordinate().equals(c)).count();
        }

        boolean kept(Row r, long now) {
            if (r.sequence() < truncated.getOrDefault(r.coordinate(), 0L)) {
                return false;
            }
            RetentionRule rule = rules.get(r.coordinate().scope());
            if (rule == null) {
                return true;
            }
            return (rule.maxCount() == null || r.sequence() >= count(r.coordinate()) - rule.maxCount())
                    && (rule.maxAgeMs() == null || r.wallMs() >= now - rule.maxAgeMs());
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 99),
                Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(0, 30)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 100)
    void everyReadShowsExactlyWhatTheModelKeeps(@ForAll("steps") List<Step> steps) throws IOException {
        Path dir = Files.createTempDirectory("retention-model");
        AtomicLong clock = new AtomicLong(5_000_000);
        StoreConfig config = StoreConfig.defaults(dir).withWallClock(clock::get);
        Model m = new Model();
        EventStore s = EventStore.open(config);
        try {
            for (Step st : steps) {
                Coordinate c = new Coordinate(ENTITIES[st.a() % ENTITIES.length], SCOPES[st.a() % SCOPES.length]);
                String scope = SCOPES[st.b() % SCOPES.length];
                if (st.op() < 55) {
                    AppendReceipt r = s.append(c, NOTED, new byte[] {(byte) st.c()});
                    assertEquals(m.count(c), r.sequence(), "sequences continue after hidden events");
                    m.rows.add(new Row(c, r.sequence(), clock.get(), r.eventId()));
                } else if (st.op() < 68) {
                    clock.addAndGet(st.c() * 100L);
                } else if (st.op() < 80) {
                    Long age = st.b() < 4 ? null : (st.b() - 3) * 700L;
                    Long count = st.b() >= 6 ? null : (long) (st.c() % 5);
                    RetentionRule rule = new RetentionRule(age, count);
                    s.setRetention(scope, rule);
                    m.rules.put(scope, rule);
                } else if (st.op() < 85) {
                    assertEquals(m.rules.remove(scope) != null, s.removeRetention(scope), "removing a rule of " + scope);
                } else if (st.op() < 95) {
                    long n = m.count(c);
                    if (n > 0) {
                        long before = st.c() % (n + 1);
                        long inForce = Math.max(before, m.truncated.getOrDefault(c, 0L));
                        assertEquals(inForce, s.truncate(EntityQuery.of(c), before), "truncate-before in force for " + c);
                        m.truncated.put(c, inForce);
                    }
                } else {
                    s.close();
                    s = EventStore.open(config);
                }
                check(s, m, clock.get());
            }
        } finally {
            s.close();
            TestFiles.deleteTree(dir);
        }
    }

    private static void check(EventStore s, Model m, long now) {
        List<Row> kept = m.rows.stream().filter(r -> m.kept(r, now)).toList();
        for (String scope : SCOPES) {
            for (String name : ENTITIES) {
                Coordinate c = new Coordinate(name, scope);
                List<Long> want = kept.stream().filter(r -> r.coordinate().equals(c)).map(Row::sequence).toList();
                assertEquals(want, sequences(s.readEntity(EntityQuery.of(c))), "readEntity " + c);
                assertEquals(want.subList(0, Math.min(2, want.size())),
                        sequences(s.readEntity(EntityQuery.of(c).withLimit(2))), "first page of 2 of " + c);
                assertEquals(m.count(c) - 1, s.lastSequence(EntityQuery.of(c)), "last sequence of " + c);
            }
        }
        List<UUID> wantIds = kept.stream().map(Row::id).toList();
        assertEquals(wantIds, ids(s.read(Region.all().withEntityPrefix("e-"))), "region read by prefix");
        assertEquals(wantIds, ids(s.query(EventQuery.of(new QueryItem(null, "e-", Set.of(NOTED.value()), Set.of())),
                0, 10_000).events()), "items query");
        Cursor cursor = s.cursor(Region.all().withEntityPrefix("e-"), 0);
        assertEquals(wantIds, ids(cursor.poll(10_000)), "cursor from the start");
        for (Row r : m.rows) {
            assertEquals(m.kept(r, now), s.get(EventLookup.of(r.id())).isPresent(), "get of " + r);
        }
        assertEquals(wantIds.size(), Stream.of(SCOPES).mapToLong(sc -> ids(s.read(Region.all().withScope(sc))
                .stream().filter(e -> e.coordinate().entity().startsWith("e-")).toList()).size()).sum(),
                "scope reads");
    }

    private static List<Long> sequences(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::sequence).toList();
    }

    private static List<UUID> ids(List<StoredEvent> events) {
        return events.stream().sorted(Comparator.comparingLong(StoredEvent::globalSequence)).map(StoredEvent::eventId).toList();
    }
}
