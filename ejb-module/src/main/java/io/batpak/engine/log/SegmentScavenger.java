package io.batpak.engine.log;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.util.GrowableBuffer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.LongStream;

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
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(outCh), 1 << 16);
        GrowableBuffer scratch = new GrowableBuffer(256);
        FrameCodec codec = new FrameCodec(scratch);
        LongStream.Builder gseqs = LongStream.builder();
        LongStream.Builder oldOffsets = LongStream.builder();
        LongStream.Builder newOffsets = LongStream.builder();
        long[] written = {SegmentHeader.SIZE};
        int[] emptied = {0};
        SealedFrames.walk(file, segmentId, inCh, size, -1, "",
                (header, buf, off) -> out.write(header.scavenged().encode().array()),
                (pos, r, buf, off, frameBytes) -> {
                    gseqs.add(r.globalSequence);
                    oldOffsets.add(pos);
                    newOffsets.add(written[0]);
                    int len = frameBytes;
                    boolean shrunk = false;
                    if (!r.scavenged() && past.test(r)) {
                        r.scavenge(frameBytes);
                        scratch.reset();
                        int start = codec.encode(r, null, null);
                        len = scratch.size() - start;
                        if (len < frameBytes) {
                            out.write(scratch.array(), start, len);
                            emptied[0]++;
                            shrunk = true;
                        } else {
                            len = frameBytes; // a tiny event: emptying it would not save a byte
                        }
                    }
                    if (!shrunk) {
                        out.write(buf, off, frameBytes);
                    }
                    written[0] += len;
                });
        out.flush();
        if (outCh.size() != written[0]) {
            throw new IOException("rewritten file is " + outCh.size() + " bytes, expected " + written[0]);
        }
        return new Rewrite(segmentId, size, written[0], emptied[0], gseqs.build().toArray(), newOffsets.build().toArray(),
                oldOffsets.build().toArray());
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
}
