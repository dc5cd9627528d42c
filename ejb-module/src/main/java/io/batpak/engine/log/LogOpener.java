package io.batpak.engine.log;

import io.batpak.engine.CorruptLogException;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import io.batpak.engine.StoreException;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.util.HybridClock;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * Opens a data directory for {@code EventStore.open}: creates it, takes its lock, rebuilds the
 * index (from the checkpoint if one is valid plus a scan of the log after it, else — no
 * checkpoint, one that fails a check, or a log that does not continue it — from a scan of the
 * whole log with a fresh index and clock), then starts the writer and its sync stage. Fails with
 * {@link CorruptLogException} naming file and offset if committed data is damaged, releasing the
 * lock. Runs once, on the opening thread.
 */
public final class LogOpener {
    private static final Logger LOG = System.getLogger(LogOpener.class.getName());

    /** An open log: its lock, the recovered index, the reader and the running writer. */
    public record Opened(DataDirLock lock, StoreIndex index, SegmentReader reader, LogWriter writer) {
    }

    /** What recovery produced: the index, the clock past every recovered timestamp, where the log ends. */
    private record Recovered(StoreIndex index, HybridClock clock, LogRecovery.End end) {
    }

    private LogOpener() {
    }

    /** Opens {@code config.dataDir()}; the writer threads run on return (or are queued on the configured executor). */
    public static Opened open(StoreConfig config) {
        Path dir = config.dataDir();
        try {
            Files.createDirectories(SegmentFiles.dir(dir));
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot create data directory " + dir + ": " + e.getMessage(), e);
        }
        DataDirLock lock = DataDirLock.acquire(dir);
        try {
            Recovered rec = recover(config);
            StoreIndex index = rec.index();
            SegmentReader reader = new SegmentReader(dir, config.readerOpenFiles());
            LogWriter writer;
            try {
                writer = new LogWriter(config, index, rec.clock(), rec.end());
            } catch (IOException e) {
                reader.close();
                throw new StoreException(ErrorCode.UNAVAILABLE, "cannot open the log for writing: " + e.getMessage(), e);
            }
            writer.attachReader(reader);
            Executor executor = config.writerExecutor();
            if (executor == null) {
                Thread sync = new Thread(writer.syncStage(), "batpak-sync");
                sync.setDaemon(true);
                sync.start();
                Thread t = new Thread(writer, "batpak-writer");
                t.setDaemon(false);
                t.start();
            } else {
                executor.execute(writer.syncStage());
                executor.execute(writer);
            }
            return new Opened(lock, index, reader, writer);
        } catch (RuntimeException e) {
            lock.release();
            throw e;
        }
    }

    /** Rebuilds the index of {@code config.dataDir()}; the caller holds the data directory lock. */
    private static Recovered recover(StoreConfig config) {
        Path dir = config.dataDir();
        long t0 = System.nanoTime();
        StoreIndex index = new StoreIndex();
        HybridClock clock = new HybridClock(config.wallClockMs());
        CheckpointFile.Covered covered = CheckpointFile.load(dir, index, clock);
        // Without an fsync per commit the last segment's unforced bytes may have reached the disk in any order.
        boolean unforcedTail = config.syncMode() != SyncMode.EVERY_COMMIT;
        LogRecovery.End end;
        if (covered != null) {
            try {
                end = new LogRecovery(dir, index, clock).tolerateReorderedTail(unforcedTail).scan(covered.segmentId(), covered.offset());
            } catch (CorruptLogException e) {
                LOG.log(Level.WARNING, "log after the checkpoint does not continue it ({0}); rebuilding from the"
                        + " beginning", e.getMessage());
                index = new StoreIndex();
                clock = new HybridClock(config.wallClockMs());
                end = new LogRecovery(dir, index, clock).tolerateReorderedTail(unforcedTail).scan(0, 0);
            }
        } else {
            // A checkpoint that failed a check may have filled part of the index (and the clock)
            // before failing: rebuild from fresh ones, as CheckpointFile.load requires.
            index = new StoreIndex();
            clock = new HybridClock(config.wallClockMs());
            end = new LogRecovery(dir, index, clock).tolerateReorderedTail(unforcedTail).scan(0, 0);
        }
        LOG.log(Level.INFO, "opened {0}: {1} events in {2} segments in {3} ms (checkpoint {4})", dir, index.count(),
                end.segments(), (System.nanoTime() - t0) / 1_000_000, covered == null ? "none" : "used");
        return new Recovered(index, clock, end);
    }
}
