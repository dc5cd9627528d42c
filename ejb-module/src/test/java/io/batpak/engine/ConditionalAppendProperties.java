package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Conditional appends (Dynamic Consistency Boundary) and multi-item queries against a list model.
 * Queries: on a random log, {@link EventStore#query} returns exactly the events a brute-force filter
 * of the whole log keeps, in order, cut at the limit, with {@code head} the log's length. Conditions:
 * several threads append at once, each append conditional on a random query over the others'
 * entities; once all are done, every append that succeeded has no event matching its condition
 * between its {@code after} and itself in the final log, and every append that failed names as
 * {@code matched} the first matching event after its {@code after}, which precedes the failure.
 */
class ConditionalAppendProperties {
    private static final String[] ENTITIES = {"course:1", "course:2", "student:1", "student:22"};
    private static final String[] SCOPES = {"uni", "school"};
    private static final int[] KINDS = {0x1001, 0x1002, 0x2001};

    /** An event of the model log: entity, scope, kind indexes. */
    record Ev(int entity, int scope, int kind) {
    }

    /** A query item: each field null (absent) or an index/value. */
    record Item(Integer scope, String prefix, Set<Integer> kinds, Set<Integer> categories) {
        QueryItem toItem() {
            return new QueryItem(scope == null ? null : SCOPES[scope], prefix, kinds, categories);
        }
    }

    /** One thread's append: its event and its condition (items, whether after is the current head or 0). */
    record Op(Ev event, List<Item> items, boolean restrictGrants, int afterChoice) {
    }

    @Provide
    Arbitrary<Ev> event() {
        return Combinators.combine(Arbitraries.integers().between(0, ENTITIES.length - 1),
                Arbitraries.integers().between(0, SCOPES.length - 1), Arbitraries.integers().between(0, KINDS.length - 1))
                .as(Ev::new);
    }

    @Provide
    Arbitrary<Item> item() {
        Arbitrary<Integer> scope = Arbitraries.integers().between(0, SCOPES.length - 1).injectNull(0.5);
        Arbitrary<String> prefix = Arbitraries.of("course:", "student:", "course:1", "s").injectNull(0.5);
        Arbitrary<Set<Integer>> kinds = Arbitraries.of(KINDS[0], KINDS[1], KINDS[2]).set().ofMaxSize(2);
        Arbitrary<Set<Integer>> categories = Arbitraries.of(1, 2, 3).set().ofMaxSize(2);
        return Combinators.combine(scope, prefix, kinds, categories).as(Item::new);
    }

    @Provide
    Arbitrary<List<Item>> items() {
        return item().list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(event(), items(), Arbitraries.of(true, false), Arbitraries.integers().between(0, 2))
                .as(Op::new).list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 60)
    void queriesReturnExactlyWhatAFilterOfTheWholeLogKeeps(@ForAll("logs") List<Ev> log, @ForAll("items") List<Item> items,
                                                          @ForAll boolean restrictGrants, @ForAll("afters") int after,
                                                          @ForAll("limits") int limit) throws IOException {
        Path dir = Files.createTempDirectory("batpak-dcb-query-");
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            for (Ev e : log) {
                s.append(coordinate(e), EventKind.of(KINDS[e.kind()] >>> 12, KINDS[e.kind()] & 0xFFF), new byte[0]);
            }
            EventQuery q = query(items, restrictGrants);
            QueryResult r = s.query(q, after, limit);
            List<Long> expected = new ArrayList<>();
            for (int g = after + 1; g <= log.size() && expected.size() < limit; g++) {
                Ev e = log.get(g - 1);
                if (model(items, restrictGrants, ENTITIES[e.entity()], SCOPES[e.scope()], KINDS[e.kind()])) {
                    expected.add((long) g);
                }
            }
            assertEquals(expected, r.events().stream().map(StoredEvent::globalSequence).toList(),
                    "query " + q + " after " + after + " limit " + limit + " over " + log);
            assertEquals(log.size(), r.head(), "head is the store's global sequence at the read");
        } finally {
            deleteTree(dir);
        }
    }

    @Provide
    Arbitrary<List<Ev>> logs() {
        return event().list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<Integer> afters() {
        return Arbitraries.integers().between(0, 45);
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.integers().between(1, 50);
    }

    @Property(tries = 40)
    void aConditionalAppendSucceedsExactlyWhenNothingMatchedSinceItsPosition(@ForAll("ops") List<Op> ops)
            throws Exception {
        Path dir = Files.createTempDirectory("batpak-dcb-");
        record Outcome(Op op, long after, long committedAt, long matched) {
        }
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            int threads = 4;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Op> mine = new ArrayList<>();
                for (int i = t; i < ops.size(); i += threads) {
                    mine.add(ops.get(i));
                }
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                        for (Op op : mine) {
                            EventQuery q = query(op.items(), op.restrictGrants());
                            long after = op.afterChoice() == 0 ? 0 : s.query(q, 0, 1).head() - (op.afterChoice() == 2 ? 1 : 0);
                            AppendCondition c = new AppendCondition(q, Math.max(0, after));
                            Ev e = op.event();
                            AppendRequest r = new AppendRequest(coordinate(e),
                                    EventKind.of(KINDS[e.kind()] >>> 12, KINDS[e.kind()] & 0xFFF), new byte[0]);
                            try {
                                long at = s.appendBatch(List.of(r), c).get(0).globalSequence();
                                outcomes.add(new Outcome(op, c.after(), at, -1));
                            } catch (ConditionFailedException failed) {
                                outcomes.add(new Outcome(op, c.after(), -1, failed.matched()));
                            }
                        }
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                });
                workers.add(w);
                w.start();
            }
            start.countDown();
            for (Thread w : workers) {
                w.join(TimeUnit.MINUTES.toMillis(2));
                assertTrue(!w.isAlive(), "an appender hung (hang guard, not a timing expectation)");
            }
            assertEquals(ops.size(), outcomes.size(), "every append answered (committed or condition-failed)");
            List<StoredEvent> log = s.read(Region.all().withLimit(10_000));
            for (Outcome o : outcomes) {
                String q = o.op().items() + (o.op().restrictGrants() ? " in scope " + SCOPES[0] : "");
                if (o.committedAt() > 0) {
                    for (StoredEvent e : log) {
                        long g = e.globalSequence();
                        assertTrue(!(g > o.after() && g < o.committedAt() && model(o.op(), e)), "append at "
                                + o.committedAt() + " committed although event " + g + " matched its condition " + q
                                + " after " + o.after());
                    }
                } else {
                    StoredEvent m = log.get((int) o.matched() - 1);
                    assertTrue(o.matched() > o.after() && model(o.op(), m), "condition-failed named event "
                            + o.matched() + ", which does not match " + q + " after " + o.after());
                    for (StoredEvent e : log.subList((int) o.after(), (int) o.matched() - 1)) {
                        assertTrue(!model(o.op(), e), "condition-failed named " + o.matched() + " but "
                                + e.globalSequence() + " matched first (" + q + ")");
                    }
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static Coordinate coordinate(Ev e) {
        return new Coordinate(ENTITIES[e.entity()], SCOPES[e.scope()]);
    }

    private static EventQuery query(List<Item> items, boolean restrictGrants) {
        return new EventQuery(items.stream().map(Item::toItem).toList(),
                restrictGrants ? ScopeGrants.of(List.of(SCOPES[0])) : ScopeGrants.ALL);
    }

    /** The model's own matching, written apart from the engine's {@link QueryItem#matches}. */
    private static boolean model(List<Item> items, boolean restrictGrants, String entity, String scope, int kind) {
        if (restrictGrants && !scope.equals(SCOPES[0])) {
            return false;
        }
        for (Item i : items) {
            boolean ok = (i.scope() == null || SCOPES[i.scope()].equals(scope))
                    && (i.prefix() == null || entity.startsWith(i.prefix()))
                    && (i.kinds().isEmpty() || i.kinds().contains(kind))
                    && (i.categories().isEmpty() || i.categories().contains(kind >> 12));
            if (ok) {
                return true;
            }
        }
        return false;
    }

    private static boolean model(Op op, StoredEvent e) {
        return model(op.items(), op.restrictGrants(), e.coordinate().entity(), e.coordinate().scope(), e.kind().value());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
