package io.batpak.bench;

import io.batpak.engine.Caller;
import io.batpak.engine.EventStore;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.streams.StreamEvent;
import io.batpak.streams.Streams;
import io.batpak.streams.StreamsConfig;
import io.batpak.streams.flow.Derivation;
import io.batpak.streams.flow.DerivationConfig;
import io.batpak.streams.flow.DerivationRunner;
import io.batpak.streams.flow.Emitter;
import io.batpak.streams.flow.KeyedState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Derivation throughput (issue 15): source events per second through a 4-shard counting derivation
 * (per key a count; no derived events) on a durable store ({@code StoreConfig.defaults}: fsync per
 * group commit), against the same run's plain durable publish rate of the same events. Not JMH: a
 * derivation is measured end to end, from start until every shard is caught up.
 *
 * <p>Each round publishes {@code EVENTS} events (200-byte payloads, {@code KEYS} keys, batches of
 * {@code BATCH} events per publish call from {@code WRITERS} threads) to a fresh 4-partition
 * stream and times it (the baseline), then runs a fresh 4-shard derivation over that stream, one
 * thread per shard stepping until it reads nothing, and times it. Round 0 warms the JIT up; the
 * best measured round of each is reported. {@code -DstepSize=n} sets {@code batchSize} (default:
 * {@link DerivationConfig#defaults()}).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.batpak.bench.DerivationMeasure}
 */
public final class DerivationMeasure {
    private static final int EVENTS = Integer.getInteger("events", 100_000);
    private static final int ROUNDS = Integer.getInteger("rounds", 3);
    private static final int KEYS = Integer.getInteger("keys", 1000);
    private static final int BATCH = Integer.getInteger("batch", 100);
    private static final int WRITERS = Integer.getInteger("writers", 4);
    private static final int SHARDS = 4;
    private static final EventKind KIND = EventKind.of(0xF, 1);
    private static final Caller C = Caller.ANONYMOUS;

    private DerivationMeasure() {
    }

    public static void main(String[] args) throws Exception {
        DerivationConfig config = DerivationConfig.defaults();
        if (Integer.getInteger("stepSize") != null) {
            config = config.withBatchSize(Integer.getInteger("stepSize"));
        }
        System.out.printf("%,d events, %d keys, publish batches of %d from %d threads, %d shards, %s%n", EVENTS, KEYS,
                BATCH, WRITERS, SHARDS, config);
        Path dir = BenchFiles.tempDir("flow");
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir));
             Streams streams = new Streams(store, StreamsConfig.defaults())) {
            long[] append = new long[ROUNDS + 1];
            long[] derive = new long[ROUNDS + 1];
            for (int round = 0; round <= ROUNDS; round++) { // round 0 warms up
                String stream = "src-" + round;
                streams.createOrGrow(stream, 4, C);
                append[round] = publishAll(streams, stream);
                derive[round] = deriveAll(store, streams, stream, config, round);
                System.out.printf("round %d%s: plain durable publish %,.0f events/s, derivation %,.0f source events/s%n",
                        round, round == 0 ? " (warm-up)" : "", rate(append[round]), rate(derive[round]));
            }
            double bestAppend = rate(Arrays.stream(append, 1, ROUNDS + 1).min().getAsLong());
            double bestDerive = rate(Arrays.stream(derive, 1, ROUNDS + 1).min().getAsLong());
            System.out.printf("THROUGHPUT 4-shard derivation %,.0f source events/s vs plain durable publish %,.0f"
                    + " events/s: %.2fx%n", bestDerive, bestAppend, bestDerive / bestAppend);
        } finally {
            BenchFiles.delete(dir);
        }
    }

    private static double rate(long nanos) {
        return EVENTS * 1e9 / nanos;
    }

    /** Nanoseconds for {@code WRITERS} threads to publish {@code EVENTS} events in calls of {@code BATCH}. */
    private static long publishAll(Streams streams, String stream) throws Exception {
        byte[] payload = new byte[200];
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    List<StreamEvent> batch = new ArrayList<>(BATCH);
                    for (int i = writer; i < EVENTS; i += WRITERS) {
                        batch.add(new StreamEvent("key-" + i % KEYS, KIND, payload));
                        if (batch.size() == BATCH) {
                            streams.publish(stream, batch, C);
                            batch = new ArrayList<>(BATCH);
                        }
                    }
                    if (!batch.isEmpty()) {
                        streams.publish(stream, batch, C);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return System.nanoTime() - start;
        } finally {
            pool.shutdown();
        }
    }

    /** Nanoseconds for a fresh 4-shard counting derivation, one thread per shard, to catch up on {@code stream}. */
    private static long deriveAll(EventStore store, Streams streams, String stream, DerivationConfig config, int round)
            throws Exception {
        DerivationRunner runner = new DerivationRunner(store, streams, new Count("count-" + round, stream), config, C);
        ExecutorService pool = Executors.newFixedThreadPool(SHARDS);
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < SHARDS; s++) {
                int shard = s;
                done.add(pool.submit(() -> {
                    while (runner.step(shard) > 0) {
                        // until caught up
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            long nanos = System.nanoTime() - start;
            long total = 0;
            for (int s = 0; s < SHARDS; s++) {
                for (byte[] v : runner.state(s).values()) {
                    total += Long.parseLong(new String(v, StandardCharsets.UTF_8));
                }
            }
            if (total != EVENTS) {
                throw new IllegalStateException("the derivation counted " + total + " events, not " + EVENTS);
            }
            return nanos;
        } finally {
            pool.shutdown();
            runner.close();
        }
    }

    /** Per key, how many events it had. */
    private record Count(String name, String stream) implements Derivation {
        @Override
        public List<String> sources() {
            return List.of(stream);
        }

        @Override
        public int shards() {
            return SHARDS;
        }

        @Override
        public void apply(StoredEvent event, KeyedState state, Emitter emit) {
            String old = state.getString();
            state.putString(Long.toString(old == null ? 1 : Long.parseLong(old) + 1));
        }
    }
}
