package io.batpak.engine.log;

import io.batpak.engine.StoreConfig;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.util.GrowableBuffer;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The writer's side of the segment files: writes a group's encoded frames to the active segment
 * (fixing each event's position), rotates to a new segment before a group would overflow the
 * size limit (a group never spans two segments), forces, and cuts a failed group back out.
 *
 * <p>Threading: every method is called by the writer thread, which owns all mutable fields; the
 * size figures read by statistics ({@link #segmentCount()}, {@link #bytesOnDisk()}) are volatile,
 * and {@link FsyncStats} is thread-safe because the sync stage forces through it too.
 */
final class SegmentAppender {
    private static final Logger LOG = System.getLogger(SegmentAppender.class.getName());
    private final StoreConfig config;
    private final Path dataDir;
    /** Called with the cause when a force fails: the writer must stop (see {@link LogWriter}). */
    private final Consumer<Throwable> onForceFailure;
    /** Called after every successful force (writer thread): the forced bytes are durable. */
    private final Runnable onForced;
    private final FsyncStats fsyncStats = new FsyncStats();
    private ActiveSegment segment;
    private int segments;
    private long sealedBytes;
    /** Buffer bytes of the current group already written to the segment. */
    private int flushedUpTo;
    private long groupStartSegmentId;
    private long groupStartSize;
    private long lastForceNanos = System.nanoTime();
    /** Bytes were written since the last force. */
    private boolean dirty;
    private volatile long bytesOnDisk;
    private volatile int segmentCount;

    SegmentAppender(StoreConfig config, LogRecovery.End end, Consumer<Throwable> onForceFailure, Runnable onForced)
            throws IOException {
        this.config = config;
        this.dataDir = config.dataDir();
        this.onForceFailure = onForceFailure;
        this.onForced = onForced;
        this.segments = end.segments();
        if (end.segmentId() == 0 || end.length() == 0) {
            long id = end.segmentId() == 0 ? 1 : end.segmentId();
            this.segment = ActiveSegment.create(dataDir, id, config.wallClockMs().getAsLong() * 1000);
            if (end.segmentId() == 0) {
                segments = 1;
            }
        } else {
            this.segment = ActiveSegment.reopen(dataDir, end.segmentId(), end.length());
        }
        this.sealedBytes = end.bytes() - end.length();
        publishSizes();
    }

    /** Remembers where the group starts, so a failed group can be cut back to it. */
    void beginGroup() {
        flushedUpTo = 0;
        groupStartSegmentId = segment.id;
        groupStartSize = segment.size();
    }

    /** Buffer bytes of the group not yet written to the segment. */
    int unflushed(GrowableBuffer buffer) {
        return buffer.size() - flushedUpTo;
    }

    /**
     * If the command just staged (buffer bytes from {@code cmdStart}) would push a non-empty segment
     * past its size limit, writes what came before it, waits for the sync stage, forces, seals the
     * segment and moves on to a new one, so a batch never spans two segments.
     */
    void rotateIfNeeded(GrowableBuffer buffer, int cmdStart, List<GroupStager.Staged> staged, SyncStage syncStage)
            throws IOException {
        long projected = segment.size() + (buffer.size() - flushedUpTo);
        long beforeCmd = segment.size() + (cmdStart - flushedUpTo);
        if (projected <= config.segmentMaxBytes() || beforeCmd <= SegmentHeader.SIZE) {
            return;
        }
        flush(buffer, cmdStart, staged);
        syncStage.await();
        force();
        // The next segment exists before this one is sealed: if creating it fails (a full disk), the
        // writer stays on this segment and the group can be cut back from it.
        ActiveSegment next = ActiveSegment.create(dataDir, segment.id + 1, config.wallClockMs().getAsLong() * 1000);
        long sealedSize = segment.size();
        segment.close();
        LOG.log(Level.INFO, "sealed segment {0} at {1} bytes", segment.file(), sealedSize);
        sealedBytes += sealedSize;
        segment = next;
        segments++;
        publishSizes();
    }

    /** Writes buffer bytes {@code [flushedUpTo, end)} to the active segment and fixes the positions of their events. */
    void flush(GrowableBuffer buffer, int end, List<GroupStager.Staged> staged) throws IOException {
        if (end <= flushedUpTo) {
            return;
        }
        long base = segment.size();
        for (int k = staged.size() - 1; k >= 0; k--) {
            GroupStager.Staged s = staged.get(k);
            if (s.bufferOffset < flushedUpTo) {
                break;
            }
            if (s.bufferOffset < end) {
                s.position = StoreIndex.packPosition(segment.id, base + (s.bufferOffset - flushedUpTo));
            }
        }
        segment.write(buffer.array(), flushedUpTo, end - flushedUpTo);
        flushedUpTo = end;
        dirty = true;
    }

    /**
     * Cuts the current group out of the active segment. False if it cannot be: part of the group
     * was sealed into an earlier segment, or the truncation itself failed (added to {@code cause}).
     */
    boolean cutBackGroup(Exception cause) {
        if (segment.id != groupStartSegmentId) {
            return false;
        }
        try {
            segment.truncateTo(groupStartSize);
            publishSizes();
        } catch (IOException t) {
            LOG.log(Level.WARNING, "could not cut the failed group from " + segment.file(), t);
            cause.addSuppressed(t);
            return false;
        }
        LOG.log(Level.WARNING, "writing to {0} failed ({1}); rejected the group and cut the segment back to {2} bytes",
                segment.file(), cause.getMessage(), groupStartSize);
        return true;
    }

    /** Forces the active segment; a failed fsync is reported to the writer, which stops for good. */
    void force() throws IOException {
        try {
            fsyncStats.timedForce(segment);
        } catch (IOException e) {
            onForceFailure.accept(e);
            throw e;
        }
        lastForceNanos = System.nanoTime();
        dirty = false;
        onForced.run();
    }

    /** Forces if bytes were written and the sync interval has passed since the last force. */
    boolean intervalElapsed() {
        return dirty && System.nanoTime() - lastForceNanos >= config.syncIntervalMs() * 1_000_000L;
    }

    boolean dirty() {
        return dirty;
    }

    ActiveSegment active() {
        return segment;
    }

    /** Records that compaction replaced {@code removed + 1} segment files by one, saving {@code bytes}. */
    void segmentsMerged(int removed, long bytes) {
        segments -= removed;
        sealedBytes -= bytes;
        publishSizes();
    }

    void publishSizes() {
        segmentCount = segments;
        bytesOnDisk = sealedBytes + segment.size();
    }

    int segmentCount() {
        return segmentCount;
    }

    long bytesOnDisk() {
        return bytesOnDisk;
    }

    FsyncStats fsyncStats() {
        return fsyncStats;
    }

    void close() {
        try {
            segment.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing segment " + segment.file() + " failed", e);
        }
    }
}
