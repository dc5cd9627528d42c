package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.index.StoreIndex;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Recognises, during recovery, a segment that a crash left behind after compaction had already
 * put the merged file in place: every one of its frames is a valid copy of an event the scan has
 * already indexed from an earlier (the merged) segment — same global sequence, same event id. Such
 * a file holds nothing the log does not hold elsewhere and may be deleted. A segment that is only
 * partly such a copy is corruption. Stateless; used on the opening thread.
 */
final class CompactionLeftover {
    private CompactionLeftover() {
    }

    /** Global sequence of the segment's first frame, or -1 if it has none or it does not read cleanly. */
    static long firstGlobalSequence(Path file) {
        // Runs for every segment on open: two small positional reads, not a scanner's large window.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(FrameCodec.HEADER_BYTES);
            if (size < SegmentHeader.SIZE + FrameCodec.HEADER_BYTES || SegmentReader.readFully(ch, head, SegmentHeader.SIZE) < head.capacity()) {
                return -1;
            }
            int length = FrameCodec.readInt(head.array(), 0);
            if (length <= 0 || length > FrameCodec.MAX_BODY_BYTES
                    || SegmentHeader.SIZE + FrameCodec.HEADER_BYTES + (long) length > size) {
                return -1;
            }
            ByteBuffer frame = ByteBuffer.allocate(FrameCodec.HEADER_BYTES + length);
            int got = SegmentReader.readFully(ch, frame, SegmentHeader.SIZE);
            LogRecord r = new LogRecord();
            return FrameReader.check(frame.array(), 0, got, r, false) == null ? r.globalSequence : -1;
        } catch (IOException | IllegalArgumentException e) {
            return -1;
        }
    }

    /**
     * Whether every frame of {@code file} duplicates an already indexed event that lives in another
     * segment. Throws {@link CorruptLogException} if the file starts as such a copy but then differs.
     */
    static boolean isDuplicate(Path file, long segmentId, StoreIndex index) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            FrameReader frames = new FrameReader(new SegmentScanner(ch, size));
            long pos = SegmentHeader.SIZE;
            boolean any = false;
            while (pos < size) {
                LogRecord r = readFrame(frames, pos);
                long g = r == null ? -1 : r.globalSequence;
                boolean copy = g >= 1 && g <= index.stagedCount()
                        && index.idHi((int) (g - 1)) == r.idHi && index.idLo((int) (g - 1)) == r.idLo
                        && StoreIndex.segmentOf(index.position((int) (g - 1))) != segmentId;
                if (!copy) {
                    if (any) {
                        throw new CorruptLogException(file, pos, "segment starts as a copy of events already"
                                + " scanned (a compaction leftover) but differs from them here");
                    }
                    return false;
                }
                any = true;
                pos = frames.end();
            }
            return any;
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The frame at {@code pos} if it is valid ({@link FrameReader}); otherwise null. */
    private static LogRecord readFrame(FrameReader frames, long pos) throws IOException {
        LogRecord r = new LogRecord();
        return frames.read(pos, r, false) == null ? r : null;
    }
}
