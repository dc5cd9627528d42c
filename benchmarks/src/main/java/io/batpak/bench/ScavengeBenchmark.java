package io.batpak.bench;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.RetentionRule;
import io.batpak.engine.ScavengeStatus;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * (s) Scavenge speed (issue 16): a store of 200,000 events (500-byte payloads, 1,000 entities,
 * about 130 MB in 4 MiB segments) under a rule keeping each entity's newest 20 events, so 90 % of
 * the events are emptied; {@code scavenge} runs one whole job (truncates stored, every sealed
 * segment read, checked and rewritten, forced and switched, a checkpoint written). Baseline:
 * {@code Files.copy} of the same segment files, each forced. Both read every sealed byte once, so
 * the ratio of their times is the ratio of their MB/s; the sizes are printed at tear-down. Single
 * shot, ms per operation; each iteration builds a fresh store.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class ScavengeBenchmark {
    static final int EVENTS = 200_000;
    static final int ENTITIES = 1000;
    static final int BATCH = 1000;
    Path dir;
    Path out;
    EventStore store;
    long sealedBytes;

    @Setup(Level.Iteration)
    public void build() throws IOException {
        dir = BenchFiles.tempDir("scav");
        out = BenchFiles.tempDir("scav-out");
        StoreConfig config = StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER).withSegmentMaxBytes(4 << 20);
        byte[] payload = new byte[500];
        new java.util.Random(1).nextBytes(payload);
        EventKind kind = EventKind.of(0xF, 1);
        store = EventStore.open(config);
        for (int n = 0; n < EVENTS; n += BATCH) {
            List<AppendRequest> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                batch.add(new AppendRequest(new Coordinate("entity-" + (n + i) % ENTITIES, "s"), kind, payload));
            }
            store.appendBatch(batch);
        }
        store.checkpoint();
        store.setRetention("s", new RetentionRule(null, 20L));
        sealedBytes = 0;
        List<Path> files = segments();
        for (Path p : files.subList(0, files.size() - 1)) {
            sealedBytes += Files.size(p);
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("segments"))) {
            return files.filter(p -> p.toString().endsWith(".fbat")).sorted().toList();
        }
    }

    @TearDown(Level.Iteration)
    public void close() {
        System.out.printf("%n[batpak] sealed segment bytes=%,d, after=%,d, scavenge=%s%n", sealedBytes,
                store.diagnostics().bytes(), store.scavengeStatus());
        store.close();
        BenchFiles.delete(dir);
        BenchFiles.delete(out);
    }

    @Benchmark
    public ScavengeStatus scavenge() {
        ScavengeStatus s = store.scavenge(Runnable::run);
        if (s.state() != ScavengeStatus.State.DONE || s.bytesReclaimed() == 0) {
            throw new IllegalStateException("the scavenge did not run to the end: " + s);
        }
        return s;
    }

    @Benchmark
    public long baselineCopySealedSegments() throws IOException {
        Path to = Files.createDirectories(out.resolve("copy"));
        List<Path> files = segments();
        long n = 0;
        for (Path p : files.subList(0, files.size() - 1)) {
            Path target = to.resolve(p.getFileName());
            Files.copy(p, target);
            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            n += Files.size(target);
        }
        return n;
    }
}
