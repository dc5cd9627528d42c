package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The Outcome algebra: functor and monad laws over generated outcomes of every variant, batches
 * nested up to three deep, and generated functions that themselves return every variant; then the
 * precedence and flattening rules of zip, joinAll and joinAny.
 */
class OutcomeProperties {

    /** A generated pure function Integer -> Integer, printable when jqwik reports a counterexample. */
    record Lin(int a, int b) implements Function<Integer, Integer> {
        @Override
        public Integer apply(Integer x) {
            return x * a + b;
        }
    }

    /** A generated Integer -> Outcome function; {@code variant} picks which kind of outcome it returns. */
    record Step(int variant, int a) implements Function<Integer, Outcome<Integer>> {
        @Override
        public Outcome<Integer> apply(Integer x) {
            return switch (variant) {
                case 0 -> Outcome.ok(x + a);
                case 1 -> x % 2 == 0 ? Outcome.ok(x * a) : Outcome.err("odd", "odd input " + x);
                case 2 -> Outcome.batch(List.of(Outcome.ok(x), Outcome.ok(x - a)));
                case 3 -> Outcome.retry(a & 0xFF, 1, 2, "busy at " + x);
                case 4 -> Outcome.batch(List.of(Outcome.ok(x), Outcome.cancelled("stop after " + x)));
                default -> Outcome.pending(new WaitCondition.Until(x), new UUID(a, x));
            };
        }
    }

    @Provide
    Arbitrary<Outcome<Integer>> outcomes() {
        return outcome(3);
    }

