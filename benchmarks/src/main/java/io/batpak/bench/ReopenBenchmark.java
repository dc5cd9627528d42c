package io.batpak.bench;

import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * (c) Reopening a store of {@code events} events (1,000,000 by default; the issue-13 target is
 * {@code -p events=10000000}, ~4.4 GB of segments in java.io.tmpdir; see {@link BuiltStore} for
 * its contents, built once per trial) with its index checkpoint present versus with
 * {@code index.ckpt} deleted (full scan of the segments, the baseline: the same reopen doing all
 * the work the checkpoint saves).
 *
 * <p>{@code open*} methods time {@link EventStore#open} alone (the store is closed outside the
 * measurement); {@code openClose*} time open plus close, and close always writes a fresh
 * checkpoint of the whole index. Before every no-checkpoint invocation the checkpoint the last
 * close wrote is deleted; before every with-checkpoint invocation the one saved after the build is
 * restored. The segment files are in the page cache (warm reopen) as long as the machine has the
 * memory for them. Scores are ms per operation. Default settings (benchmarks/engine.sh's), 1 fork:
 * 2 warm-up and 3 measured reopens with the checkpoint; 1 warm-up and 2 measured full scans
 * without it, because a full scan of 10M events takes ~15 s on an idle 2-core machine and minutes
 * on a loaded one.
 *
 * <p>{@code -p buildDir=<dir>} keeps the build in that directory and reuses it in later trials
 * and forks (benchmarks/engine.sh passes one and deletes it at the end); by default it is a temp
 * dir removed after the trial.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class ReopenBenchmark {
    /** Events in the store; 10,000,000 for the issue-13 target. */
    @Param({"1000000"})
    int events;
    /** Where to keep (and reuse) the built store; empty: a temp dir for this trial only. */
    @Param({""})
    String buildDir;
    BuiltStore built;
    EventStore opened;

    @Setup(Level.Trial)
    public void build() {
        Path root = buildDir.isEmpty() ? BenchFiles.tempDir("reopen") : Path.of(buildDir);
        built = BuiltStore.prepare(root, events);
    }

    @TearDown(Level.Trial)
    public void remove() throws IOException {
        closeStore();
        if (buildDir.isEmpty()) {
            BenchFiles.delete(built.root);
        } else {
            built.restoreCheckpoint();
        }
    }

    /** Closing writes a fresh checkpoint; for the open* methods it is not part of the measurement. */
    @TearDown(Level.Invocation)
    public void closeStore() {
        if (opened != null) {
            opened.close();
            opened = null;
        }
    }

    @State(Scope.Benchmark)
    public static class WithCheckpoint {
        @Setup(Level.Invocation)
        public void restore(ReopenBenchmark b) throws IOException {
            b.built.restoreCheckpoint();
        }
    }

    @State(Scope.Benchmark)
    public static class WithoutCheckpoint {
        @Setup(Level.Invocation)
        public void remove(ReopenBenchmark b) throws IOException {
            b.built.removeCheckpoint();
        }
    }

    private long openStore() {
        opened = EventStore.open(StoreConfig.defaults(built.dir));
        long n = opened.globalSequence();
        if (n != events) {
            throw new IllegalStateException("reopened " + n + " events, expected " + events);
        }
        return n;
    }

    @Benchmark
    public long openWithCheckpoint(WithCheckpoint c) {
        return openStore();
    }

    @Benchmark
    @Warmup(iterations = 1)
    @Measurement(iterations = 2)
    public long openWithoutCheckpoint(WithoutCheckpoint c) {
        return openStore();
    }

    @Benchmark
    public long openCloseWithCheckpoint(WithCheckpoint c) {
        long n = openStore();
        closeStore();
        return n;
    }

    @Benchmark
    public long openCloseWithoutCheckpoint(WithoutCheckpoint c) {
        long n = openStore();
        closeStore();
        return n;
    }
}
