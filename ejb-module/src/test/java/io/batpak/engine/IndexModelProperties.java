package io.batpak.engine;

import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.log.CheckpointFile;
import io.batpak.engine.log.LogWriter;
import io.batpak.engine.log.TestFiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The store against a plain in-memory model: random single appends, atomic batches (some
 * conditional), compare-and-swap appends with right and wrong expectations, idempotent appends and
 * repeats, and reopens of several kinds (clean, checkpoint deleted, checkpoint then crash-copy) run
 * on a real store; then random regions, entity reads, point reads and last sequences are asked of
 * both. The model is a list of rows in commit order (global sequence = position + 1) and a TreeMap
 * of idempotency keys.
 */
class IndexModelProperties {
    private static final String[] ENTITIES = {"a:1", "a:2", "ab:1", "b:1", "b:22", "c", "ä:1", "ä😀"};
    private static final String[] SCOPES = {"s1", "s2", "δ"};
    private static final int[] KINDS = {0x1001, 0x1002, 0xF001, 0xF7FF, 0xE000, 0x1FFF};
    private static final String[] KEYS = {"k1", "k2", "schlüssel", "🔑"};

    /** One committed event of the model; its global sequence is its position in the list + 1. */
    private record Row(String entity, String scope, int kind, long sequence, byte[] payload, AppendReceipt receipt) {
    }

    private static final class Model {
        final List<Row> rows = new ArrayList<>();
        final Map<String, AppendRequest> keyRequests = new TreeMap<>();
        final Map<String, AppendReceipt> keyReceipts = new TreeMap<>();

        /** The last sequence of {@code entity@scope}: an entity is a name within one scope. */
        long last(String entity, String scope) {
            long last = AppendOptions.NO_EVENTS;
            for (Row r : rows) {
                if (r.entity().equals(entity) && r.scope().equals(scope)) {
                    last = r.sequence();
                }
            }
            return last;
        }

