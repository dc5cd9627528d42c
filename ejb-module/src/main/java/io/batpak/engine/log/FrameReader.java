package io.batpak.engine.log;

import java.io.IOException;

/**
 * The one check of a stored frame, used by everything that reads frames back: recovery, point
 * reads, compaction, compaction leftovers, quarantine and the format upgrade. A frame is valid when
 * its 8-byte header is whole, its body length is 1..{@value FrameCodec#MAX_BODY_BYTES}, the body
 * lies within the file, its CRC32C matches, and it decodes. What a caller does with an invalid frame
 * (truncate a torn tail, fail the open, skip, stop) is its own rule; the check is not.
 *
 * <p>An instance walks one segment through a {@link SegmentScanner}; not thread-safe. The static
 * {@link #check} serves callers that hold the frame's bytes already.
 */
final class FrameReader {
    private final SegmentScanner in;
    private long end;
    private int frameOffset;
    private boolean checksumValid;

    FrameReader(SegmentScanner in) {
        this.in = in;
    }

    /**
     * Checks the frame at {@code position} and decodes it into {@code r} (the payload only if
     * {@code withPayload}). Returns null when it is valid, else what is wrong with it. Afterwards
     * {@link #end()} is where the frame ends: exact when its length was in range, the file's size
     * when it runs past the end, -1 when its header is unreadable.
     */
    String read(long position, LogRecord r, boolean withPayload) throws IOException {
        long size = in.size();
        end = -1;
        checksumValid = false;
        if (size - position < FrameCodec.HEADER_BYTES) {
            return "partial frame header";
        }
        int off = in.ensure(position, FrameCodec.HEADER_BYTES);
        int length = FrameCodec.readInt(in.array(), off);
        String bad = lengthProblem(length);
        if (bad != null) {
            return bad;
        }
        if (position + FrameCodec.HEADER_BYTES + length > size) {
            end = size;
            return "frame runs past the end of the file";
        }
        end = position + FrameCodec.HEADER_BYTES + length;
        frameOffset = in.ensure(position, FrameCodec.HEADER_BYTES + length);
        byte[] buf = in.array();
        if (!FrameCodec.crcMatches(buf, frameOffset + FrameCodec.HEADER_BYTES, length, FrameCodec.readInt(buf, frameOffset + 4))) {
            return "frame checksum mismatch";
        }
        checksumValid = true;
        return decode(buf, frameOffset, length, r, withPayload);
    }

    /** Whether the frame last read passed its length and CRC checks (it may still fail to decode). */
    boolean checksumValid() {
        return checksumValid;
    }

    /** End offset of the frame last read (see {@link #read}). */
    long end() {
        return end;
    }

    /** Where the frame last read starts in {@link #array()}, valid after a read that returned null. */
    int frameOffset() {
        return frameOffset;
    }

    /** The scanner's window holding the frame last read. */
    byte[] array() {
        return in.array();
    }

    /**
     * Checks the frame whose header starts at {@code buf[off]}, of which {@code available} bytes are
     * in the buffer, and decodes it into {@code r}; returns null when it is valid, else the problem.
     */
    static String check(byte[] buf, int off, long available, LogRecord r, boolean withPayload) {
        if (available < FrameCodec.HEADER_BYTES) {
            return "partial frame header";
        }
        int length = FrameCodec.readInt(buf, off);
        String bad = lengthProblem(length);
        if (bad != null) {
            return bad;
        }
        if (FrameCodec.HEADER_BYTES + (long) length > available) {
            return "frame runs past the end of the file";
        }
        if (!FrameCodec.crcMatches(buf, off + FrameCodec.HEADER_BYTES, length, FrameCodec.readInt(buf, off + 4))) {
            return "frame checksum mismatch";
        }
        return decode(buf, off, length, r, withPayload);
    }

    private static String decode(byte[] buf, int off, int length, LogRecord r, boolean withPayload) {
        try {
            FrameCodec.decodeBody(buf, off + FrameCodec.HEADER_BYTES, length, r, withPayload);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static String lengthProblem(int length) {
        return length <= 0 || length > FrameCodec.MAX_BODY_BYTES ? "frame length " + length + " is out of range" : null;
    }
}
