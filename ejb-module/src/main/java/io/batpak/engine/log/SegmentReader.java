package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
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
 * first; a channel evicted while a read uses it closes when that read ends). Thread-safe: the cache
 * lock is held only to look up, count or insert a channel, never during I/O, so readers never wait
 * on each other's reads nor on the writer.
 */
public final class SegmentReader implements AutoCloseable {
    /** Most frames fit in one read of this size; larger ones take a second read. */
    private static final int FIRST_READ = 1024;
    private final Path dataDir;
    private final int maxOpenFiles;
    /** Cached channels in access order; the lock for every handle field and {@link #generation}. */
    private final LinkedHashMap<Long, Handle> open = new LinkedHashMap<>(16, 0.75f, true);
    /** Set once by {@link #close}; guarded by {@code open}. */
    private boolean closed;
    /** Bumped at both ends of a relocation; written under {@code open}, read by anyone. */
    private volatile long generation;

    public SegmentReader(Path dataDir, int maxOpenFiles) {
        this.dataDir = dataDir;
        this.maxOpenFiles = maxOpenFiles;
    }

    /** Reads and decodes the frame at {@code offset} of segment {@code segmentId}. */
    public LogRecord read(long segmentId, long offset, boolean withPayload) {
        for (int attempt = 0; ; attempt++) {
            Handle h = acquire(segmentId);
            try {
                return readFrom(h.channel, segmentId, offset, withPayload);
            } catch (ClosedByInterruptException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(ErrorCode.UNAVAILABLE, "read of segment " + segmentId + " was interrupted", e);
            } catch (ClosedChannelException e) {
                // Only another thread's interrupted read closes a channel in use (eviction and
                // invalidation wait for the last user): open it again.
                if (attempt >= 3) {
                    throw new StoreException(ErrorCode.UNAVAILABLE, "segment " + segmentId + " keeps closing under reads", e);
                }
            } catch (IOException e) {
                throw new StoreException(ErrorCode.UNAVAILABLE, "cannot read " + SegmentFiles.path(dataDir, segmentId)
                        + " at offset " + offset + ": " + e.getMessage(), e);
            } finally {
                release(h);
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
     * Starts moving events between files (compaction, scavenging), before the first file is
     * replaced: forgets the channels of the segments named, each closed once its last in-flight
     * read ends (that read sees the old file, whose frames are the same events), and makes
     * {@link #relocations()} odd until {@link #endRelocation}. A channel opened concurrently,
     * before the switch, is not cached (see {@link #acquire}), so no later read goes to a replaced
     * file through the cache. Writer thread only.
     */
    void beginRelocation(Iterable<Long> segmentIds) {
        synchronized (open) {
            generation++;
            for (Long id : segmentIds) {
                Handle h = open.remove(id);
                if (h != null) {
                    retire(h);
                }
            }
        }
    }

    /** Ends a relocation once the index points at the new positions ({@link #relocations()} even again). */
    void endRelocation() {
        synchronized (open) {
            generation++;
        }
    }

    /**
     * A counter of relocations: odd while one is under way. A read that failed and saw this change
     * (or odd) may have paired an old position with a new file, so it is worth retrying.
     */
    long relocations() {
        return generation;
    }

    /** A cached channel for the segment, counted as in use until {@link #release}. */
    private Handle acquire(long segmentId) {
        while (true) {
            Handle h = acquireOnce(segmentId);
            if (h != null) {
                return h;
            }
        }
    }

    /** A channel in use for the segment, or null if an invalidation raced with opening it (try again). */
    private Handle acquireOnce(long segmentId) {
        long gen;
        synchronized (open) {
            if (closed) {
                throw new StoreException(ErrorCode.UNAVAILABLE, "store is closed");
            }
            Handle h = open.get(segmentId);
            if (h != null && h.channel.isOpen()) {
                h.users++;
                return h;
            }
            if (h != null) {
                open.remove(segmentId);
                retire(h);
            }
            gen = generation;
        }
        // Opened outside the lock: no reader waits on another's file system call.
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
            if (closed) {
                closeQuietly(fresh);
                throw new StoreException(ErrorCode.UNAVAILABLE, "store is closed");
            }
            if (gen != generation) {
                // The file may have been replaced between our open and now: open it again.
                closeQuietly(fresh);
                return null;
            }
            if ((gen & 1) == 1) {
                // Opened during a relocation: maybe the old file, maybe the new one. Good for this
                // read (whose caller retries a read that meets a relocation), never cached.
                Handle once = new Handle(fresh);
                once.users = 1;
                once.retired = true;
                return once;
            }
            Handle raced = open.get(segmentId);
            if (raced != null && raced.channel.isOpen()) {
                closeQuietly(fresh);
                raced.users++;
                return raced;
            }
            Handle h = new Handle(fresh);
            h.users = 1;
            open.put(segmentId, h);
            Iterator<Map.Entry<Long, Handle>> it = open.entrySet().iterator();
            while (open.size() > maxOpenFiles && it.hasNext()) {
                Map.Entry<Long, Handle> eldest = it.next();
                if (eldest.getKey() != segmentId) {
                    it.remove();
                    retire(eldest.getValue());
                }
            }
            return h;
        }
    }

    private void release(Handle h) {
        synchronized (open) {
            h.users--;
            if (h.retired && h.users == 0) {
                closeQuietly(h.channel);
            }
        }
    }

    /** Marks a handle no longer cached and closes it now if no read uses it; guarded by {@code open}. */
    private static void retire(Handle h) {
        h.retired = true;
        if (h.users == 0) {
            closeQuietly(h.channel);
        }
    }

    /** An open channel and how many reads use it; the counters are guarded by {@code open}. */
    private static final class Handle {
        final FileChannel channel;
        int users;
        boolean retired;

        Handle(FileChannel channel) {
            this.channel = channel;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // A read-only channel has nothing to flush; failing to close it loses nothing.
        }
    }

    /** Closes every idle channel now and each busy one when its read ends; later reads fail as closed. */
    @Override
    public void close() {
        synchronized (open) {
            closed = true;
            open.values().forEach(SegmentReader::retire);
            open.clear();
        }
    }
}
