package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.index.EntityState;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.util.HybridClock;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rebuilds the index by scanning segments from a start position (the beginning, or where a
 * checkpoint left off). Every frame is length- and CRC32C-checked, decoded, and checked for
 * gap-free global and per-entity sequences and an unbroken hash-chain link. In the last segment
 * a damaged or incomplete tail (a partial frame, an incomplete atomic batch, or a frame whose bad
 * bytes run to the end of the file) is truncated and logged: it was never acknowledged. Any other
 * damage fails the open with a {@link CorruptLogException} naming file and offset; nothing is
 * skipped silently. Runs before the store opens, on the opening thread.
 *
 * <p>One exception, for stores that run with fsync {@code interval} or {@code never}
 * ({@link #tolerateReorderedTail}): there the last segment's unforced bytes may reach the disk in
 * any order at a power loss, leaving a hole before later valid frames. Those frames lie in the
 * documented loss window, so the last segment is cut at the hole like a torn tail, after the bytes
 * from the cut to the end are copied into {@code {data-dir}/quarantine/} (nothing is destroyed).
 */
public final class LogRecovery {
    private static final Logger LOG = System.getLogger(LogRecovery.class.getName());

    /** Where the log ends after recovery: the last segment id (0 if none) and its valid length. */
    public record End(long segmentId, long length, int segments, long bytes, long truncatedBytes) {
    }

    private final Path dataDir;
    private final StoreIndex index;
    private final HybridClock clock;
    private long truncatedBytes;
    /** Whether a hole followed by valid frames in the last segment is a reordered unforced tail. */
    private boolean reorderedTailTolerated;

    public LogRecovery(Path dataDir, StoreIndex index, HybridClock clock) {
        this.dataDir = dataDir;
        this.index = index;
        this.clock = clock;
    }

    /**
     * Treats a hole followed by valid frames in the last segment as the unforced tail of a store
     * running with fsync {@code interval} or {@code never} (see the class comment); returns this.
     */
    LogRecovery tolerateReorderedTail(boolean tolerated) {
        this.reorderedTailTolerated = tolerated;
        return this;
    }

    /** Scans from {@code startSegment} at {@code startOffset} (0 means from the segment's first frame). */
    public End scan(long startSegment, long startOffset) {
        Compactor.removeTemporaries(dataDir);
        List<Long> ids = SegmentFiles.list(dataDir);
        if (startSegment > 0 && !ids.contains(startSegment)) {
            throw new CorruptLogException(SegmentFiles.path(dataDir, startSegment), startOffset,
                    "the checkpoint covers a segment that does not exist");
        }
        long bytes = 0;
        long lastId = 0;
        long lastLength = 0;
        int segments = 0;
        for (int i = 0; i < ids.size(); i++) {
            long id = ids.get(i);
            boolean last = i == ids.size() - 1;
            Path file = SegmentFiles.path(dataDir, id);
            // Compaction leaves gaps in the ids, so continuity is checked by global sequence instead.
            if (i > 0 && id >= startSegment && !(id == startSegment && startOffset > 0)) {
                long first = CompactionLeftover.firstGlobalSequence(file);
                if (first >= 1 && first <= index.stagedCount() && CompactionLeftover.isDuplicate(file, id, index)) {
                    LOG.log(Level.WARNING, "segment {0} only repeats events of an earlier merged segment (an"
                            + " interrupted compaction); deleting it", file);
                    deleteLeftover(file);
                    continue;
                }
                if (first > index.stagedCount() + 1 && id != ids.get(i - 1) + 1) {
                    throw new CorruptLogException(file, SegmentHeader.SIZE, "segment " + ids.get(i - 1)
                            + " is followed by " + id + " and global sequence jumps from " + index.stagedCount()
                            + " to " + first + ": a segment file is missing");
                }
            }
            long length;
            if (id < startSegment) {
                length = sizeOf(file);
            } else {
                long from = id == startSegment && startOffset > 0 ? startOffset : SegmentHeader.SIZE;
                length = scanSegment(file, id, from, last);
            }
            bytes += length;
            lastId = id;
            lastLength = length;
            segments++;
        }
        index.publish();
        return new End(lastId, lastLength, segments, bytes, truncatedBytes);
    }

    private static void deleteLeftover(Path file) {
        try {
            Files.delete(file);
            SegmentFiles.syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot delete compaction leftover " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot stat " + file + ": " + e.getMessage(), e);
        }
    }

    private long scanSegment(Path file, long id, long from, boolean last) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size < SegmentHeader.SIZE) {
                if (last) {
                    // Crashed while creating this segment: nothing in it was ever acknowledged.
                    LOG.log(Level.WARNING, "segment {0} has a partial header ({1} bytes); truncating it to 0", file, size);
                    truncate(ch, file, 0, size);
                    return 0;
                }
                throw new CorruptLogException(file, 0, "segment header is cut short (" + size + " bytes)");
            }
            ByteBuffer hb = ByteBuffer.allocate(SegmentHeader.SIZE);
            while (hb.hasRemaining() && ch.read(hb, hb.position()) > 0) {
                // keep reading until the header is complete
            }
            SegmentHeader header = SegmentHeader.decode(hb.flip(), file);
            if (header.segmentId() != id) {
                throw new CorruptLogException(file, SegmentHeader.SEGMENT_ID_OFFSET,
                        "header names segment " + header.segmentId() + " but the file name says " + id);
            }
            if (from > size) {
                throw new CorruptLogException(file, from, "the checkpoint covers up to offset " + from
                        + " but the segment holds only " + size + " bytes");
            }
            return scanFrames(ch, file, id, from, size, last);
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot scan " + file + ": " + e.getMessage(), e);
        }
    }

    private long scanFrames(FileChannel ch, Path file, long id, long from, long size, boolean last) throws IOException {
        SegmentScanner in = new SegmentScanner(ch, size);
        FrameReader frames = new FrameReader(in);
        List<LogRecord> batch = new ArrayList<>();
        long batchStart = -1;
        long pos = from;
        while (pos < size) {
            LogRecord r = new LogRecord();
            String problem = frames.read(pos, r, false);
            long frameEnd = frames.end();
            if (problem != null) {
                // Only the unacknowledged tail may be damaged: if a valid frame continuing the log follows,
                // the damage sits in acknowledged data and must be reported, not truncated away.
                boolean tornTail = last && !validFrameFollows(in, pos + 1, size, index.stagedCount() + batch.size() + 1L);
                long cut = batch.isEmpty() ? pos : batchStart;
                if (!tornTail && last && reorderedTailTolerated) {
                    Path kept = keepAside(file, ch, cut, size);
                    LOG.log(Level.WARNING, "hole in the unforced tail of {0} at offset {1} ({2}), followed by frames"
                            + " written before the power loss reached them; cut the segment there and kept the {3}"
                            + " bytes from the cut in {4}", file, cut, problem, size - cut, kept);
                    truncate(ch, file, cut, size);
                    return cut;
                }
                if (!tornTail) {
                    throw new CorruptLogException(file, pos, problem);
                }
                LOG.log(Level.WARNING, "torn tail in {0} at offset {1} ({2}); truncating {3} bytes",
                        file, cut, problem, size - cut);
                truncate(ch, file, cut, size);
                return cut;
            }
            long expectedGlobal = index.stagedCount() + batch.size() + 1L;
            if (r.globalSequence != expectedGlobal) {
                throw new CorruptLogException(file, pos, "global sequence " + r.globalSequence + " where "
                        + expectedGlobal + " was expected");
            }
            if (r.batchSize > 1) {
                if (r.batchIndex != batch.size() || !batch.isEmpty() && batch.get(0).batchSize != r.batchSize) {
                    throw new CorruptLogException(file, pos, "batch frame " + r.batchIndex + "/" + r.batchSize
                            + " out of order");
                }
                if (batch.isEmpty()) {
                    batchStart = pos;
                }
                batch.add(r);
                positions = append(positions, batch.size() - 1, pos);
                if (batch.size() == r.batchSize) {
                    for (int b = 0; b < batch.size(); b++) {
                        apply(batch.get(b), file, id, positions[b]);
                    }
                    batch.clear();
                }
            } else {
                if (!batch.isEmpty()) {
                    throw new CorruptLogException(file, pos, "atomic batch starting at " + batchStart
                            + " is interrupted by a single event");
                }
                apply(r, file, id, pos);
            }
            pos = frameEnd;
        }
        if (!batch.isEmpty()) {
            if (!last) {
                throw new CorruptLogException(file, batchStart, "atomic batch is incomplete at the end of a sealed segment");
            }
            LOG.log(Level.WARNING, "incomplete atomic batch at the tail of {0} offset {1}; truncating {2} bytes",
                    file, batchStart, size - batchStart);
            truncate(ch, file, batchStart, size);
            return batchStart;
        }
        return size;
    }

    /** Offsets of the frames of the batch being collected. */
    private long[] positions = new long[16];

    /**
     * Whether a frame that continues the log (global sequence at least {@code minGlobal}, the one the
     * damaged frame should have) starts after {@code from}. A CRC-valid event frame with an older
     * sequence is not a later frame but a copy inside a torn event's opaque payload.
     */
    private static boolean validFrameFollows(SegmentScanner in, long from, long size, long minGlobal) throws IOException {
        FrameReader frames = new FrameReader(in);
        LogRecord probe = new LogRecord();
        for (long at = from; at + FrameCodec.HEADER_BYTES < size; at++) {
            String problem = frames.read(at, probe, false);
            if (problem == null && probe.globalSequence >= minGlobal) {
                return true;
            }
            if (problem != null && frames.checksumValid()) {
                return true; // CRC-valid but not an event: when in doubt, refuse to open rather than truncate
            }
        }
        return false;
    }

    /** Copies bytes {@code [from, size)} of a segment into the quarantine directory (forced); returns the copy. */
    private Path keepAside(Path file, FileChannel ch, long from, long size) throws IOException {
        Path dir = dataDir.resolve(Quarantine.DIR);
        Files.createDirectories(dir);
        Path target = dir.resolve(file.getFileName() + "." + from + ".unforced-tail");
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long done = 0;
            while (done < size - from) {
                done += ch.transferTo(from + done, size - from - done, out);
            }
            out.force(true);
        }
        SegmentFiles.syncDirectory(dir);
        return target;
    }

    private static long[] append(long[] arr, int at, long value) {
        long[] a = at < arr.length ? arr : Arrays.copyOf(arr, Math.max(arr.length * 2, at + 1));
        a[at] = value;
        return a;
    }

    private void truncate(FileChannel ch, Path file, long to, long size) throws IOException {
        ch.truncate(to);
        ch.force(true);
        truncatedBytes += size - to;
    }

    private void apply(LogRecord r, Path file, long segmentId, long pos) {
        EntityState e = index.entityOrCreate(r.entity, r.scope);
        if (r.sequence != e.events.size()) {
            throw new CorruptLogException(file, pos, "entity '" + r.entity + "@" + r.scope + "' sequence " + r.sequence
                    + " where " + e.events.size() + " was expected");
        }
        if (!Arrays.equals(r.prevHash, e.lastHash)) {
            throw new CorruptLogException(file, pos, "entity '" + r.entity + "@" + r.scope + "' sequence " + r.sequence
                    + " does not link to the previous event's hash");
        }
        if (r.kind < 0 || r.kind > 0xFFFF) {
            throw new CorruptLogException(file, pos, "kind " + r.kind + " is out of range");
        }
        index.apply(r.idHi, r.idLo, e, r.kind, StoreIndex.packPosition(segmentId, pos), r.hash, r.idempotencyKey,
                r.fingerprintHi, r.fingerprintLo);
        clock.observe(r.hlcMs, r.hlcCounter);
    }
}