    @Provide
    Arbitrary<List<Outcome<Integer>>> outcomeLists() {
        return outcome(2).list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<Outcome<Integer>> leaves() {
        return outcome(0);
    }

    @Provide
    Arbitrary<Lin> lins() {
        return Combinators.combine(Arbitraries.integers().between(-5, 5), Arbitraries.integers().between(-50, 50))
                .as(Lin::new);
    }

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers().between(-9, 9))
                .as(Step::new);
    }

    private static Arbitrary<Outcome<Integer>> outcome(int depth) {
        Arbitrary<Outcome<Integer>> ok = Arbitraries.integers().between(-100, 100).map(Outcome::ok);
        Arbitrary<Outcome<Integer>> err = Arbitraries.of("not-found", "conflict")
                .map(code -> Outcome.err(code, "failed: " + code));
        Arbitrary<Outcome<Integer>> retry = Combinators.combine(Arbitraries.longs().between(0, 1000),
                Arbitraries.integers().between(1, 3)).as((ms, attempt) -> Outcome.retry(ms, attempt, 3, "busy"));
        Arbitrary<Outcome<Integer>> pending = Arbitraries.longs().between(0, 1000)
                .map(t -> Outcome.pending(new WaitCondition.Until(t), new UUID(7, t)));
        Arbitrary<Outcome<Integer>> cancelled = Arbitraries.of("user", "timeout").map(Outcome::cancelled);
        Arbitrary<Outcome<Integer>> leaf = Arbitraries.frequencyOf(Tuple.of(4, ok), Tuple.of(1, err),
                Tuple.of(1, retry), Tuple.of(1, pending), Tuple.of(1, cancelled));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Outcome<Integer>> batch = Arbitraries.lazy(() -> outcome(depth - 1)).list().ofMaxSize(4)
                .map(Outcome::batch);
        return Arbitraries.frequencyOf(Tuple.of(3, leaf), Tuple.of(1, batch));
    }

    // ---- functor laws ----

    @Property
    void mapIdentityChangesNothing(@ForAll("outcomes") Outcome<Integer> m) {
        assertEquals(m, m.map(x -> x), "map(identity) must return an equal outcome");
    }

    @Property
    void mapComposes(@ForAll("outcomes") Outcome<Integer> m, @ForAll("lins") Lin f, @ForAll("lins") Lin g) {
        assertEquals(m.map(f.andThen(g)), m.map(f).map(g), "map(f).map(g) must equal map(g after f)");
    }

    // ---- monad laws ----

    @Property
    void flatMapLeftIdentity(@ForAll int x, @ForAll("steps") Step f) {
        assertEquals(f.apply(x), Outcome.ok(x).flatMap(f), "ok(x).flatMap(f) must equal f(x)");
    }

    @Property
    void flatMapRightIdentity(@ForAll("outcomes") Outcome<Integer> m) {
        assertEquals(m, m.flatMap(Outcome::ok), "m.flatMap(ok) must equal m");
    }

    @Property
    void flatMapIsAssociative(@ForAll("outcomes") Outcome<Integer> m, @ForAll("steps") Step f,
                              @ForAll("steps") Step g) {
        assertEquals(m.flatMap(x -> f.apply(x).flatMap(g)), m.flatMap(f).flatMap(g),
                "m.flatMap(f).flatMap(g) must equal m.flatMap(x -> f(x).flatMap(g))");
    }

    @Property
    void mapIsFlatMapIntoOk(@ForAll("outcomes") Outcome<Integer> m, @ForAll("lins") Lin f) {
        assertEquals(m.flatMap(x -> Outcome.ok(f.apply(x))), m.map(f), "map(f) must equal flatMap(ok after f)");
    }

    // ---- zip ----

    @Property
    void zipWithOkOnEitherSideKeepsTheOther(@ForAll int x, @ForAll("outcomes") Outcome<Integer> m) {
        assertEquals(m, Outcome.zip(Outcome.ok(x), m, (a, b) -> b), "zip(ok, m) projected on m must be m");
        assertEquals(m, Outcome.zip(m, Outcome.ok(x), (a, b) -> a), "zip(m, ok) projected on m must be m");
    }

    @Property
    void zipOfTwoOksCombinesTheValues(@ForAll int x, @ForAll int y) {
        assertEquals(Outcome.ok((long) x + y), Outcome.zip(Outcome.ok(x), Outcome.ok(y), (a, b) -> (long) a + b));
    }

    @Property
    void zipOfNonOkLeavesKeepsTheHigherPrecedenceAndTheFirstOnTies(@ForAll("leaves") Outcome<Integer> a,
                                                                    @ForAll("leaves") Outcome<Integer> b) {
        if (a.isOk() || b.isOk()) {
            return;
        }
        Outcome<Integer> expected = precedence(a) >= precedence(b) ? a : b;
        assertEquals(expected, Outcome.zip(a, b, Integer::sum), "Err > Cancelled > Retry > Pending, first on ties");
    }

    @Property
    void zipOfAnErrIsAnErrWhateverTheOtherSide(@ForAll("outcomes") Outcome<Integer> m) {
        Outcome<Integer> e = Outcome.err("conflict", "lost");
        assertEquals(e, Outcome.zip(e, m, Integer::sum), "an Err first must win over anything");
        Outcome<Integer> r = Outcome.zip(m, e, Integer::sum);
        assertEquals(m instanceof Outcome.Err<Integer> ? m : e, r, "an Err second must win unless the first is an Err");
    }

    @Example
    void zipOfBatchesPairsElementsAndRefusesDifferentLengths() {
        Outcome<Integer> a = Outcome.batch(List.of(Outcome.ok(1), Outcome.ok(2)));
        Outcome<Integer> b = Outcome.batch(List.of(Outcome.ok(10), Outcome.cancelled("no")));
        assertEquals(Outcome.batch(List.of(Outcome.ok(11), Outcome.cancelled("no"))), Outcome.zip(a, b, Integer::sum));
        Outcome<Integer> mismatch = Outcome.zip(a, Outcome.batch(List.of(Outcome.ok(1))), Integer::sum);
        assertEquals("batch-length-mismatch", ((Outcome.Err<Integer>) mismatch).error().code(),
                "batches of different lengths must not be zipped silently: " + mismatch);
    }

    // ---- joinAll / joinAny ----

    @Property
    void joinAllCollectsEveryOkOrStopsAtTheFirstOtherLeaf(@ForAll("outcomeLists") List<Outcome<Integer>> xs) {
        List<Outcome<Integer>> leaves = leavesOf(xs);
        Outcome<Integer> firstOther = leaves.stream().filter(o -> !o.isOk()).findFirst().orElse(null);
        Outcome<List<Integer>> joined = Outcome.joinAll(xs);
        if (firstOther == null) {
            List<Integer> values = leaves.stream().map(o -> ((Outcome.Ok<Integer>) o).value()).toList();
            assertEquals(Outcome.ok(values), joined, "all leaves Ok: joinAll must give every value in order");
        } else {
            assertEquals(firstOther, joined, "joinAll must stop at the first leaf that is not Ok");
        }
    }

    @Property
    void joinAllCommutesWithMap(@ForAll("outcomeLists") List<Outcome<Integer>> xs, @ForAll("lins") Lin f) {
        List<Outcome<Integer>> mapped = xs.stream().map(m -> m.map(f)).toList();
        assertEquals(Outcome.joinAll(xs).map(l -> l.stream().map(f).toList()), Outcome.joinAll(mapped),
                "mapping before joinAll must equal mapping the joined list");
    }

    @Property
    void joinAnyTakesTheFirstDecisiveLeafElseTheLastErr(@ForAll("outcomeLists") List<Outcome<Integer>> xs) {
        List<Outcome<Integer>> leaves = leavesOf(xs);
        Outcome<Integer> joined = Outcome.joinAny(xs);
        Outcome<Integer> decisive = leaves.stream().filter(o -> !(o instanceof Outcome.Err<Integer>)).findFirst()
                .orElse(null);
        if (decisive != null) {
            assertEquals(decisive, joined, "joinAny must return the first leaf that is not an Err");
        } else if (!leaves.isEmpty()) {
            assertEquals(leaves.get(leaves.size() - 1), joined, "all leaves Err: joinAny must return the last");
        } else {
            assertEquals("empty-join", ((Outcome.Err<Integer>) joined).error().code(), "no leaves: " + joined);
        }
    }

    @Property
    void joinAnyOfErrsThenAnOkIsThatOk(@ForAll("leaves") Outcome<Integer> after, @ForAll int x) {
        List<Outcome<Integer>> xs = List.of(Outcome.err("a", "1"), Outcome.batch(List.of(Outcome.err("b", "2"))),
                Outcome.ok(x), after);
        assertEquals(Outcome.ok(x), Outcome.joinAny(xs), "errors before an Ok must be skipped");
    }

    @Example
    void variantsRefuseInvalidFields() {
        assertThrows(StoreException.class, () -> Outcome.retry(10, 0, 3, "attempts count from 1"));
        assertThrows(StoreException.class, () -> Outcome.retry(10, 4, 3, "attempt beyond the maximum"));
        assertThrows(StoreException.class, () -> Outcome.retry(-1, 1, 3, "negative delay"));
        assertThrows(NullPointerException.class, () -> Outcome.err(null));
        OutcomeError fromStore = OutcomeError.of(new StoreException(ErrorCode.UNAVAILABLE, "closed"));
        assertEquals(new OutcomeError("unavailable", "closed", true), fromStore,
                "a store failure must keep its stable code and whether it is transient");
    }

    private static List<Outcome<Integer>> leavesOf(List<Outcome<Integer>> xs) {
        List<Outcome<Integer>> out = new ArrayList<>();
        for (Outcome<Integer> o : xs) {
            if (o instanceof Outcome.Batch<Integer> b) {
                out.addAll(leavesOf(b.items()));
            } else {
                out.add(o);
            }
        }
        return out;
    }

    private static int precedence(Outcome<Integer> o) {
        if (o instanceof Outcome.Err<Integer>) {
            return 4;
        } else if (o instanceof Outcome.Cancelled<Integer>) {
            return 3;
        } else if (o instanceof Outcome.Retry<Integer>) {
            return 2;
        }
        return o instanceof Outcome.Pending<Integer> ? 1 : 0;
    }
}
