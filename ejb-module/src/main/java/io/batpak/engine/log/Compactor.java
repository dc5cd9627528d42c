package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.index.StoreIndex;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Merges runs of adjacent small sealed segments into one segment each. The merged file keeps the
 * first segment's header and id and holds every frame of the run byte for byte, so an event of
 * the first segment keeps its offset and the others shift by a known amount. The work is split:
 * {@link #build} writes and forces {@code {first}.compact.tmp} on the caller's thread (sealed
 * segments are immutable), then {@link #switchOver} runs on the writer thread: delete the
 * checkpoint, rename the merged file over the first segment, move the index positions, delete
 * the other segments, write a new checkpoint. Recovery understands every state a crash can leave
 * (see docs/FORMAT.md "Compaction"). Stateless.
 */
final class Compactor {
    private static final Logger LOG = System.getLogger(Compactor.class.getName());
    static final String TEMP_SUFFIX = ".compact.tmp";

    /** Adjacent sealed segments to merge, with their sizes in bytes. */
    record Run(List<Long> ids, long[] sizes) {
        long mergedSize() {
            long total = SegmentHeader.SIZE;
            for (long s : sizes) {
                total += s - SegmentHeader.SIZE;
            }
            return total;
        }

        /** Where segment {@code k} of the run starts in the merged file (its frames, after its header). */
        long base(int k) {
            long b = SegmentHeader.SIZE;
            for (int j = 0; j < k; j++) {
                b += sizes[j] - SegmentHeader.SIZE;
            }
            return b;
        }
    }

    private Compactor() {
    }

    static Path tempPath(Path dataDir, long firstId) {
        return SegmentFiles.dir(dataDir).resolve(String.format("%06d%s", firstId, TEMP_SUFFIX));
    }

    /**
     * Groups sealed segments (all ids below {@code activeId}) into runs of at least two adjacent
     * segments, each smaller than {@code smallBytes}, whose merged size stays within {@code maxBytes}.
     */
    static List<Run> plan(Path dataDir, long activeId, long smallBytes, long maxBytes) {
        List<Run> runs = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        long merged = SegmentHeader.SIZE;
        for (long id : SegmentFiles.list(dataDir)) {
            if (id >= activeId) {
                break;
            }
            long size = sizeOf(SegmentFiles.path(dataDir, id));
            boolean small = size < smallBytes && size > SegmentHeader.SIZE;
            if (!small || merged + size - SegmentHeader.SIZE > maxBytes) {
                addRun(runs, ids, sizes);
                merged = SegmentHeader.SIZE;
                if (!small) {
                    continue;
                }
            }
            ids.add(id);
            sizes.add(size);
            merged += size - SegmentHeader.SIZE;
        }
        addRun(runs, ids, sizes);
        return runs;
    }

    private static void addRun(List<Run> runs, List<Long> ids, List<Long> sizes) {
        if (ids.size() >= 2) {
            runs.add(new Run(List.copyOf(ids), sizes.stream().mapToLong(Long::longValue).toArray()));
        }
        ids.clear();
        sizes.clear();
    }

    /**
     * Writes the merged file for {@code run} to its temporary path and forces it. Every frame is
     * checked (length, CRC32C, decodable, global sequences continuous across the run) so damage is
     * never copied into a new file; damage fails with a {@link CorruptLogException}.
     */
    static void build(Path dataDir, Run run) {
        Path tmp = tempPath(dataDir, run.ids().get(0));
        try (FileChannel outCh = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(outCh), 1 << 16);
            long nextGlobal = -1;
            boolean scavenged = anyScavenged(dataDir, run);
            for (int k = 0; k < run.ids().size(); k++) {
                long id = run.ids().get(k);
                nextGlobal = copyFrames(SegmentFiles.path(dataDir, id), id, run.sizes()[k], k == 0, scavenged, out,
                        nextGlobal);
            }
            out.flush();
            if (outCh.size() != run.mergedSize()) {
                throw new IOException("merged file is " + outCh.size() + " bytes, expected " + run.mergedSize());
            }
            outCh.force(true);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot write " + tmp + ": " + e.getMessage(), e);
        }
    }

    /** Whether a segment of the run was rewritten by the scavenger: then the merged file is marked so too. */
    private static boolean anyScavenged(Path dataDir, Run run) throws IOException {
        for (long id : run.ids()) {
            Path file = SegmentFiles.path(dataDir, id);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocate(SegmentHeader.SIZE);
                SegmentReader.readFully(ch, b, 0);
                if (SegmentHeader.decode(b.flip(), file).version() == SegmentHeader.SCAVENGED_VERSION) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Copies one segment's frames (and its header if {@code withHeader}, marked scavenged if
     * {@code scavenged}); returns the next expected global sequence.
     */
    private static long copyFrames(Path file, long id, long size, boolean withHeader, boolean scavenged,
                                   OutputStream out, long nextGlobal) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() != size) {
                throw new CorruptLogException(file, size, "sealed segment changed size during compaction");
            }
            return SealedFrames.walk(file, id, ch, size, nextGlobal, ": the segments to merge do not continue each other",
                    (header, buf, off) -> {
                        if (withHeader && scavenged) {
                            out.write(header.scavenged().encode().array());
                        } else if (withHeader) {
                            out.write(buf, off, SegmentHeader.SIZE);
                        }
                    },
                    (pos, r, buf, off, len) -> out.write(buf, off, len));
        }
    }

    /**
     * Puts built runs in place (writer thread, log at rest). Per run: rename the merged file over the
     * first segment (atomic), stop caching channels of the run, move the index positions of the
     * other segments' events, delete those segments. The checkpoint is deleted before the first
     * rename, because its positions name the old files, and rewritten at the end.
     *
     * @return how many runs were switched (fewer than given only if a rename failed, which throws)
     */
    static int switchOver(Path dataDir, List<Run> runs, LogWriter writer, StoreIndex index, SegmentReader reader) {
        if (runs.isEmpty()) {
            return 0;
        }
        Path segDir = SegmentFiles.dir(dataDir);
        boolean leftovers = false;
        try {
            Files.deleteIfExists(CheckpointFile.path(dataDir));
            SegmentFiles.syncDirectory(dataDir);
        } catch (IOException | RuntimeException e) {
            runs.forEach(r -> deleteQuietly(tempPath(dataDir, r.ids().get(0))));
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot remove the checkpoint before compacting: " + e, e);
        }
        for (int n = 0; n < runs.size(); n++) {
            Run run = runs.get(n);
            long first = run.ids().get(0);
            reader.beginRelocation(run.ids());
            try {
                Files.move(tempPath(dataDir, first), SegmentFiles.path(dataDir, first), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                SegmentFiles.syncDirectory(segDir);
            } catch (IOException | RuntimeException e) {
                reader.endRelocation();
                for (int m = n; m < runs.size(); m++) {
                    deleteQuietly(tempPath(dataDir, runs.get(m).ids().get(0)));
                }
                throw new StoreException(ErrorCode.UNAVAILABLE, "cannot put the merged segment " + first
                        + " in place: " + e.getMessage(), e);
            }
            remap(index, run);
            reader.endRelocation();
            for (int k = 1; k < run.ids().size(); k++) {
                try {
                    Files.deleteIfExists(SegmentFiles.path(dataDir, run.ids().get(k)));
                } catch (IOException e) {
                    // The merged file already holds these frames; recovery deletes the copy.
                    leftovers = true;
                    LOG.log(Level.WARNING, "cannot delete merged segment " + run.ids().get(k) + "; the next open will", e);
                }
            }
            writer.segmentsMerged(run.ids().size() - 1, (run.ids().size() - 1L) * SegmentHeader.SIZE);
            LOG.log(Level.INFO, "compacted segments {0} into {1} ({2} bytes)", run.ids(), first, run.mergedSize());
        }
        try {
            SegmentFiles.syncDirectory(segDir);
        } catch (RuntimeException e) {
            leftovers = true;
            LOG.log(Level.WARNING, "cannot force the segment directory after compaction", e);
        }
        // A checkpoint skips the leftover check of recovery, so none is written while copies may remain.
        if (!leftovers) {
            writer.checkpointNow();
        }
        return runs.size();
    }

    /** Points the index at the merged file for every event of the run's later segments. */
    private static void remap(StoreIndex index, Run run) {
        long first = run.ids().get(0);
        long last = run.ids().get(run.ids().size() - 1);
        int n = index.stagedCount();
        for (int i = 0; i < n; i++) {
            long pos = index.position(i);
            long seg = StoreIndex.segmentOf(pos);
            if (seg > last) {
                break; // positions ascend with the global sequence
            }
            if (seg <= first) {
                continue;
            }
            int k = run.ids().indexOf(seg);
            if (k > 0) {
                long offset = StoreIndex.offsetOf(pos) - SegmentHeader.SIZE + run.base(k);
                index.setPosition(i, StoreIndex.packPosition(first, offset));
            }
        }
    }

    /** Deletes temporary files of a compaction or scavenge that never finished (called before recovery scans). */
    static void removeTemporaries(Path dataDir) {
        Path dir = SegmentFiles.dir(dataDir);
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().endsWith(TEMP_SUFFIX)
                    || p.getFileName().toString().endsWith(SegmentScavenger.TEMP_SUFFIX)).forEach(stale::add);
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot list " + dir + ": " + e.getMessage(), e);
        }
        for (Path p : stale) {
            LOG.log(Level.WARNING, "removing {0}, left by a compaction or scavenge that did not finish", p);
            deleteQuietly(p);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot delete " + p, e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot stat " + file + ": " + e.getMessage(), e);
        }
    }
}
