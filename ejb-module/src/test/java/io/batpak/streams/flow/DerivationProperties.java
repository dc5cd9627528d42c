package io.batpak.streams.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Random source events over one or two streams with random keys, worked by a counting derivation
 * (per-key count and sum, one derived event per source event) through random steps and crash
 * points: a step whose apply throws before its commit, a restart (store and streams closed and
 * opened again, a new runner) between steps, and a second runner of the same derivation that
 * commits behind the first one's back (whose next step must then be refused and reload), and a crash
 * after a step wrote its shard snapshot but before its commit became durable (the log loses the step,
 * the snapshot file stays). Shards write snapshots every few records (or never). In the end the state
 * and the derived stream equal a recomputation from scratch over the same sources, and the state
 * rebuilt from the snapshots equals the state rebuilt from the whole log.
 */
class DerivationProperties {
    private static final Caller C = Caller.ANONYMOUS;

    /**
     * op: 0 publish, 1 step a shard, 2 step a shard with a crash in its n-th apply, 3 restart, 4 a
     * rival runner steps, 5 a step that writes a snapshot whose commit the crash then loses.
     */
    record Op(int op, int pick) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.frequencyOf(
                        Tuple.of(6, Arbitraries.just(0)), Tuple.of(5, Arbitraries.just(1)),
                        Tuple.of(2, Arbitraries.just(2)), Tuple.of(1, Arbitraries.just(3)),
                        Tuple.of(1, Arbitraries.just(4)), Tuple.of(1, Arbitraries.just(5))),
                Arbitraries.integers().between(0, 1000))
                .as(Op::new).list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 30)
    void stateAndDerivedStreamEqualARecomputation(@ForAll("ops") List<Op> ops,
                                                  @ForAll @IntRange(min = 1, max = 2) int sourceCount,
                                                  @ForAll @IntRange(min = 1, max = 4) int shards,
                                                  @ForAll @IntRange(min = 1, max = 8) int batchSize,
                                                  @ForAll @IntRange(min = 1, max = 6) int keys,
                                                  @ForAll @IntRange(min = 0, max = 6) int snapshotEvery) throws IOException {
        Path dir = Files.createTempDirectory("flow-prop");
        List<String> sources = sourceCount == 1 ? List.of("a") : List.of("a", "b");
        DerivationConfig config = DerivationConfig.defaults().withBatchSize(batchSize).withSnapshotEveryRecords(snapshotEvery);
        FlowFixture f = new FlowFixture(dir);
        try {
            f.streams.createOrGrow("a", 2, C);
            f.streams.createOrGrow("b", 3, C);
            f.streams.createOrGrow(Counting.OUT, 2, C);
            Counting d = new Counting("sums", sources, shards);
            DerivationRunner runner = new DerivationRunner(f.store, f.streams, d, config, C);
            for (Op op : ops) {
                int shard = op.pick() % shards;
                switch (op.op()) {
                    case 0 -> f.streams.publish(sources.get(op.pick() % sources.size()),
                            List.of(Counting.event("k" + op.pick() % keys, op.pick() % 97 - 40)), C);
                    case 1 -> step(runner, shard);
                    case 2 -> {
                        d.crashAt = op.pick() % 4;
                        try {
                            step(runner, shard);
                        } catch (IllegalStateException crashed) {
                            // abandoned before its commit: the next step redoes it
                        } finally {
                            d.crashAt = -1;
                        }
                    }
                    case 3 -> {
                        f.reopen();
                        d = new Counting("sums", sources, shards);
                        runner = new DerivationRunner(f.store, f.streams, d, config, C);
                    }
                    case 4 -> step(new DerivationRunner(f.store, f.streams, new Counting("sums", sources, shards),
                            config, C), shard);
                    default -> {
                        FlowFixture crashing = f;
                        f.crashLosingTheLogTailButNotTheSnapshots(() -> step(new DerivationRunner(crashing.store,
                                crashing.streams, new Counting("sums", sources, shards),
                                config.withSnapshotEveryRecords(1), C), shard));
                        d = new Counting("sums", sources, shards);
                        runner = new DerivationRunner(f.store, f.streams, d, config, C);
                    }
                }
            }
            f.reopen();
            DerivationRunner fresh = new DerivationRunner(f.store, f.streams, new Counting("sums", sources, shards), config, C);
            fresh.runUntilCaughtUp();
            Counting.check(f.streams, fresh, sources);
            f.reopen();
            DerivationRunner fromSnapshots = new DerivationRunner(f.store, f.streams, new Counting("sums", sources, shards),
                    config.withSnapshotEveryRecords(Math.max(1, snapshotEvery)), C);
            DerivationRunner wholeLog = new DerivationRunner(f.store, f.streams, new Counting("sums", sources, shards),
                    config.withSnapshotEveryRecords(0), C);
            for (int i = 0; i < shards; i++) {
                assertEquals(text(wholeLog.state(i)), text(fromSnapshots.state(i)),
                        "shard " + i + ": the state rebuilt from its snapshot equals the one rebuilt from its whole log");
            }
        } finally {
            f.close();
            delete(dir);
        }
    }

    private static Map<String, String> text(Map<String, byte[]> state) {
        Map<String, String> out = new TreeMap<>();
        state.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
        return out;
    }

    /** One step; a refusal because another runner committed this shard first is expected (the runner reloads). */
    private static void step(DerivationRunner runner, int shard) {
        try {
            runner.step(shard);
        } catch (StoreException e) {
            if (e.code() != ErrorCode.SEQUENCE_MISMATCH) {
                throw e;
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
