package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.util.GrowableBuffer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Predicate;

/**
 * Rewrites one sealed segment with the frames of events past retention emptied: each such frame
 * becomes a scavenged frame (the event's id, coordinate, kind, sequences, clock, chain links,
 * idempotency key and batch position; no payload, correlation, causation, attributes or bypass
 * reason; key {@code gone} = the old frame's length), every other frame is copied byte for byte.
 * Global and entity sequences, chain links and the index's slots are unchanged, so recovery checks
 * a rewritten segment by the same rules as any other; only offsets move.
 *
 * <p>Like compaction, the work is split: {@link #build} writes and forces
 * {@code {id}.scavenge.tmp} on the caller's thread (sealed segments are immutable), then
 * {@link #switchOver} runs on the writer thread: delete the checkpoint, rename the new file over
 * the segment, move the index positions. Recovery understands every state a crash leaves (see
 * docs/FORMAT.md "Scavenging"). Stateless.
 */
final class SegmentScavenger {
    private static final Logger LOG = System.getLogger(SegmentScavenger.class.getName());
    static final String TEMP_SUFFIX = ".scavenge.tmp";

    /**
     * A built rewrite: the frames' global sequences and new offsets in file order, how many frames
     * were emptied, and the file's size before and after.
     */
    record Rewrite(long segmentId, long sizeBefore, long sizeAfter, int emptied, long[] globalSequences,
                   long[] newOffsets, long[] oldOffsets) {
        long bytesReclaimed() {
            return sizeBefore - sizeAfter;
        }
    }

    private SegmentScavenger() {
    }

    static Path tempPath(Path dataDir, long segmentId) {
        return SegmentFiles.dir(dataDir).resolve(String.format("%06d%s", segmentId, TEMP_SUFFIX));
    }

