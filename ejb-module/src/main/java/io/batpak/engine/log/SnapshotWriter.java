package io.batpak.engine.log;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.SnapshotInfo;
import io.batpak.engine.StoreException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Copies the log up to a durable end position into another directory, producing a data directory
 * that {@link EventStore#open} accepts. Sealed segments are immutable and the active one only grows
 * past the end position, so the copy can run on the caller's thread while appends go on; the caller
 * must keep compaction from deleting segments meanwhile. Stateless.
 */
final class SnapshotWriter {
    /** The log end a snapshot copies up to, taken on the writer thread when everything before it was durable. */
    record End(long segmentId, long offset, long globalSequence) {
    }

    private SnapshotWriter() {
    }

    static SnapshotInfo copy(Path dataDir, Path target, End end) {
        Path to = checkTarget(dataDir, target);
        Path segDir = SegmentFiles.dir(to);
        long bytes = 0;
        int segments = 0;
        try {
            Files.createDirectories(segDir);
            for (long id : SegmentFiles.list(dataDir)) {
                if (id > end.segmentId()) {
                    break;
                }
                Path src = SegmentFiles.path(dataDir, id);
                long length = id == end.segmentId() ? end.offset() : Files.size(src);
                copyPrefix(src, SegmentFiles.path(to, id), length);
                bytes += length;
                segments++;
            }
            SegmentFiles.syncDirectory(segDir);
            SegmentFiles.syncDirectory(to);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(to);
            throw new StoreException(ErrorCode.UNAVAILABLE, "snapshot to " + to + " failed: " + e.getMessage(), e);
        }
        return new SnapshotInfo(to, end.globalSequence(), segments, bytes);
    }

    /** The target must be new or an empty directory, and outside the store's own directory. */
    private static Path checkTarget(Path dataDir, Path target) {
        if (target == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a snapshot needs a target directory");
        }
        Path to = target.toAbsolutePath().normalize();
        Path own = dataDir.toAbsolutePath().normalize();
        if (to.startsWith(own) || own.startsWith(to)) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "snapshot target " + to + " overlaps the store's directory " + own);
        }
        if (Files.exists(to)) {
            if (!Files.isDirectory(to)) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "snapshot target " + to + " is not a directory");
            }
            try (Stream<Path> entries = Files.list(to)) {
                if (entries.findAny().isPresent()) {
                    throw new StoreException(ErrorCode.INVALID_REQUEST, "snapshot target " + to + " is not empty");
                }
            } catch (IOException e) {
                throw new StoreException(ErrorCode.UNAVAILABLE, "cannot list " + to + ": " + e.getMessage(), e);
            }
        }
        return to;
    }

    private static void copyPrefix(Path src, Path dst, long length) throws IOException {
        try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < length) {
                long n = in.transferTo(done, length - done, out);
                if (n <= 0) {
                    throw new IOException(src + " ended at " + done + " bytes, before the snapshot end " + length);
                }
                done += n;
            }
            out.force(true);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(all::add);
        } catch (IOException e) {
            return;
        }
        for (Path p : all) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // Best effort: a half-written snapshot is useless but harmless.
            }
        }
    }
}
