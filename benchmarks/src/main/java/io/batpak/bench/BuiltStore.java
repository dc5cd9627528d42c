package io.batpak.bench;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A store of N events (200-byte payloads, 10,000 entities, 16 scopes, 8 kinds, appended in
 * batches of 1000 with sync mode NEVER and no periodic checkpoints, closed so that it ends with
 * a full checkpoint) for the
 * reopen and heap measurements, plus a copy of that checkpoint to restore between runs.
 *
 * <p>Building 10,000,000 events takes minutes on a loaded 2-core machine, so a caller may keep
 * one build in a root directory it names (benchmarks/engine.sh does, for ReopenBenchmark's two
 * forks and IndexHeapMeasure): the layout is {@code root/store} (the data dir),
 * {@code root/index.ckpt.saved} and {@code root/built} (written last, holding N; a root without it,
 * or with another N, is built anew). The caller deletes the root.
 */
final class BuiltStore {
    final Path root;
    final Path dir;
    final Path savedCheckpoint;
    final int events;

    private BuiltStore(Path root, int events) {
        this.root = root;
        this.dir = root.resolve("store");
        this.savedCheckpoint = root.resolve("index.ckpt.saved");
        this.events = events;
    }

    /** The store in {@code root} if it holds a complete build of {@code events}, else built there now. */
    static BuiltStore prepare(Path root, int events) {
        BuiltStore b = new BuiltStore(root, events);
        Path marker = root.resolve("built");
        try {
            if (Files.exists(marker) && Files.readString(marker).trim().equals(Integer.toString(events))) {
                System.out.printf("%n[build] reusing the %,d-event store in %s%n", events, root);
                b.restoreCheckpoint();
                return b;
            }
            if (Files.isDirectory(root)) {
                // only ever wipe a half-done build of ours, never a directory someone else named
                try (var children = Files.list(root)) {
                    for (Path c : children.toList()) {
                        if (!List.of("store", "index.ckpt.saved", "built").contains(c.getFileName().toString())) {
                            throw new IllegalStateException(root + " holds " + c.getFileName()
                                    + ": not a benchmark build directory, refusing to overwrite it");
                        }
                    }
                }
            }
            BenchFiles.delete(root);
            Files.createDirectories(root);
            long free = Files.getFileStore(root).getUsableSpace();
            long needed = 500L * events; // ~440 bytes per event on disk, plus margin
            if (free < needed) {
                throw new IllegalStateException(String.format("%,d events need ~%,d MB in %s, only %,d MB free",
                        events, needed >> 20, root, free >> 20));
            }
            long t0 = System.nanoTime();
            b.build();
            Files.copy(b.dir.resolve("index.ckpt"), b.savedCheckpoint, StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(marker, Integer.toString(events), StandardCharsets.UTF_8);
            System.out.printf("%n[build] %,d events in %d ms; segments %,d bytes, checkpoint %,d bytes%n", events,
                    (System.nanoTime() - t0) / 1_000_000, b.segmentBytes(), Files.size(b.savedCheckpoint));
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void build() {
        byte[] payload = new byte[200];
        Coordinate[] coordinates = new Coordinate[10_000];
        for (int i = 0; i < coordinates.length; i++) {
            coordinates[i] = new Coordinate("entity-" + i, "scope-" + i % 16);
        }
        EventKind[] kinds = new EventKind[8];
        for (int k = 0; k < kinds.length; k++) {
            kinds[k] = EventKind.of(0xF, k);
        }
        // no periodic checkpoints while building (at 10M they would rewrite a growing index ten
        // times); close writes the one full checkpoint the reopen measurements start from
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER)
                .withCheckpointIntervalEvents(0))) {
            for (int b = 0; b < events / 1000; b++) {
                List<AppendRequest> batch = new ArrayList<>(1000);
                for (int i = 0; i < 1000; i++) {
                    int n = b * 1000 + i;
                    batch.add(new AppendRequest(coordinates[n % coordinates.length], kinds[n % kinds.length], payload));
                }
                s.appendBatch(batch);
            }
        }
    }

    /** Puts the checkpoint written right after the build back (a reopen's close rewrites it). */
    void restoreCheckpoint() throws IOException {
        Files.copy(savedCheckpoint, dir.resolve("index.ckpt"), StandardCopyOption.REPLACE_EXISTING);
    }

    void removeCheckpoint() throws IOException {
        Files.deleteIfExists(dir.resolve("index.ckpt"));
    }

    long segmentBytes() throws IOException {
        try (var files = Files.list(dir.resolve("segments"))) {
            long total = 0;
            for (Path p : files.toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }
}
