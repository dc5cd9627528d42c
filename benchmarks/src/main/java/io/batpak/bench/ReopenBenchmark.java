package io.batpak.bench;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * (c) Reopening a store of 1,000,000 events (200-byte payloads, 10,000 entities, 16 scopes, 8
 * kinds, built once per trial in batches of 1000 with sync mode NEVER) with its index checkpoint
 * present versus with {@code index.ckpt} deleted (full scan of the segments, the baseline).
 *
 * <p>{@code open*} methods time {@link EventStore#open} alone (the store is closed outside the
 * measurement); {@code openClose*} time open plus close, and close always writes a fresh
 * checkpoint of the whole index. Before every no-checkpoint invocation the checkpoint the last
 * close wrote is deleted; before every with-checkpoint invocation the one saved after the build is
 * restored. The segment files are in the page cache (warm reopen). Scores are ms per operation.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class ReopenBenchmark {
    static final int EVENTS = 1_000_000;
    Path dir;
    Path savedCheckpoint;
    EventStore opened;

    @Setup(Level.Trial)
    public void build() throws IOException {
        dir = BenchFiles.tempDir("reopen");
        StoreConfig config = StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER);
        byte[] payload = new byte[200];
        Coordinate[] coordinates = new Coordinate[10_000];
        for (int i = 0; i < coordinates.length; i++) {
            coordinates[i] = new Coordinate("entity-" + i, "scope-" + i % 16);
        }
        EventKind[] kinds = new EventKind[8];
        for (int k = 0; k < kinds.length; k++) {
            kinds[k] = EventKind.of(0xF, k);
        }
        long t0 = System.nanoTime();
        try (EventStore s = EventStore.open(config)) {
            for (int b = 0; b < EVENTS / 1000; b++) {
                List<AppendRequest> batch = new ArrayList<>(1000);
                for (int i = 0; i < 1000; i++) {
                    int n = b * 1000 + i;
                    batch.add(new AppendRequest(coordinates[n % coordinates.length], kinds[n % kinds.length], payload));
                }
                s.appendBatch(batch);
            }
        }
        savedCheckpoint = dir.resolveSibling(dir.getFileName() + ".ckpt");
        Files.copy(dir.resolve("index.ckpt"), savedCheckpoint, StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("%n[build] %,d events in %d ms; segments %,d bytes, checkpoint %,d bytes%n", EVENTS,
                (System.nanoTime() - t0) / 1_000_000, segmentBytes(), Files.size(savedCheckpoint));
    }

    private long segmentBytes() throws IOException {
        try (var files = Files.list(dir.resolve("segments"))) {
            long total = 0;
            for (Path p : files.toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    @TearDown(Level.Trial)
    public void remove() throws IOException {
        closeStore();
        BenchFiles.delete(dir);
        Files.deleteIfExists(savedCheckpoint);
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
            Files.copy(b.savedCheckpoint, b.dir.resolve("index.ckpt"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @State(Scope.Benchmark)
    public static class WithoutCheckpoint {
        @Setup(Level.Invocation)
        public void remove(ReopenBenchmark b) throws IOException {
            Files.deleteIfExists(b.dir.resolve("index.ckpt"));
        }
    }

    private long openStore() {
        opened = EventStore.open(StoreConfig.defaults(dir));
        long n = opened.globalSequence();
        if (n != EVENTS) {
            throw new IllegalStateException("reopened " + n + " events, expected " + EVENTS);
        }
        return n;
    }

    @Benchmark
    public long openWithCheckpoint(WithCheckpoint c) {
        return openStore();
    }

    @Benchmark
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
