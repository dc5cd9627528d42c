package io.batpak.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Sequential reader of one segment file through a sliding window, for recovery. Not thread-safe.
 */
final class SegmentScanner {
    private final FileChannel channel;
    private final long size;
    private ByteBuffer window = ByteBuffer.allocate(4 << 20);
    private long windowStart;
    private int windowLength;

    SegmentScanner(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    long size() {
        return size;
    }

    /**
     * Makes {@code [position, position + length)} readable and returns the offset of {@code position}
     * in {@link #array()}; the caller checked the range lies within the file.
     */
    int ensure(long position, int length) throws IOException {
        if (position >= windowStart && position + length <= windowStart + windowLength) {
            return (int) (position - windowStart);
        }
        if (length > window.capacity()) {
            window = ByteBuffer.allocate(Math.max(length, window.capacity() * 2));
        }
        window.clear();
        int want = (int) Math.min(window.capacity(), size - position);
        window.limit(Math.max(want, length));
        int total = 0;
        while (total < length || total < want) {
            int n = channel.read(window, position + total);
            if (n < 0) {
                break;
            }
            total += n;
            if (!window.hasRemaining()) {
                break;
            }
        }
        windowStart = position;
        windowLength = total;
        if (total < length) {
            throw new IOException("short read at " + position + ": wanted " + length + " bytes, got " + total);
        }
        return 0;
    }

    byte[] array() {
        return window.array();
    }

}