        List<Row> query(Region q) {
            List<Row> out = new ArrayList<>();
            for (int i = 0; i < rows.size() && out.size() < q.limit(); i++) {
                Row r = rows.get(i);
                boolean match = i + 1 > q.afterGlobalSequence()
                        && (q.entityPrefix() == null || r.entity().startsWith(q.entityPrefix()))
                        && (q.scope() == null || q.scope().equals(r.scope()))
                        && (q.kind() == null || q.kind() == r.kind())
                        && (q.category() == null || q.category() == r.kind() >> 12)
                        && r.sequence() >= q.minSequence() && r.sequence() <= q.maxSequence();
                if (match) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    // ---- operations ----

    enum Type { SINGLE, BATCH, CAS, IDEMPOTENT, REOPEN }

    /** One generated operation; which fields matter depends on the type. */
    record Op(Type type, int entity, int scope, int kind, int size, int variant, int payloadSize) {
        @Override
        public String toString() {
            return type + "(e=" + ENTITIES[entity] + ", s=" + SCOPES[scope] + ", k=0x" + Integer.toHexString(KINDS[kind])
                    + ", n=" + size + ", v=" + variant + ", p=" + payloadSize + ")";
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Type> type = Arbitraries.frequency(Tuple.of(8, Type.SINGLE), Tuple.of(3, Type.BATCH), Tuple.of(4, Type.CAS),
                Tuple.of(2, Type.IDEMPOTENT), Tuple.of(1, Type.REOPEN));
        Arbitrary<Op> op = Combinators.combine(type, Arbitraries.integers().between(0, ENTITIES.length - 1),
                Arbitraries.integers().between(0, SCOPES.length - 1), Arbitraries.integers().between(0, KINDS.length - 1),
                Arbitraries.integers().between(1, 4), Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 40)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(70);
    }

    @Provide
    Arbitrary<List<Region>> regions() {
        Arbitrary<String> prefix = Arbitraries.of("", "a", "a:", "ab", "b:2", "c", "ä", "ä😀", "ä😀x", "zz").injectNull(0.4);
        Arbitrary<String> scope = Arbitraries.of("s1", "s2", "δ", "nope").injectNull(0.6);
        Arbitrary<Integer> kind = Arbitraries.of(0x1001, 0x1002, 0xF001, 0xF7FF, 0xE000, 0x1FFF, 0x3333).injectNull(0.7);
        Arbitrary<Integer> category = Arbitraries.of(0x1, 0xF, 0xE, 0x3).injectNull(0.7);
        Arbitrary<long[]> range = Arbitraries.longs().between(0, 8).flatMap(min -> Arbitraries.longs().between(min, 20)
                .map(max -> new long[] {min, max})).injectNull(0.5);
        Arbitrary<Long> after = Arbitraries.longs().between(0, 200);
        Arbitrary<Integer> limit = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.integers().between(1, 30)),
                Tuple.of(1, Arbitraries.just(Integer.MAX_VALUE)));
        return Combinators.combine(prefix, scope, kind, category, range, after, limit)
                .as((p, s, k, c, r, a, l) -> new Region(p, s, k, c, r == null ? 0 : r[0], r == null ? Long.MAX_VALUE : r[1], a, l))
                .list().ofMinSize(1).ofMaxSize(30);
    }

    private static byte[] payload(Op op, int salt) {
        byte[] p = new byte[op.payloadSize()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (salt * 31 + i);
        }
        return p;
    }

    @Property(tries = 50)
    void storeAnswersLikeTheModel(@ForAll("ops") List<Op> ops, @ForAll("regions") List<Region> regions) throws IOException {
        Path root = Files.createTempDirectory("batpak-model");
        Path[] dir = {root.resolve("store-0")};
        Model model = new Model();
        EventStore s = EventStore.open(config(dir[0]));
        try {
            int step = 0;
            for (Op op : ops) {
                step++;
                String where = "step " + step + " " + op;
                s = apply(s, op, model, root, dir, step, where);
                assertEquals(model.rows.size(), s.globalSequence(), where + ": globalSequence() disagrees with the model");
            }
            checkAll(s, model, regions, "after " + ops.size() + " operations");
            s.close();
            s = EventStore.open(config(dir[0]));
            checkAll(s, model, regions, "after " + ops.size() + " operations and a final reopen");
        } finally {
            s.close();
            TestFiles.deleteTree(root);
        }
    }

    private static StoreConfig config(Path dir) {
        return StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER).withSegmentMaxBytes(4096);
    }

