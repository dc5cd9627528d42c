package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads single frames by position with positional reads, checking the CRC32C of every frame it
 * returns. Keeps at most {@code maxOpenFiles} read-only channels open (least recently used closed
 * first). Thread-safe: the cache lock is held only to look up or insert a channel, never during
 * I/O, so readers never wait on each other's reads nor on the writer.
 */
public final class SegmentReader implements AutoCloseable {
    /** Most frames fit in one read of this size; larger ones take a second read. */
    private static final int FIRST_READ = 1024;
    private final Path dataDir;
    private final int maxOpenFiles;
    private final LinkedHashMap<Long, FileChannel> open = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    public SegmentReader(Path dataDir, int maxOpenFiles) {
        this.dataDir = dataDir;
        this.maxOpenFiles = maxOpenFiles;
    }

    /** Reads and decodes the frame at {@code offset} of segment {@code segmentId}. */
    public LogRecord read(long segmentId, long offset, boolean withPayload) {
        for (int attempt = 0; ; attempt++) {
            FileChannel ch = channel(segmentId);
            try {
                return readFrom(ch, segmentId, offset, withPayload);
            } catch (ClosedChannelException e) {
                // Evicted by another reader between lookup and read: open it again.
                if (attempt >= 3) {
                    throw new StoreException(ErrorCode.UNAVAILABLE, "segment " + segmentId + " keeps closing under reads", e);
                }
            } catch (IOException e) {
                throw new StoreException(ErrorCode.UNAVAILABLE, "cannot read " + SegmentFiles.path(dataDir, segmentId)
                        + " at offset " + offset + ": " + e.getMessage(), e);
            }
        }
    }

    private LogRecord readFrom(FileChannel ch, long segmentId, long offset, boolean withPayload) throws IOException {
        ByteBuffer first = ByteBuffer.allocate(FIRST_READ);
        int got = readFully(ch, first, offset);
        byte[] buf = first.array();
        if (got >= FrameCodec.HEADER_BYTES) {
            int length = FrameCodec.readInt(buf, 0);
            int total = FrameCodec.HEADER_BYTES + length;
            if (length > 0 && length <= FrameCodec.MAX_BODY_BYTES && total > got) {
                ByteBuffer whole = ByteBuffer.allocate(total);
                whole.put(buf, 0, got);
                got += readFully(ch, whole, offset + got);
                buf = whole.array();
            }
        }
        LogRecord r = new LogRecord();
        String problem = FrameReader.check(buf, 0, got, r, withPayload);
        if (problem != null) {
            throw new CorruptLogException(SegmentFiles.path(dataDir, segmentId), offset, problem);
        }
        return r;
    }

    /** Reads from {@code position} until {@code into} is full or the file ends; returns the bytes read. */
    static int readFully(FileChannel ch, ByteBuffer into, long position) throws IOException {
        int total = 0;
        while (into.hasRemaining()) {
            int n = ch.read(into, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /**
     * Closes and forgets the channels of segments whose files compaction replaced or deleted. A
     * channel opened concurrently, before the switch, is not cached (see {@link #channel}), so no
     * later read goes to a replaced file through the cache.
     */
    void invalidate(Iterable<Long> segmentIds) {
        synchronized (open) {
            generation++;
            for (Long id : segmentIds) {
                FileChannel ch = open.remove(id);
                if (ch != null) {
                    closeQuietly(ch);
                }
            }
        }
    }

    /** Bumped by {@link #invalidate}; guarded by {@code open}. */
    private long generation;

    private FileChannel channel(long segmentId) {
        while (true) {
            FileChannel ch = channelOnce(segmentId);
            if (ch != null) {
                return ch;
            }
        }
    }

    /** A channel for the segment, or null if an invalidation raced with opening it (try again). */
    private FileChannel channelOnce(long segmentId) {
        long gen;
        synchronized (open) {
            if (closed) {
                throw new StoreException(ErrorCode.UNAVAILABLE, "store is closed");
            }
            FileChannel ch = open.get(segmentId);
            if (ch != null && ch.isOpen()) {
                return ch;
            }
            gen = generation;
        }
        Path file = SegmentFiles.path(dataDir, segmentId);
        FileChannel fresh;
        try {
            fresh = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new StoreException(ErrorCode.NOT_FOUND, "segment file " + file + " is missing", e);
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot open " + file + ": " + e.getMessage(), e);
        }
        synchronized (open) {
            if (gen != generation && !closed) {
                // The file may have been replaced between our open and now: open it again.
                closeQuietly(fresh);
                return null;
            }
            FileChannel raced = open.get(segmentId);
            if (raced != null && raced.isOpen() || closed) {
                closeQuietly(fresh);
                if (closed) {
                    throw new StoreException(ErrorCode.UNAVAILABLE, "store is closed");
                }
                return raced;
            }
            open.put(segmentId, fresh);
            Iterator<Map.Entry<Long, FileChannel>> it = open.entrySet().iterator();
            while (open.size() > maxOpenFiles && it.hasNext()) {
                Map.Entry<Long, FileChannel> eldest = it.next();
                if (eldest.getKey() != segmentId) {
                    closeQuietly(eldest.getValue());
                    it.remove();
                }
            }
            return fresh;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // A read-only channel has nothing to flush; failing to close it loses nothing.
        }
    }

    @Override
    public void close() {
        synchronized (open) {
            closed = true;
            open.values().forEach(SegmentReader::closeQuietly);
            open.clear();
        }
    }
}
