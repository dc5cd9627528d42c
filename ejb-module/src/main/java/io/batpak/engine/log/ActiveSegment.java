package io.batpak.engine.log;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one segment file being appended to. Owned by the writer thread (not thread-safe). Sealing
 * forces and closes it; a sealed segment is never opened for writing again.
 */
final class ActiveSegment implements AutoCloseable {
    private static final Logger LOG = System.getLogger(ActiveSegment.class.getName());
    final long id;
    private final Path file;
    private final FileChannel channel;
    private long size;

    /** Opens segment files for writing; a package-private seam so tests can inject I/O failures. */
    interface Opener {
        FileChannel open(Path file, OpenOption... options) throws IOException;
    }

    /**
     * Test seam: openers for chosen data directories (keys absolute and normalized). Keyed by
     * directory rather than one global switch so a fault injected into one store can never reach
     * another store open in the same JVM. Empty in production.
     */
    private static final Map<Path, Opener> OPENERS = new ConcurrentHashMap<>();

    /** Makes segment files under {@code dataDir} open through {@code o} until {@link #removeOpener}. */
    static void installOpener(Path dataDir, Opener o) {
        OPENERS.put(key(dataDir), o);
    }

    static void removeOpener(Path dataDir) {
        OPENERS.remove(key(dataDir));
    }

    private static Opener openerFor(Path dataDir) {
        return OPENERS.isEmpty() ? FileChannel::open : OPENERS.getOrDefault(key(dataDir), FileChannel::open);
    }

    private static Path key(Path dataDir) {
        return dataDir.toAbsolutePath().normalize();
    }

    private ActiveSegment(long id, Path file, FileChannel channel, long size) {
        this.id = id;
        this.file = file;
        this.channel = channel;
        this.size = size;
    }

    /** Creates segment {@code id} with its header, forced together with its directory entry. */
    static ActiveSegment create(Path dataDir, long id, long createdUs) throws IOException {
        if (id > SegmentHeader.MAX_SEGMENT_ID) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "segment id " + id + " exceeds " + SegmentHeader.MAX_SEGMENT_ID);
        }
        Path dir = SegmentFiles.dir(dataDir);
        Files.createDirectories(dir);
        Path file = SegmentFiles.path(dataDir, id);
        FileChannel ch = openerFor(dataDir).open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING);
        try {
            ByteBuffer header = SegmentHeader.create(id, createdUs).encode();
            while (header.hasRemaining()) {
                ch.write(header, SegmentHeader.SIZE - header.remaining());
            }
            ch.force(true);
            SegmentFiles.syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            ch.close();
            // A half-written header (a full disk) would otherwise sit after the active segment.
            try {
                Files.deleteIfExists(file);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        LOG.log(Level.DEBUG, "created segment {0}", file);
        return new ActiveSegment(id, file, ch, SegmentHeader.SIZE);
    }

    /** Reopens the recovered last segment for appending at {@code length}. */
    static ActiveSegment reopen(Path dataDir, long id, long length) throws IOException {
        Path file = SegmentFiles.path(dataDir, id);
        FileChannel ch = openerFor(dataDir).open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
        return new ActiveSegment(id, file, ch, length);
    }

    long size() {
        return size;
    }

    Path file() {
        return file;
    }

    /** Writes {@code len} bytes at the end of the segment. */
    void write(byte[] bytes, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes, off, len);
        long at = size;
        while (b.hasRemaining()) {
            at += channel.write(b, at);
        }
        size = at;
    }

    void force() throws IOException {
        channel.force(false);
    }

    /** Cuts off bytes written after {@code length} (best effort after a failed group). */
    void truncateTo(long length) throws IOException {
        channel.truncate(length);
        size = length;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