    /**
     * Builds the rewrite of sealed segment {@code segmentId}, emptying the frames {@code past} accepts
     * (it sees each decoded frame, payload skipped) where that saves space. Every frame is checked
     * (length, CRC32C, decodable, global sequences continuous) so damage is never copied. Returns
     * null, leaving no file behind, when the segment is gone (compaction merged it meanwhile) or no
     * frame would shrink.
     */
    static Rewrite build(Path dataDir, long segmentId, Predicate<LogRecord> past) {
        Path file = SegmentFiles.path(dataDir, segmentId);
        Path tmp = tempPath(dataDir, segmentId);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel outCh = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            Rewrite rw = copy(file, segmentId, in, outCh, past);
            if (rw.emptied() == 0) {
                outCh.close();
                deleteQuietly(tmp);
                return null;
            }
            outCh.force(true);
            return rw;
        } catch (NoSuchFileException e) {
            deleteQuietly(tmp);
            return null;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot write " + tmp + ": " + e.getMessage(), e);
        }
    }

    private static Rewrite copy(Path file, long segmentId, FileChannel inCh, FileChannel outCh, Predicate<LogRecord> past)
            throws IOException {
        long size = inCh.size();
        SegmentScanner in = new SegmentScanner(inCh, size);
        int h = in.ensure(0, SegmentHeader.SIZE);
        SegmentHeader header = SegmentHeader.decode(ByteBuffer.wrap(in.array(), h, SegmentHeader.SIZE), file);
        if (header.segmentId() != segmentId) {
            throw new CorruptLogException(file, SegmentHeader.SEGMENT_ID_OFFSET,
                    "header names segment " + header.segmentId() + " but the file name says " + segmentId);
        }
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(outCh), 1 << 16);
        out.write(header.scavenged().encode().array());
        GrowableBuffer scratch = new GrowableBuffer(256);
        FrameCodec codec = new FrameCodec(scratch);
        FrameReader frames = new FrameReader(in);
        LogRecord r = new LogRecord();
        LongList gseqs = new LongList();
        LongList oldOffsets = new LongList();
        LongList newOffsets = new LongList();
        long pos = SegmentHeader.SIZE;
        long written = SegmentHeader.SIZE;
        long nextGlobal = -1;
        int emptied = 0;
        while (pos < size) {
            String problem = frames.read(pos, r, false);
            if (problem != null) {
                throw new CorruptLogException(file, pos, problem + " in a sealed segment");
            }
            if (nextGlobal >= 0 && r.globalSequence != nextGlobal) {
                throw new CorruptLogException(file, pos, "global sequence " + r.globalSequence + " where "
                        + nextGlobal + " was expected");
            }
            nextGlobal = r.globalSequence + 1;
            int frameBytes = (int) (frames.end() - pos);
            gseqs.add(r.globalSequence);
            oldOffsets.add(pos);
            newOffsets.add(written);
            int len = frameBytes;
            boolean shrunk = false;
            if (!r.scavenged() && past.test(r)) {
                r.scavenge(frameBytes);
                scratch.reset();
                int start = codec.encode(r, null, null);
                len = scratch.size() - start;
                if (len < frameBytes) {
                    out.write(scratch.array(), start, len);
                    emptied++;
                    shrunk = true;
                } else {
                    len = frameBytes; // a tiny event: emptying it would not save a byte
                }
            }
            if (!shrunk) {
                out.write(frames.array(), frames.frameOffset(), frameBytes);
            }
            written += len;
            pos = frames.end();
        }
        out.flush();
        if (outCh.size() != written) {
            throw new IOException("rewritten file is " + outCh.size() + " bytes, expected " + written);
        }
        return new Rewrite(segmentId, size, written, emptied, gseqs.toArray(), newOffsets.toArray(), oldOffsets.toArray());
    }

    /**
     * Puts a built rewrite in place (writer thread, log at rest): delete the checkpoint (its
     * positions name the old offsets), rename the new file over the segment (atomic), move the
     * index positions of its events. Readers of the old file finish on it; a read that paired an
     * old position with the new file is retried (see {@link IndexedReads#readRecord}).
     */
    static void switchOver(Path dataDir, Rewrite rw, LogWriter writer, StoreIndex index, SegmentReader reader) {
        long id = rw.segmentId();
        Path tmp = tempPath(dataDir, id);
        for (int k = 0; k < rw.globalSequences().length; k++) {
            int i = (int) (rw.globalSequences()[k] - 1);
            if (index.position(i) != StoreIndex.packPosition(id, rw.oldOffsets()[k])) {
                deleteQuietly(tmp);
                throw new StoreException(ErrorCode.UNAVAILABLE, "segment " + id + " changed while it was scavenged"
                        + " (event " + rw.globalSequences()[k] + " moved); nothing was replaced");
            }
        }
        try {
            Files.deleteIfExists(CheckpointFile.path(dataDir));
            SegmentFiles.syncDirectory(dataDir);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot remove the checkpoint before scavenging: " + e, e);
        }
        reader.beginRelocation(List.of(id));
        try {
            try {
                Files.move(tmp, SegmentFiles.path(dataDir, id), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                deleteQuietly(tmp);
                throw new StoreException(ErrorCode.UNAVAILABLE, "cannot put the scavenged segment " + id
                        + " in place: " + e.getMessage(), e);
            }
            for (int k = 0; k < rw.globalSequences().length; k++) {
                index.setPosition((int) (rw.globalSequences()[k] - 1), StoreIndex.packPosition(id, rw.newOffsets()[k]));
            }
        } finally {
            reader.endRelocation();
        }
        try {
            SegmentFiles.syncDirectory(SegmentFiles.dir(dataDir));
        } catch (RuntimeException e) {
            // The rename is done in memory; if it is lost at a power cut, the old file comes back, whole.
            LOG.log(Level.WARNING, "cannot force the segment directory after scavenging segment " + id, e);
        }
        writer.segmentsMerged(0, rw.bytesReclaimed());
        LOG.log(Level.INFO, "scavenged segment {0}: {1} frames emptied, {2} -> {3} bytes", id, rw.emptied(),
                rw.sizeBefore(), rw.sizeAfter());
    }

    private static void deleteQuietly(Path p) {
        Compactor.deleteQuietly(p);
    }

    /** A growable list of longs (the offsets of one segment's frames). */
    private static final class LongList {
        private long[] a = new long[256];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
