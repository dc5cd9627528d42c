package io.batpak.engine;

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
            int crc = FrameCodec.readInt(head.array(), 4);
            if (length <= 0 || length > FrameCodec.MAX_BODY_BYTES
                    || SegmentHeader.SIZE + FrameCodec.HEADER_BYTES + (long) length > size) {
                return -1;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            if (SegmentReader.readFully(ch, body, SegmentHeader.SIZE + FrameCodec.HEADER_BYTES) < length
                    || !FrameCodec.crcMatches(body.array(), 0, length, crc)) {
                return -1;
            }
            LogRecord r = new LogRecord();
            FrameCodec.decodeBody(body.array(), 0, length, r, false);
            return r.globalSequence;
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
            SegmentScanner in = new SegmentScanner(ch, size);
            long pos = SegmentHeader.SIZE;
            boolean any = false;
            while (pos < size) {
                LogRecord r = readFrame(in, pos, size);
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
                pos += FrameCodec.HEADER_BYTES + FrameCodec.readInt(in.array(), in.ensure(pos, FrameCodec.HEADER_BYTES));
            }
            return any;
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The frame at {@code pos} if it is whole, CRC-valid and decodes; otherwise null. */
    private static LogRecord readFrame(SegmentScanner in, long pos, long size) throws IOException {
        if (size - pos < FrameCodec.HEADER_BYTES) {
            return null;
        }
        int off = in.ensure(pos, FrameCodec.HEADER_BYTES);
        int length = FrameCodec.readInt(in.array(), off);
        int crc = FrameCodec.readInt(in.array(), off + 4);
        if (length <= 0 || length > FrameCodec.MAX_BODY_BYTES || pos + FrameCodec.HEADER_BYTES + length > size) {
            return null;
        }
        int body = in.ensure(pos + FrameCodec.HEADER_BYTES, length);
        if (!FrameCodec.crcMatches(in.array(), body, length, crc)) {
            return null;
        }
        LogRecord r = new LogRecord();
        try {
            FrameCodec.decodeBody(in.array(), body, length, r, false);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return r;
    }
}
