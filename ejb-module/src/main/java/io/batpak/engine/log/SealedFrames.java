package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The one walk over a sealed segment for the tools that copy its frames into a new file
 * (compaction, scavenging): the header is checked (magic, CRC, version, and its id against the
 * file name), then every frame ({@link FrameReader}'s check) and the continuity of global
 * sequences. Damage fails with a {@link CorruptLogException} naming file and offset, so it is
 * never copied. Stateless.
 */
final class SealedFrames {
    /** Sees the segment's checked header and its raw bytes ({@code buf[offset..offset+32)}). */
    interface HeaderVisitor {
        void header(SegmentHeader header, byte[] buf, int offset) throws IOException;
    }

    /** Sees each checked frame, decoded into {@code r} (payload skipped), and its raw bytes. */
    interface FrameVisitor {
        void frame(long position, LogRecord r, byte[] buf, int offset, int length) throws IOException;
    }

    private SealedFrames() {
    }

    /**
     * Walks segment {@code id} ({@code size} bytes of {@code ch}); {@code nextGlobal} is the global
     * sequence its first frame must have (-1: any), {@code gapHint} ends the message of a break in
     * the sequence. Returns the global sequence that would follow its last frame.
     */
    static long walk(Path file, long id, FileChannel ch, long size, long nextGlobal, String gapHint,
                     HeaderVisitor onHeader, FrameVisitor onFrame) throws IOException {
        SegmentScanner in = new SegmentScanner(ch, size);
        int h = in.ensure(0, SegmentHeader.SIZE);
        SegmentHeader header = SegmentHeader.decode(ByteBuffer.wrap(in.array(), h, SegmentHeader.SIZE), file);
        if (header.segmentId() != id) {
            throw new CorruptLogException(file, SegmentHeader.SEGMENT_ID_OFFSET,
                    "header names segment " + header.segmentId() + " but the file name says " + id);
        }
        onHeader.header(header, in.array(), h);
        LogRecord r = new LogRecord();
        FrameReader frames = new FrameReader(in);
        long pos = SegmentHeader.SIZE;
        while (pos < size) {
            String problem = frames.read(pos, r, false);
            if (problem != null) {
                throw new CorruptLogException(file, pos, problem + " in a sealed segment");
            }
            if (nextGlobal >= 0 && r.globalSequence != nextGlobal) {
                throw new CorruptLogException(file, pos, "global sequence " + r.globalSequence + " where "
                        + nextGlobal + " was expected" + gapHint);
            }
            nextGlobal = r.globalSequence + 1;
            onFrame.frame(pos, r, frames.array(), frames.frameOffset(), (int) (frames.end() - pos));
            pos = frames.end();
        }
        return nextGlobal;
    }
}
