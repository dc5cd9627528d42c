package io.batpak.engine.projection;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;

import io.batpak.engine.util.CheckedFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Keeps projection snapshots in files, so they survive restarts: one file per projection version
 * and entity under {@code {root}/{name}/v{version}/}, conventionally {@code {data-dir}/projections}
 * (see {@link #in(EventStore)}). Each file is written to a temporary file, forced and atomically
 * renamed, so a crash leaves the old or the new snapshot; it carries a CRC32C, and one that fails
 * any check (or whose state does not decode) is deleted with a warning and treated as absent.
 *
 * <p>Changing a projection's version invalidates its snapshots: they are stored under another
 * directory, and the first use of a version deletes the directories of every other version of
 * that projection. Write failures are logged and ignored, because a snapshot is only a cache.
 * Snapshots need the projection's {@link StateCodec}; a projection without one is refused.
 *
 * <p>Threading: thread-safe; calls for different keys run in parallel, and the projector never
 * calls it concurrently for the same key.
 */
public final class SnapshotProjectionCache implements ProjectionCache {
    private static final Logger LOG = System.getLogger(SnapshotProjectionCache.class.getName());

    private final Path root;
    private final Set<String> prunedVersions = ConcurrentHashMap.newKeySet();

    public SnapshotProjectionCache(Path root) {
        this.root = root;
    }

    /** A cache under {@code {data-dir}/projections} of an open store. */
    public static SnapshotProjectionCache in(EventStore store) {
        return new SnapshotProjectionCache(store.config().dataDir().resolve("projections"));
    }

    /** The directory holding every projection's snapshots. */
    public Path root() {
        return root;
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public <S> ProjectionSnapshot<S> get(Projection<S> projection, String entity) {
        StateCodec<S> codec = codec(projection);
        pruneOtherVersions(projection);
        Path file = SnapshotFile.path(root, projection.name(), projection.version(), entity);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read projection snapshot {0}: {1}", file, e.getMessage());
            return null;
        }
        try {
            SnapshotFile.Content c = SnapshotFile.decode(all, projection.name(), projection.version(), entity);
            S state = codec.decode(c.state());
            return new ProjectionSnapshot<>(state, c.watermark(), c.hash(), c.takenAtMs());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "discarding damaged projection snapshot {0}: {1}", file, e.getMessage());
            deleteQuietly(file);
            return null;
        }
    }

    @Override
    public <S> void put(Projection<S> projection, String entity, ProjectionSnapshot<S> snapshot) {
        StateCodec<S> codec = codec(projection);
        pruneOtherVersions(projection);
        Path file = SnapshotFile.path(root, projection.name(), projection.version(), entity);
        byte[] bytes = SnapshotFile.encode(projection.name(), projection.version(), entity, snapshot.watermark(),
                snapshot.watermarkHash(), snapshot.takenAtMs(), codec.encode(snapshot.state()));
        try {
            CheckedFiles.replace(file, bytes);
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.WARNING, "cannot write projection snapshot {0}: {1}", file, e.getMessage());
        }
    }

    @Override
    public <S> void remove(Projection<S> projection, String entity) {
        deleteQuietly(SnapshotFile.path(root, projection.name(), projection.version(), entity));
    }

    private static <S> StateCodec<S> codec(Projection<S> projection) {
        return projection.codec().orElseThrow(() -> new StoreException(ErrorCode.INVALID_REQUEST, "projection "
                + projection.name() + " has no StateCodec, which persistent snapshots need"));
    }

    /** Deletes the snapshots of every other version of this projection, once per version and cache. */
    private void pruneOtherVersions(Projection<?> projection) {
        SnapshotFile.checkName(projection.name());
        if (!prunedVersions.add(projection.name() + "/v" + projection.version())) {
            return;
        }
        Path dir = root.resolve(projection.name());
        Path keep = SnapshotFile.versionDir(root, projection.name(), projection.version());
        List<Path> versions;
        try (Stream<Path> s = Files.list(dir)) {
            versions = s.filter(p -> !p.equals(keep)).toList();
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot list {0}: {1}", dir, e.getMessage());
            return;
        }
        for (Path v : versions) {
            LOG.log(Level.INFO, "deleting snapshots of {0} other than v{1}: {2}", projection.name(),
                    projection.version(), v);
            try (Stream<Path> s = Files.walk(v)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot delete obsolete snapshots {0}: {1}", v, e.getMessage());
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot delete {0}: {1}", file, e.getMessage());
        }
    }
}
