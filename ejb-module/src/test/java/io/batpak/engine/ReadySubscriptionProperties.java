package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The listener path ({@link Subscription#pollNow} plus {@link Subscription#onReady}) delivers what a
 * blocking {@link Subscription#poll} delivers: on a random log (part written before subscribing, the
 * rest while both consume), with a random filter, start, batch size and buffer, a consumer driven
 * only by listeners and one that blocks in poll each receive exactly the model's matching events
 * after the start, in ascending global sequence, with no duplicate and no gap.
 */
class ReadySubscriptionProperties {
    private static final String[] ENTITIES = {"order:1", "order:2", "user:1"};
    private static final String[] SCOPES = {"eu", "us"};
    private static final int[] KINDS = {0x1001, 0x1002};
    /** Guard against a hang only; never a performance expectation. */
    private static final long HANG_GUARD_MS = 60_000;

    /** One append: entity, scope, kind indexes, and how many events of that shape in one batch. */
    record Op(int entity, int scope, int kind, int batch) {
    }

    /** A filter: each part absent (null) or an index. */
    record Filter(Integer scope, Integer kind, String prefix) {
        Region region() {
            Region r = Region.all();
            r = scope == null ? r : r.withScope(SCOPES[scope]);
            r = kind == null ? r : r.withKind(KINDS[kind]);
            return prefix == null ? r : r.withEntityPrefix(prefix);
        }

        boolean matches(Op o) {
            return (scope == null || scope == o.scope) && (kind == null || kind == o.kind)
                    && (prefix == null || ENTITIES[o.entity].startsWith(prefix));
        }
    }

    @Provide
    Arbitrary<Op> op() {
        return Combinators.combine(Arbitraries.integers().between(0, ENTITIES.length - 1),
                Arbitraries.integers().between(0, SCOPES.length - 1), Arbitraries.integers().between(0, KINDS.length - 1),
                Arbitraries.integers().between(1, 3)).as(Op::new);
    }

    @Provide
    Arbitrary<Filter> filter() {
        return Combinators.combine(Arbitraries.integers().between(0, SCOPES.length - 1).injectNull(0.5),
                Arbitraries.integers().between(0, KINDS.length - 1).injectNull(0.5),
                Arbitraries.of("order:", "order:2", "user:").injectNull(0.5)).as(Filter::new);
    }

    @Property(tries = 40)
    void theListenerPathDeliversWhatABlockingPollDelivers(@ForAll @Size(min = 1, max = 120) List<@From("op") Op> ops,
            @ForAll @IntRange(min = 0, max = 100) int historyPercent, @ForAll("filter") Filter filter,
            @ForAll @IntRange(min = 0, max = 20) int after, @ForAll @IntRange(min = 1, max = 10) int max,
            @ForAll @IntRange(min = 1, max = 16) int buffer) throws Exception {
        Path dir = Files.createTempDirectory("batpak-ready-");
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            int history = ops.size() * historyPercent / 100;
            List<Boolean> model = new ArrayList<>(); // per global sequence - 1: does it match the filter
            for (Op o : ops) {
                for (int i = 0; i < o.batch; i++) {
                    model.add(filter.matches(o));
                }
            }
            for (Op o : ops.subList(0, history)) {
                append(store, o);
            }
            Subscription listened = store.subscribe(filter.region(), after, buffer);
            Subscription blocking = store.subscribe(filter.region(), after, buffer);
            ListenerConsumer viaListener = new ListenerConsumer(listened, threads, max);
            viaListener.start();
            List<Long> expected = new ArrayList<>();
            for (int g = after + 1; g <= model.size(); g++) {
                if (model.get(g - 1)) {
                    expected.add((long) g);
                }
            }
            Future<List<Long>> viaPoll = threads.submit(() -> pollUntil(blocking, expected.size(), max));
            for (Op o : ops.subList(history, ops.size())) {
                append(store, o);
            }
            List<Long> polled = viaPoll.get(HANG_GUARD_MS, TimeUnit.MILLISECONDS);
            List<Long> listenedTo = viaListener.awaitCount(expected.size(), HANG_GUARD_MS);
            assertEquals(expected, polled, "the blocking poll delivers the model's matching events after " + after);
            assertEquals(polled, listenedTo, "the listener path delivers the same events in the same order");
            assertTrue(listened.pollNow(max).isEmpty() && blocking.pollNow(max).isEmpty(), "and neither has more");
            assertFalse(viaListener.failed(), "no listener-driven read failed or exceeded max");
        } finally {
            threads.shutdownNow();
            deleteTree(dir);
        }
    }

    private static void append(EventStore store, Op o) {
        Coordinate c = new Coordinate(ENTITIES[o.entity], SCOPES[o.scope]);
        EventKind k = new EventKind(KINDS[o.kind]);
        List<AppendRequest> batch = new ArrayList<>();
        for (int i = 0; i < o.batch; i++) {
            batch.add(new AppendRequest(c, k, new byte[] {(byte) i}));
        }
        store.appendBatch(batch);
    }

    private static List<Long> pollUntil(Subscription s, int n, int max) throws InterruptedException {
        List<Long> got = new ArrayList<>();
        long giveUp = System.currentTimeMillis() + HANG_GUARD_MS;
        while (got.size() < n && System.currentTimeMillis() < giveUp) {
            s.poll(max, Duration.ofMillis(100)).forEach(e -> got.add(e.globalSequence()));
        }
        return got;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