    private static EventStore apply(EventStore s, Op op, Model model, Path root, Path[] dir, int step, String where)
            throws IOException {
        String e = ENTITIES[op.entity()];
        String sc = SCOPES[op.scope()];
        int k = KINDS[op.kind()];
        switch (op.type()) {
            case SINGLE -> {
                byte[] p = payload(op, step);
                AppendReceipt r = s.append(new Coordinate(e, sc), new EventKind(k), p);
                addRow(model, new Row(e, sc, k, model.last(e, sc) + 1, p, r), where);
            }
            case BATCH -> {
                List<AppendRequest> batch = new ArrayList<>();
                List<Row> rows = new ArrayList<>();
                Map<String, Long> next = new HashMap<>();
                // variant 0/1: unconditional; 2: first item expects the right sequence; 3: a wrong one
                long expectFirst = op.variant() == 3 ? model.last(e, sc) + 1 : model.last(e, sc);
                for (int i = 0; i < op.size(); i++) {
                    // variant 0 repeats entities within the batch (e, e, e+1, e+1), the others spread them
                    String be = ENTITIES[(op.entity() + i * (op.variant() + 1) / 2) % ENTITIES.length];
                    String bs = SCOPES[(op.scope() + i) % SCOPES.length];
                    int bk = KINDS[(op.kind() + i) % KINDS.length];
                    byte[] p = payload(op, step * 8 + i);
                    AppendOptions o = i == 0 && op.variant() >= 2 ? AppendOptions.NONE.withExpectedSequence(expectFirst)
                            : AppendOptions.NONE;
                    batch.add(new AppendRequest(new Coordinate(be, bs), new EventKind(bk), p, o));
                    long seq = next.getOrDefault(be + "@" + bs, model.last(be, bs)) + 1;
                    next.put(be + "@" + bs, seq);
                    rows.add(new Row(be, bs, bk, seq, p, null));
                }
                try {
                    List<AppendReceipt> receipts = s.appendBatch(batch);
                    assertTrue(op.variant() != 3, where + ": a batch whose first item expected the wrong sequence committed"
                            + " — see LogWriter.validate");
                    for (int i = 0; i < rows.size(); i++) {
                        Row r = rows.get(i);
                        addRow(model, new Row(r.entity(), r.scope(), r.kind(), r.sequence(), r.payload(), receipts.get(i)), where);
                    }
                } catch (SequenceMismatchException m) {
                    assertEquals(3, op.variant(), where + ": a batch with the right expectation failed: " + m.getMessage());
                    assertEquals(model.last(e, sc), m.actual(), where + ": the mismatch reports the wrong actual sequence");
                }
            }
            case CAS -> {
                long last = model.last(e, sc);
                long expected = switch (op.variant()) {
                    case 0, 1 -> last;
                    case 2 -> last + 1 + op.size();
                    default -> last >= 0 ? last - 1 : AppendOptions.NO_EVENTS + 1;
                };
                boolean right = expected == last;
                byte[] p = payload(op, step);
                try {
                    AppendReceipt r = s.append(new AppendRequest(new Coordinate(e, sc), new EventKind(k), p,
                            AppendOptions.NONE.withExpectedSequence(expected)));
                    assertTrue(right, where + ": a CAS expecting " + expected + " committed although " + e + " is at "
                            + last + " — see LogWriter.validate");
                    addRow(model, new Row(e, sc, k, last + 1, p, r), where);
                } catch (SequenceMismatchException m) {
                    assertFalse(right, where + ": a CAS with the right expectation " + expected + " failed: " + m.getMessage());
                    assertEquals(last, m.actual(), where + ": the mismatch reports the wrong actual sequence");
                    assertEquals(expected, m.expected(), where + ": the mismatch reports the wrong expectation");
                }
            }
            case IDEMPOTENT -> {
                String key = KEYS[op.variant()];
                String scopedKey = sc + "/" + key; // keys are unique within a scope only
                AppendRequest earlier = model.keyRequests.get(scopedKey);
                // size 1..2: repeat the earlier request exactly (if any); 3..4: a request of its own
                AppendRequest req = earlier != null && op.size() <= 2 ? earlier
                        : new AppendRequest(new Coordinate(e, sc), new EventKind(k), payload(op, step),
                        AppendOptions.NONE.withIdempotencyKey(key));
                boolean same = earlier != null && earlier.coordinate().equals(req.coordinate())
                        && earlier.kind().equals(req.kind()) && Arrays.equals(earlier.payload(), req.payload());
                try {
                    AppendReceipt r = s.append(req);
                    if (earlier == null) {
                        assertFalse(r.replayed(), where + ": a first use of key " + key + " was answered as a replay");
                        addRow(model, new Row(e, sc, k, model.last(e, sc) + 1, req.payload(), r), where);
                        model.keyRequests.put(scopedKey, req);
                        model.keyReceipts.put(scopedKey, r);
                    } else {
                        assertTrue(same, where + ": reusing key " + key + " for a different request was accepted");
                        AppendReceipt first = model.keyReceipts.get(scopedKey);
                        assertTrue(r.replayed(), where + ": repeating key " + key + " appended again — see LogWriter.validate");
                        assertEquals(first.eventId(), r.eventId(), where + ": the replay names another event");
                        assertEquals(first.globalSequence(), r.globalSequence(), where + ": the replay names another gseq");
                        assertArrayEquals(first.hash(), r.hash(), where + ": the replay carries another hash");
                    }
                } catch (StoreException x) {
                    assertEquals(ErrorCode.IDEMPOTENCY_KEY_REUSED, x.code(), where + ": unexpected failure " + x);
                    assertTrue(earlier != null && !same, where + ": key " + key + " refused although "
                            + (earlier == null ? "unused" : "the request is the same"));
                }
            }
            case REOPEN -> {
                switch (op.variant()) {
                    case 0 -> s.close();
                    case 1 -> {
                        s.close();
                        Files.deleteIfExists(CheckpointFile.path(dir[0]));
                    }
                    case 2 -> s.checkpoint();
                    default -> {
                        // Checkpoint, append on, sync, and "crash": continue on a copy taken while the store is open.
                        s.checkpoint();
                        byte[] p = payload(op, step);
                        AppendReceipt r = s.append(new Coordinate(e, sc), new EventKind(k), p);
                        addRow(model, new Row(e, sc, k, model.last(e, sc) + 1, p, r), where);
                        s.sync();
                        Path copy = root.resolve("store-" + step);
                        TestFiles.copyDataDir(dir[0], copy);
                        s.close();
                        dir[0] = copy;
                    }
                }
                if (op.variant() != 2) {
                    s = EventStore.open(config(dir[0]));
                }
            }
            default -> throw new IllegalStateException();
        }
        return s;
    }

