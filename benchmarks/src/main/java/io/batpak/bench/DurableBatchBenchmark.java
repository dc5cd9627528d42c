package io.batpak.bench;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreStats;
import io.batpak.engine.SyncMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * (v) The in-process reference of the HTTP batch figure: durable atomic batches of 1,000 events
 * (sync mode EVERY_COMMIT, as the server runs) from 4 threads, the connections benchmarks/load/run.sh
 * opens for its batch run. Each event is the JSON payload batch.lua sends (200 bytes) over 10,000
 * entities of one scope. Scores are events per second, all threads together. benchmarks/load/run.sh
 * runs it after the HTTP runs and prints HTTP batch events/s as a ratio of it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(4)
@Fork(1)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
public class DurableBatchBenchmark {
    static final int BATCH = 1000;
    static final int ENTITIES = 10_000;

    /** One durable store shared by the threads, as the server's one store is. */
    @State(Scope.Benchmark)
    public static class Store {
        Path dir;
        EventStore store;
        final Coordinate[] coordinates = new Coordinate[ENTITIES];
        final EventKind kind = EventKind.of(0xF, 1);

        @Setup
        public void open() {
            dir = BenchFiles.tempDir("durable-batch");
            store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.EVERY_COMMIT));
            for (int i = 0; i < ENTITIES; i++) {
                coordinates[i] = new Coordinate("batch:e" + i, "bench");
            }
        }

        @TearDown
        public void close() {
            StoreStats s = store.stats(ScopeGrants.ALL);
            System.out.printf("%n[batpak] events=%,d groupCommits=%,d fsyncs=%,d%n", s.events(), s.groupCommits(),
                    s.fsyncs());
            store.close();
            BenchFiles.delete(dir);
        }
    }

    /**
     * Each thread's batches, built before the measurement as batch.lua prebuilds its 16 bodies, so
     * the score is the store's and not the cost of formatting payloads.
     */
    @State(Scope.Thread)
    public static class Batches {
        static final int VARIANTS = 16;
        private static final String PAD = "x".repeat(200 - "{\"n\":\"0000000000\",\"pad\":\"\"}".length());
        final List<List<AppendRequest>> variants = new ArrayList<>(VARIANTS);
        int next;

        @Setup
        public void build(Store s) {
            for (int v = 1; v <= VARIANTS; v++) {
                List<AppendRequest> batch = new ArrayList<>(BATCH);
                for (int i = 1; i <= BATCH; i++) {
                    long n = (long) v * BATCH + i;
                    byte[] json = String.format("{\"n\":\"%010d\",\"pad\":\"%s\"}", n, PAD)
                            .getBytes(StandardCharsets.UTF_8);
                    batch.add(new AppendRequest(s.coordinates[(int) (n * 7919 % ENTITIES)], s.kind, json));
                }
                variants.add(List.copyOf(batch));
            }
        }

        List<AppendRequest> next() {
            next = (next + 1) % VARIANTS;
            return variants.get(next);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object batpakDurableBatch1000(Store s, Batches b) {
        return s.store.appendBatch(b.next());
    }
}
