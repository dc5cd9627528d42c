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
 * (c) Opening a store of 1,000,000 events (200-byte payloads, 10,000 entities) with a valid
 * checkpoint versus with none (a full scan of the segments). Scores are seconds per open.
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
        EventKind kind = EventKind.of(0xF, 1);
        byte[] payload = new byte[200];
        try (EventStore s = EventStore.open(config)) {
            for (int b = 0; b < EVENTS / 1000; b++) {
                List<AppendRequest> batch = new ArrayList<>(1000);
                for (int i = 0; i < 1000; i++) {
                    int n = b * 1000 + i;
                    batch.add(new AppendRequest(new Coordinate("entity-" + n % 10_000, "scope-" + n % 16), kind, payload));
                }
                s.appendBatch(batch);
            }
        }
        savedCheckpoint = dir.resolveSibling(dir.getFileName() + ".ckpt");
        Files.copy(dir.resolve("index.ckpt"), savedCheckpoint, StandardCopyOption.REPLACE_EXISTING);
    }

    @TearDown(Level.Trial)
    public void remove() throws IOException {
        BenchFiles.delete(dir);
        Files.deleteIfExists(savedCheckpoint);
    }

    /** Closing writes a fresh checkpoint; it is not part of the measured open. */
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

    @Benchmark
    public long openWithCheckpoint(WithCheckpoint c) {
        opened = EventStore.open(StoreConfig.defaults(dir));
        return opened.globalSequence();
    }

    @Benchmark
    public long openWithoutCheckpoint(WithoutCheckpoint c) {
        opened = EventStore.open(StoreConfig.defaults(dir));
        return opened.globalSequence();
    }
}
