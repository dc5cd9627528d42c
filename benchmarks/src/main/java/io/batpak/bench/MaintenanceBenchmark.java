package io.batpak.bench;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.CompactionResult;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.SnapshotInfo;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * (h) Online maintenance on a store of 200,000 events (200-byte payloads, about 90 MB) written
 * in 256 KiB segments and reopened with 16 MiB ones, so every sealed segment is small: a
 * snapshot, and a compaction of all sealed segments into 16 MiB ones; baseline: copying the
 * same segment files with {@code Files.copy} and forcing each. Single shot, ms per operation;
 * each iteration builds a fresh store.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
public class MaintenanceBenchmark {
    static final int EVENTS = 200_000;
    static final int BATCH = 1000;
    Path dir;
    Path out;
    EventStore store;

    @Setup(Level.Iteration)
    public void build() {
        dir = BenchFiles.tempDir("maint");
        out = BenchFiles.tempDir("maint-out");
        StoreConfig small = StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER).withSegmentMaxBytes(256 << 10);
        byte[] payload = new byte[200];
        EventKind kind = EventKind.of(0xF, 1);
        try (EventStore s = EventStore.open(small)) {
            for (int n = 0; n < EVENTS; n += BATCH) {
                List<AppendRequest> batch = new ArrayList<>(BATCH);
                for (int i = 0; i < BATCH; i++) {
                    batch.add(new AppendRequest(new Coordinate("entity-" + (n + i) % 5000, "s"), kind, payload));
                }
                s.appendBatch(batch);
            }
        }
        store = EventStore.open(small.withSegmentMaxBytes(16 << 20));
    }

    @TearDown(Level.Iteration)
    public void close() {
        System.out.printf("%n[batpak] segments=%d bytes=%,d%n", store.diagnostics().segments(), store.diagnostics().bytes());
        store.close();
        BenchFiles.delete(dir);
        BenchFiles.delete(out);
    }

    @Benchmark
    public SnapshotInfo snapshot() {
        return store.snapshot(out.resolve("snap"));
    }

    @Benchmark
    public CompactionResult compactAllSealed() {
        return store.compact();
    }

    @Benchmark
    public long baselineCopySegments() throws IOException {
        Path to = Files.createDirectories(out.resolve("copy"));
        long n = 0;
        try (Stream<Path> files = Files.list(dir.resolve("segments"))) {
            for (Path p : files.toList()) {
                Path target = to.resolve(p.getFileName());
                Files.copy(p, target);
                try (var ch = java.nio.channels.FileChannel.open(target, java.nio.file.StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                n++;
            }
        }
        return n;
    }
}
