package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The index against a model: random appends, batches, CAS attempts and reopens on a real store,
 * then random regions queried on both. The model is a plain list of (entity, scope, kind, sequence)
 * in commit order.
 */
class IndexModelProperties {
    private static final String[] ENTITIES = {"a:1", "a:2", "ab:1", "b:1", "b:22", "c"};
    private static final String[] SCOPES = {"s1", "s2", "s3"};
    private static final int[] KINDS = {0x1001, 0x1002, 0xF001, 0xF7FF, 0xE000};

    /** One model row; global sequence = position + 1. */
    private record Row(String entity, String scope, int kind, long sequence) {
    }

    /** An operation: kind 0 single, 1 batch of 1..4, 2 CAS (right or wrong), 3 reopen. */
    private record Op(int type, int entity, int scope, int kind, int size, boolean casRight) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 9), Arbitraries.integers().between(0, ENTITIES.length - 1),
                Arbitraries.integers().between(0, SCOPES.length - 1), Arbitraries.integers().between(0, KINDS.length - 1),
                Arbitraries.integers().between(1, 4), Arbitraries.of(true, false))
                .as((t, e, s, k, n, right) -> new Op(t < 5 ? 0 : t < 7 ? 1 : t < 9 ? 2 : 3, e, s, k, n, right));
        return op.list().ofMinSize(1).ofMaxSize(60);
    }

    @Provide
    Arbitrary<List<Region>> regions() {
        Arbitrary<String> prefix = Arbitraries.of("a", "a:", "ab", "b:2", "c", "zz").injectNull(0.5);
        Arbitrary<String> scope = Arbitraries.of(SCOPES).injectNull(0.6);
        Arbitrary<Integer> kind = Arbitraries.of(0x1001, 0x1002, 0xF001, 0xF7FF, 0xE000, 0x3333).injectNull(0.7);
        Arbitrary<Integer> category = Arbitraries.of(0x1, 0xF, 0xE, 0x3).injectNull(0.7);
        Arbitrary<long[]> range = Arbitraries.longs().between(0, 6).flatMap(min -> Arbitraries.longs().between(min, 12)
                .map(max -> new long[] {min, max})).injectNull(0.6);
        Arbitrary<Long> after = Arbitraries.longs().between(0, 80);
        Arbitrary<Integer> limit = Arbitraries.integers().between(1, 100);
        return Combinators.combine(prefix, scope, kind, category, range, after, limit)
                .as((p, s, k, c, r, a, l) -> new Region(p, s, k, c, r == null ? 0 : r[0], r == null ? Long.MAX_VALUE : r[1], a, l))
                .list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 40)
    void queriesMatchTheModel(@ForAll("ops") List<Op> ops, @ForAll("regions") List<Region> regions) throws IOException {
        Path dir = Files.createTempDirectory("batpak-model");
        List<Row> model = new ArrayList<>();
        StoreConfig config = StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER).withSegmentMaxBytes(4096);
        EventStore s = EventStore.open(config);
        try {
            for (Op op : ops) {
                switch (op.type()) {
                    case 0 -> {
                        s.append(new Coordinate(ENTITIES[op.entity()], SCOPES[op.scope()]), new EventKind(KINDS[op.kind()]), new byte[] {1});
                        model.add(new Row(ENTITIES[op.entity()], SCOPES[op.scope()], KINDS[op.kind()], last(model, ENTITIES[op.entity()]) + 1));
                    }
                    case 1 -> {
                        List<AppendRequest> batch = new ArrayList<>();
                        List<Row> rows = new ArrayList<>();
                        for (int i = 0; i < op.size(); i++) {
                            String e = ENTITIES[(op.entity() + i) % ENTITIES.length];
                            String sc = SCOPES[(op.scope() + i) % SCOPES.length];
                            int k = KINDS[(op.kind() + i) % KINDS.length];
                            batch.add(new AppendRequest(new Coordinate(e, sc), new EventKind(k), new byte[] {2}));
                            List<Row> view = new ArrayList<>(model);
                            view.addAll(rows);
                            rows.add(new Row(e, sc, k, last(view, e) + 1));
                        }
                        s.appendBatch(batch);
                        model.addAll(rows);
                    }
                    case 2 -> {
                        String e = ENTITIES[op.entity()];
                        long expected = op.casRight() ? last(model, e) : last(model, e) + 3;
                        try {
                            s.append(new AppendRequest(new Coordinate(e, SCOPES[op.scope()]), new EventKind(KINDS[op.kind()]), new byte[0],
                                    AppendOptions.NONE.withExpectedSequence(expected)));
                            assertEquals(true, op.casRight(), "a CAS with a wrong expectation committed");
                            model.add(new Row(e, SCOPES[op.scope()], KINDS[op.kind()], expected + 1));
                        } catch (SequenceMismatchException m) {
                            assertEquals(false, op.casRight(), "a CAS with the right expectation failed: " + m.getMessage());
                        }
                    }
                    default -> {
                        s.close();
                        s = EventStore.open(config);
                    }
                }
            }
            for (Region r : regions) {
                assertEquals(modelQuery(model, r), gseqs(s.query(r)), "query " + r + " disagrees with the model (StoreIndex.query)");
            }
            for (String e : ENTITIES) {
                assertEquals(last(model, e), s.lastSequence(e), "lastSequence of " + e);
                assertEquals(model.stream().filter(x -> x.entity().equals(e)).count(), s.readEntity(e, 0, 1000).size());
            }
        } finally {
            s.close();
            CrashRecoveryTest.deleteTree(dir);
        }
    }

    private static long last(List<Row> model, String entity) {
        long last = -1;
        for (Row r : model) {
            if (r.entity().equals(entity)) {
                last = r.sequence();
            }
        }
        return last;
    }

    private static List<Long> modelQuery(List<Row> model, Region r) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < model.size() && out.size() < r.limit(); i++) {
            Row row = model.get(i);
            if (i + 1 > r.afterGlobalSequence() && r.matches(row.entity(), row.scope(), row.kind(), row.sequence())) {
                out.add(i + 1L);
            }
        }
        return out;
    }

    private static List<Long> gseqs(List<IndexEntry> entries) {
        return entries.stream().map(IndexEntry::globalSequence).toList();
    }
}