    private static void addRow(Model model, Row row, String where) {
        model.rows.add(row);
        assertEquals(model.rows.size(), row.receipt().globalSequence(), where + ": receipt's global sequence");
        assertEquals(row.sequence(), row.receipt().sequence(), where + ": receipt's entity sequence for " + row.entity());
    }

    private static void checkAll(EventStore s, Model model, List<Region> regions, String when) {
        for (Region q : regions) {
            List<Long> want = model.query(q).stream().map(r -> r.receipt().globalSequence()).toList();
            List<IndexEntry> got = s.query(q);
            assertEquals(want, got.stream().map(IndexEntry::globalSequence).toList(), when + ": query(" + q
                    + ") disagrees with the model — see StoreIndex.query");
            for (IndexEntry e : got) {
                Row r = model.rows.get((int) e.globalSequence() - 1);
                assertEquals(r.receipt().eventId(), e.eventId(), when + ": query entry gseq " + e.globalSequence() + " id");
                assertEquals(new Coordinate(r.entity(), r.scope()), e.coordinate(), when + ": entry coordinate");
                assertEquals(r.kind(), e.kind().value(), when + ": entry kind");
                assertEquals(r.sequence(), e.sequence(), when + ": entry sequence");
            }
        }
        Region some = regions.get(0);
        List<StoredEvent> read = s.read(some);
        List<Row> want = model.query(some);
        assertEquals(want.size(), read.size(), when + ": read(" + some + ") size");
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals(want.get(i).payload(), read.get(i).payload(), when + ": read(" + some + ") payload " + i);
        }
        for (String name : ENTITIES) {
            for (String scope : SCOPES) {
                Coordinate e = new Coordinate(name, scope);
                long last = model.last(name, scope);
                assertEquals(last, s.lastSequence(EntityQuery.of(e)), when + ": lastSequence(" + e + ") — see StoreIndex.entityVisibleEvents");
                List<Row> rows = model.rows.stream().filter(r -> r.entity().equals(name) && r.scope().equals(scope)).toList();
                for (long from : new long[] {0, 1, Math.max(0, last - 1), last + 1}) {
                    for (int limit : new int[] {1, 2, 1000}) {
                        List<StoredEvent> got = s.readEntity(EntityQuery.of(e).withFrom(from).withLimit(limit));
                        List<Row> exp = rows.subList((int) Math.min(from, rows.size()), (int) Math.min(rows.size(), from + limit));
                        assertEquals(exp.size(), got.size(), when + ": readEntity(" + e + ", " + from + ", " + limit + ") size");
                        for (int i = 0; i < exp.size(); i++) {
                            assertEquals(exp.get(i).receipt().globalSequence(), got.get(i).globalSequence(),
                                    when + ": readEntity(" + e + ", " + from + ", " + limit + ") item " + i);
                            assertArrayEquals(exp.get(i).payload(), got.get(i).payload(), when + ": readEntity payload");
                        }
                    }
                }
                assertTrue(s.verify(EntityQuery.of(e)).valid(), when + ": verify(" + e + ")");
            }
        }
        assertEquals(AppendOptions.NO_EVENTS, s.lastSequence(EntityQuery.of("never-written")), when + ": lastSequence of an unknown entity");
        for (Row r : model.rows) {
            StoredEvent ev = s.get(EventLookup.of(r.receipt().eventId())).orElseThrow(() -> new AssertionError(when + ": get() lost gseq "
                    + r.receipt().globalSequence()));
            assertEquals(r.receipt().globalSequence(), ev.globalSequence(), when + ": get() gseq");
            assertArrayEquals(r.payload(), ev.payload(), when + ": get() payload of gseq " + ev.globalSequence());
            assertArrayEquals(r.receipt().hash(), ev.hash(), when + ": get() hash of gseq " + ev.globalSequence());
        }
    }

