package io.batpak.streams.flow;

import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import io.batpak.streams.Streams;
import io.batpak.streams.StreamsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real store and {@link Streams} on a test's directory; {@link #reopen} closes both and opens them
 * again on the same data, as a restart does. Closed by the test.
 */
final class FlowFixture implements AutoCloseable {
    private final Path dir;
    EventStore store;
    Streams streams;

    FlowFixture(Path dir) {
        this.dir = dir;
        open();
    }

    private void open() {
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        streams = new Streams(store, StreamsConfig.defaults());
    }

    void reopen() {
        close();
        open();
    }

    /**
     * A crash after a snapshot was written but before the commit it covers became durable: runs
     * {@code work} on the store, then puts the log back as it was before {@code work} while keeping
     * the derivation snapshot files {@code work} wrote, and opens again. The store and streams
     * objects are new afterwards.
     */
    void crashLosingTheLogTailButNotTheSnapshots(Runnable work) {
        close();
        Path before = dir.resolveSibling(dir.getFileName() + "-before");
        copyTree(dir, before);
        open();
        work.run();
        close();
        Path snapshots = dir.resolve("derivations");
        if (Files.exists(snapshots)) {
            deleteTree(before.resolve("derivations"));
            copyTree(snapshots, before.resolve("derivations"));
        }
        deleteTree(dir);
        copyTree(before, dir);
        deleteTree(before);
        open();
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (streams != null) {
            streams.close();
            store.close();
            streams = null;
            store = null;
        }
    }
}
