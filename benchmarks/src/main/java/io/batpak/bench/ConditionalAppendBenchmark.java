package io.batpak.bench;

import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventQuery;
import io.batpak.engine.EventStore;
import io.batpak.engine.QueryItem;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Conditional appends (Dynamic Consistency Boundary, issue 16): 16 threads, each deciding for its
 * own course ({@code course:<t>/…}, 4 entities per thread) and appending one 200-byte event only if
 * nothing under its prefix was appended since the position it last saw, which is always the case,
 * so every append commits and the score measures the check. The baseline in the same run is the
 * same append without a condition. Sync mode is a parameter: EVERY_COMMIT (what a decision usually
 * needs; fsync bounds both) and NEVER (the writer's CPU cost of the check shows). Scores are
 * appends per second, all threads together.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
@Fork(1)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
public class ConditionalAppendBenchmark {
    static final int PAYLOAD = 200;
    static final int ENTITIES_PER_THREAD = 4;

    @State(Scope.Benchmark)
    public static class Store {
        @Param({"EVERY_COMMIT", "NEVER"})
        String syncMode;
        Path dir;
        EventStore store;
        final AtomicInteger threads = new AtomicInteger();
        final EventKind kind = EventKind.of(0xF, 1);

        @Setup
        public void open() {
            dir = BenchFiles.tempDir("conditional");
            store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.valueOf(syncMode)));
        }

        @TearDown
        public void close() {
            store.close();
            BenchFiles.delete(dir);
        }
    }

    /** One deciding thread: its course, the query over it, and the last position it saw. */
    @State(Scope.Thread)
    public static class Decider {
        Coordinate[] entities;
        EventQuery query;
        long seen;
        int next;
        final byte[] payload = new byte[PAYLOAD];

        @Setup
        public void claim(Store s) {
            int t = s.threads.getAndIncrement();
            entities = new Coordinate[ENTITIES_PER_THREAD];
            for (int i = 0; i < ENTITIES_PER_THREAD; i++) {
                entities[i] = new Coordinate("course:" + t + "/student-" + i, "uni");
            }
            query = EventQuery.of(QueryItem.any().withEntityPrefix("course:" + t + "/"));
            seen = s.store.query(query, 0, 1).head();
        }

        AppendRequest nextRequest(EventKind kind) {
            next = (next + 1) % ENTITIES_PER_THREAD;
            return new AppendRequest(entities[next], kind, payload);
        }
    }

    @Benchmark
    public long conditionalAppend(Store s, Decider d) {
        long at = s.store.appendBatch(List.of(d.nextRequest(s.kind)), new AppendCondition(d.query, d.seen)).get(0)
                .globalSequence();
        d.seen = at; // only this thread writes under its prefix, so its own append is the newest match
        return at;
    }

    @Benchmark
    public long baselinePlainAppend(Store s, Decider d) {
        return s.store.appendBatch(List.of(d.nextRequest(s.kind))).get(0).globalSequence();
    }
}
