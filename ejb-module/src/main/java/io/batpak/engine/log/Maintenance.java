package io.batpak.engine.log;

import io.batpak.engine.CompactionResult;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.SnapshotInfo;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreDiagnostics;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoreStats;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.util.Completions;
import io.batpak.engine.util.LatencyHistogram;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * Runs the store's online maintenance — snapshots, compaction and the scavenging of single
 * segments — and reports diagnostics. These are serialized with each other (a snapshot copies
 * sealed segments that compaction would delete or scavenging replace), never with appends or
 * reads. Thread-safe.
 */
public final class Maintenance {
    private final StoreConfig config;
    private final StoreIndex index;
    private final SegmentReader reader;
    private final LogWriter writer;
    private final Object lock = new Object();
    private volatile long compactions;
    private volatile long segmentsCompacted;
    private volatile long snapshots;

    public Maintenance(StoreConfig config, StoreIndex index, SegmentReader reader, LogWriter writer) {
        this.config = config;
        this.index = index;
        this.reader = reader;
        this.writer = writer;
    }

    public SnapshotInfo snapshot(Path target) {
        synchronized (lock) {
            SnapshotWriter.End end = onWriter(w -> new SnapshotWriter.End(w.activeSegmentId(), w.activeSegmentSize(),
                    index.count()));
            SnapshotInfo info = SnapshotWriter.copy(config.dataDir(), target, end);
            snapshots++;
            return info;
        }
    }

    public CompactionResult compact(long smallSegmentBytes) {
        if (smallSegmentBytes <= SegmentHeader.SIZE) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "the small-segment threshold must exceed the " + SegmentHeader.SIZE + "-byte header");
        }
        synchronized (lock) {
            long activeId = onWriter(LogWriter::activeSegmentId);
            Path dir = config.dataDir();
            List<Compactor.Run> runs = Compactor.plan(dir, activeId, smallSegmentBytes, config.segmentMaxBytes());
            if (runs.isEmpty()) {
                return CompactionResult.NOTHING;
            }
            try {
                for (Compactor.Run run : runs) {
                    Compactor.build(dir, run);
                }
            } catch (RuntimeException e) {
                runs.forEach(r -> Compactor.deleteQuietly(Compactor.tempPath(dir, r.ids().get(0))));
                throw e;
            }
            onWriter(w -> Compactor.switchOver(dir, runs, w, index, reader));
            int removed = 0;
            for (Compactor.Run run : runs) {
                removed += run.ids().size() - 1;
            }
            compactions++;
            segmentsCompacted += removed;
            return new CompactionResult(runs.size(), removed, (long) removed * SegmentHeader.SIZE);
        }
    }

    /** The ids of the sealed segments (every one but the segment being appended to), ascending. */
    public List<Long> sealedSegments() {
        long activeId = onWriter(LogWriter::activeSegmentId);
        return SegmentFiles.list(config.dataDir()).stream().filter(id -> id < activeId).toList();
    }

    /**
     * Rewrites sealed segment {@code segmentId} with the frames {@code past} accepts emptied (see
     * {@link SegmentScavenger}); returns the bytes reclaimed, 0 when nothing was worth rewriting or
     * the segment no longer exists. Crash-safe at every step (docs/FORMAT.md "Scavenging"). The
     * caller must only pass events that no read can see any more, for good.
     */
    public long scavengeSegment(long segmentId, Predicate<LogRecord> past) {
        synchronized (lock) {
            long activeId = onWriter(LogWriter::activeSegmentId);
            if (segmentId >= activeId) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "segment " + segmentId + " is not sealed");
            }
            Path dir = config.dataDir();
            SegmentScavenger.Rewrite rw = SegmentScavenger.build(dir, segmentId, past);
            if (rw == null) {
                return 0;
            }
            try {
                onWriter(w -> {
                    SegmentScavenger.switchOver(dir, rw, w, index, reader);
                    return null;
                });
            } finally {
                Compactor.deleteQuietly(SegmentScavenger.tempPath(dir, segmentId)); // gone already unless the switch failed
            }
            return rw.bytesReclaimed();
        }
    }

    /** Writes an index checkpoint on the writer thread (after a scavenge deleted the last one). */
    public void checkpoint() {
        onWriter(LogWriter::checkpointNow);
    }

    public StoreDiagnostics diagnostics(boolean writable, int subscriptions) {
        StoreStats s = writer.stats(index);
        LatencyHistogram fsync = writer.fsyncLatency();
        return new StoreDiagnostics(s.events(), s.entities(), s.scopes(), s.segments(), Math.max(0, s.segments() - 1),
                s.bytes(), s.globalSequence(), s.writerQueueDepth(), writer.queueCapacity(), s.groupCommits(),
                fsync.count(), fsync.mean(), fsync.max(), fsync.quantile(0.99), compactions, segmentsCompacted,
                snapshots, writable, subscriptions);
    }

    private <T> T onWriter(java.util.function.Function<LogWriter, T> action) {
        WriterCommand.Task<T> task = new WriterCommand.Task<>(action);
        writer.submit(task);
        return Completions.await(task.future);
    }
}
