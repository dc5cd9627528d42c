package io.batpak.bench;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.gate.Denial;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.gate.Gate;
import io.batpak.engine.gate.GateDecision;
import io.batpak.engine.gate.GateSet;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * (g) What gates cost on the append path: bulk appends from one thread, sync mode NEVER, atomic
 * batches of 1000 events of 200-byte payloads, either plain ({@code appendBatch}, the baseline)
 * or through a three-gate {@link GateSet} (a role check, a kind-category allow list, a payload size
 * limit) and {@code append(Receipt)}; plus the gate evaluation alone. Scores are events per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@State(Scope.Thread)
public class GatedAppendBenchmark {
    static final int BATCH = 1000;
    static final int PAYLOAD = 200;
    static final int ENTITIES = 10_000;

    Path dir;
    EventStore store;
    GateSet gates;
    final Caller caller = new Caller("bench", Set.of("writer"), Set.of());
    final Coordinate[] coordinates = new Coordinate[ENTITIES];
    final EventKind kind = EventKind.of(0xF, 1);
    final byte[] payload = new byte[PAYLOAD];
    int next;

    private record Named(String name, java.util.function.Function<io.batpak.engine.gate.AppendContext, Optional<Denial>> f)
            implements Gate {
        @Override
        public Optional<Denial> evaluate(io.batpak.engine.gate.AppendContext c) {
            return f.apply(c);
        }
    }

    @Setup
    public void open() {
        dir = BenchFiles.tempDir("gated");
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        for (int i = 0; i < ENTITIES; i++) {
            coordinates[i] = new Coordinate("entity-" + i, "scope-" + i % 16);
        }
        gates = GateSet.of(List.of(
                new Named("role", c -> c.caller().hasRole("writer") ? Optional.empty()
                        : Optional.of(new Denial("role", "forbidden", "writers only"))),
                new Named("category", c -> c.kind().category() == 0xF ? Optional.empty()
                        : Optional.of(new Denial("category", "kind-not-allowed", "category F only"))),
                new Named("size", c -> c.request().payload().length <= 4096 ? Optional.empty()
                        : Optional.of(new Denial("size", "too-large", "4 KiB at most")))));
    }

    @TearDown
    public void close() {
        store.close();
        BenchFiles.delete(dir);
    }

    private List<AppendRequest> batch() {
        List<AppendRequest> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(new AppendRequest(coordinates[next++ % ENTITIES], kind, payload));
        }
        return batch;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object baselineAppendBatch1000() {
        return store.appendBatch(batch());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object gatedAppendBatch1000() {
        GateDecision d = gates.evaluate(batch(), caller);
        return store.append(((GateDecision.Passed) d).receipt());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object gateEvaluationOnly1000() {
        return gates.evaluate(batch(), caller);
    }
}