    // ---- many entities under one prefix ----

    @Provide
    Arbitrary<List<String>> manyNames() {
        return Arbitraries.strings().withChars("abc").ofMinLength(1).ofMaxLength(9).list().ofMinSize(200).ofMaxSize(450);
    }

    @Provide
    Arbitrary<List<Region>> prefixRegions() {
        Arbitrary<String> prefix = Arbitraries.strings().withChars("abc").ofMinLength(0).ofMaxLength(4);
        Arbitrary<long[]> range = Arbitraries.longs().between(0, 2).flatMap(min -> Arbitraries.longs().between(min, 4)
                .map(max -> new long[] {min, max}));
        return Combinators.combine(prefix, range, Arbitraries.longs().between(0, 400), Arbitraries.integers().between(1, 2000),
                        Arbitraries.of(0x1001, 0x2002).injectNull(0.7))
                .as((p, r, a, l, k) -> new Region(p, null, k, null, r[0], r[1], a, l)).list().ofMinSize(5).ofMaxSize(20);
    }

    /** Prefixes matched by more than 256 entities take another path in StoreIndex.query than narrow ones. */
    @Property(tries = 12)
    void prefixQueriesOverManyEntitiesMatchTheModel(@ForAll("manyNames") List<String> names,
                                                    @ForAll("prefixRegions") List<Region> regions) throws IOException {
        Path dir = Files.createTempDirectory("batpak-prefix");
        Model model = new Model();
        try (EventStore s = EventStore.open(config(dir))) {
            for (int i = 0; i < names.size(); i++) {
                String e = names.get(i);
                int kind = i % 3 == 0 ? 0x2002 : 0x1001;
                byte[] p = e.getBytes(StandardCharsets.UTF_8);
                AppendReceipt r = s.append(new Coordinate(e, "s1"), new EventKind(kind), p);
                addRow(model, new Row(e, "s1", kind, model.last(e, "s1") + 1, p, r), "append " + i);
            }
            for (Region q : regions) {
                List<Long> want = model.query(q).stream().map(r -> r.receipt().globalSequence()).toList();
                assertEquals(want, s.query(q).stream().map(IndexEntry::globalSequence).toList(), "query(" + q + ") over "
                        + names.stream().distinct().count() + " entities disagrees with the model — see StoreIndex.prefixSource");
            }
        } finally {
            TestFiles.deleteTree(dir);
        }
    }
}
