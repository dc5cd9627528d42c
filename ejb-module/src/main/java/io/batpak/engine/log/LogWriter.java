package io.batpak.engine.log;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoreStats;
import io.batpak.engine.SyncMode;
import io.batpak.engine.WatermarkLevel;
import io.batpak.engine.Watermarks;
import io.batpak.engine.index.EntityState;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.subscription.SubscriptionHub;
import io.batpak.engine.util.GrowableBuffer;
import io.batpak.engine.util.HybridClock;
import io.batpak.engine.util.LatencyHistogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The single thread that owns the log. It takes commands from a bounded queue (callers block when
 * it is full), and commits them in groups: everything queued is validated (CAS, idempotency),
 * sequenced, hash-chained, encoded and written, the segment is forced once, then the index is
 * updated and published and every caller of the group is answered. An atomic batch is validated
 * as a whole and written contiguously in one segment, so it commits or fails as a unit.
 *
 * <p>With {@link SyncMode#EVERY_COMMIT} the fsync is pipelined: the writer thread writes a group,
 * stages it in the index (invisible to readers) and hands it to the sync stage, a second loop that
 * forces the segment, then publishes the group and answers its callers, while the writer already
 * prepares the next group. Groups are forced, published and answered strictly in order, so no
 * caller is answered and no reader sees an event before it is durable.
 *
 * <p>A failed write (a full disk, ENOSPC) rejects only its group: the active segment is cut back
 * to where the group began, the group's callers get {@link ErrorCode#UNAVAILABLE}, and the writer
 * goes on, so appends succeed again once space returns. A failed fsync is different: Linux may
 * drop the dirty pages and clear the error, so a retried fsync can report success for data that
 * never reached the disk. After a failed fsync (or a write failure that cannot be cut back
 * cleanly) the writer therefore stops accepting appends (every later append fails with
 * {@link ErrorCode#UNAVAILABLE}) until the store is reopened and recovery re-reads what is really
 * on disk.
 *
 * <p>Parts: {@link GroupStager} builds a group's frames (validation, sequences, chain, encoding);
 * {@link SegmentAppender} writes, rotates, forces and cuts back segment files; {@link SyncStage}
 * forces written groups and publishes them; {@link CheckpointStage} writes periodic checkpoints on
 * another thread; this class runs the command loop that sequences them. Threading: every
 * field is confined to the writer thread except the queue (thread-safe), the statistics and the
 * failure/termination flags (volatile), and what {@link SyncStage} guards; the index is published
 * by the writer (INTERVAL, NEVER) or by the sync stage's thread (EVERY_COMMIT), in group order.
 */
public final class LogWriter implements Runnable {
    private static final Logger LOG = System.getLogger(LogWriter.class.getName());
    private static final int MAX_GROUP_COMMANDS = 4096;
    private static final int FLUSH_THRESHOLD_BYTES = 8 << 20;

    private final StoreConfig config;
    private final Path dataDir;
    private final StoreIndex index;
    private final HybridClock clock;
    /** The bounded command queue callers submit to. */
    private final WriterQueue queue;
    private final GrowableBuffer buffer = new GrowableBuffer(1 << 20);
    private final GroupStager stager;
    /** Writes, rotates, forces and cuts back the segment files. */
    private final SegmentAppender segments;

    private final List<SyncStage.Completion> completions = new ArrayList<>();
    /** A write of this group failed; the rest of the group is rejected and the group cut back. */
    private IOException groupWriteFailure;

    private volatile Throwable failure;
    private volatile long groupCommits;
    /** Opens when the writer loop has ended and every file and stage it owns is closed. */
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Accepted and durable positions, and the waits on them (see {@link WatermarkTracker}). */
    private final WatermarkTracker watermarks;
    /** Forces written groups (EVERY_COMMIT), then publishes and answers them, on its own thread. */
    private final SyncStage syncStage;
    /** Writes periodic checkpoints on another thread while this one goes on appending. */
    private final CheckpointStage checkpoints;

    public LogWriter(StoreConfig config, StoreIndex index, HybridClock clock, LogRecovery.End end) throws IOException {
        this.config = config;
        this.dataDir = config.dataDir();
        this.index = index;
        this.clock = clock;
        this.queue = new WriterQueue(config.writerQueueCapacity());
        this.stager = new GroupStager(index, clock, buffer);
        this.checkpoints = new CheckpointStage(dataDir, index, clock, config.writerExecutor(),
                config.checkpointIntervalEvents());
        this.syncStage = new SyncStage(new SyncStage.Owner() {
            @Override
            public boolean failed() {
                return failure != null;
            }

            @Override
            public void markFailed(Throwable t) {
                LogWriter.this.markFailed(t);
            }

            @Override
            public void force(ActiveSegment target) throws IOException {
                segments.fsyncStats().timedForce(target);
            }

            @Override
            public void answer(SyncStage.Batch b) {
                if (failure == null) {
                    watermarks.durable(b.indexCount()); // the stage forced before answering
                }
                LogWriter.this.answer(b);
            }
        });
        this.watermarks = new WatermarkTracker(index, index.stagedCount());
        // Writer-thread forces cover every group applied so far (a mid-group rotation: the groups before it).
        this.segments = new SegmentAppender(config, end, this::markFailed, () -> watermarks.durable(index.stagedCount()));
    }

    // ---- caller side ----

    /** Queues a command, blocking while the queue is full; fails fast once the writer stopped. */
    public void submit(WriterCommand command) {
        queue.submit(command);
    }

    int queueDepth() {
        return queue.depth();
    }

    public Throwable failure() {
        return failure;
    }

    /**
     * Waits until the writer loop has ended: its segment files closed and no background checkpoint
     * still writing into the data directory. False if that took longer than {@code timeoutMs}.
     */
    public boolean awaitStopped(long timeoutMs) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true; // a closing store must not leave files open behind it
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The store's accepted, durable and visible positions now. */
    public Watermarks watermarks() {
        return watermarks.current();
    }

    /**
     * Waits until {@code level} reaches {@code position} or {@code timeoutMs} pass; true if it did. A
     * durable wait first asks this writer to force what it wrote, so it ends in every sync mode.
     */
    public boolean awaitWatermark(long position, WatermarkLevel level, long timeoutMs) throws InterruptedException {
        if (level == WatermarkLevel.DURABLE && watermarks().durable() < position) {
            submit(new WriterCommand.Sync()); // answered through the watermark, not its future
        }
        return watermarks.await(position, level, timeoutMs);
    }

    public boolean isTerminated() {
        return queue.closed();
    }

    public StoreStats stats(StoreIndex idx) {
        FsyncStats fs = segments.fsyncStats();
        return new StoreStats(idx.count(), idx.entityCount(), idx.scopeCount(), segments.segmentCount(), segments.bytesOnDisk(),
                idx.count(), queue.depth(), groupCommits, fs.fsyncs(), fs.totalNanos(), fs.maxNanos());
    }

    // ---- writer thread ----

    @Override
    public void run() {
        // Pooled (managed) threads get their name back when the loop ends.
        String previousName = Thread.currentThread().getName();
        Thread.currentThread().setName("batpak-writer");
        List<WriterCommand> group = new ArrayList<>();
        boolean closing = false;
        try {
            while (!closing) {
                WriterCommand first = nextCommand();
                if (first == null) {
                    syncIfIntervalElapsed();
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP_COMMANDS - 1);
                syncStage.writerBusy(true);
                try {
                    closing = processGroup(group);
                } finally {
                    syncStage.writerBusy(false);
                }
                group.clear();
            }
        } catch (Throwable t) {
            // A bug or an Error: stop taking writes rather than guess at the log's state.
            LOG.log(Level.ERROR, "writer thread stopped unexpectedly", t);
            markFailed(t);
            for (WriterCommand c : group) {
                c.fail(unavailable());
            }
        } finally {
            queue.close();
            syncStage.stop();
            checkpoints.close();
            segments.close();
            stopped.countDown();
            Thread.currentThread().setName(previousName);
        }
    }

    private WriterCommand nextCommand() throws InterruptedException {
        // With interval fsync and unforced bytes, wake up in time to force them.
        return queue.next(config.syncMode() == SyncMode.INTERVAL && segments.dirty() ? config.syncIntervalMs() : -1);
    }

    private void syncIfIntervalElapsed() {
        if (segments.dirty() && failure == null) {
            try {
                segments.force();
            } catch (IOException e) {
                markFailed(e);
            }
        }
    }

    private StoreException unavailable() {
        Throwable f = failure;
        return new StoreException(ErrorCode.UNAVAILABLE, "the writer stopped after a failure and accepts no writes until"
                + " the store is reopened: " + f, f);
    }

    private void markFailed(Throwable t) {
        if (failure == null) {
            failure = t;
            LOG.log(Level.ERROR, "writer failed; the store is read-only until reopened", t);
        }
    }

    /** Commits one group; returns true if it held a close command. */
    private boolean processGroup(List<WriterCommand> group) {
        boolean closing = false;
        boolean checkpointWanted = false;
        List<WriterCommand.Sync> syncs = new ArrayList<>();
        List<WriterCommand> after = new ArrayList<>();
        beginGroup();
        for (WriterCommand c : group) {
            if (closing || failure != null && !(c instanceof WriterCommand.Close)) {
                c.fail(closing ? new StoreException(ErrorCode.UNAVAILABLE, "store is closed") : unavailable());
                continue;
            }
            if (c instanceof WriterCommand.Append a) {
                stage(a);
            } else if (c instanceof WriterCommand.Sync sync) {
                syncs.add(sync);
            } else if (c instanceof WriterCommand.Checkpoint) {
                checkpointWanted = true;
                after.add(c);
            } else if (c instanceof WriterCommand.Task<?>) {
                after.add(c);
            } else if (c instanceof WriterCommand.Close) {
                closing = true;
                checkpointWanted = true;
                after.add(c);
            }
        }
        commitGroup(syncs, closing);
        boolean ok = failure == null;
        if (ok && (checkpointWanted || checkpoints.periodicDue())) {
            syncStage.await();
            ok = failure == null && (checkpointWanted ? checkpoints.writeNow(segments) : checkpoints.startPeriodic(segments));
        }
        if (closing) {
            syncStage.await();
        }
        for (WriterCommand c : after) {
            if (c instanceof WriterCommand.Close k) {
                // Closing succeeds even after a failure: what was acknowledged is on disk.
                k.future.complete(null);
            } else if (!ok) {
                c.fail(unavailable());
            } else if (c instanceof WriterCommand.Checkpoint k) {
                k.future.complete(null);
            } else if (c instanceof WriterCommand.Task<?> t) {
                runTask(t);
            }
        }
        return closing;
    }

    // ---- maintenance tasks (writer thread) ----

    /** Makes everything written durable and published, then runs the task. */
    private void runTask(WriterCommand.Task<?> t) {
        checkpoints.quiesce(); // tasks may move event positions (compaction) or copy the data directory
        syncStage.await();
        try {
            if (segments.dirty() && failure == null) {
                segments.force();
            }
        } catch (IOException e) {
            markFailed(e);
        }
        if (failure != null) {
            t.fail(unavailable());
            return;
        }
        t.run(this);
    }

    /** Id of the segment being appended to; every lower id is sealed (writer thread). */
    long activeSegmentId() {
        return segments.active().id;
    }

    /** Durable length of the active segment when called from a task (writer thread). */
    long activeSegmentSize() {
        return segments.active().size();
    }

    /** Records that compaction replaced {@code removed + 1} segment files by one, saving {@code bytes}. */
    void segmentsMerged(int removed, long bytes) {
        segments.segmentsMerged(removed, bytes);
    }

    /** Writes a checkpoint now (writer thread); false if the writer failed doing so. */
    boolean checkpointNow() {
        return checkpoints.writeNow(segments);
    }

    /** Fsync latency of every force so far. */
    LatencyHistogram fsyncLatency() {
        return segments.fsyncStats().latency();
    }

    int queueCapacity() {
        return queue.capacity();
    }

    private void beginGroup() {
        buffer.reset();
        segments.beginGroup();
        stager.begin();
        completions.clear();
        groupWriteFailure = null;
    }

    private void stage(WriterCommand.Append a) {
        if (groupWriteFailure != null) {
            a.future.completeExceptionally(writeFailed(groupWriteFailure));
            return;
        }
        int bufferBefore = buffer.size();
        try {
            completions.add(new SyncStage.Completion(a.future, stager.stage(a)));
        } catch (StoreException e) {
            a.future.completeExceptionally(e);
            return;
        }
        try {
            segments.rotateIfNeeded(buffer, bufferBefore, stager.staged(), syncStage);
            if (segments.unflushed(buffer) > FLUSH_THRESHOLD_BYTES) {
                segments.flush(buffer, buffer.size(), stager.staged());
            }
        } catch (IOException e) {
            // Possibly a full disk: commitGroup cuts the group back and rejects it (or fails the writer).
            groupWriteFailure = e;
        } catch (UncheckedIOException e) {
            groupWriteFailure = e.getCause();
        } catch (RuntimeException e) {
            // Bytes may be on disk in an unknown state: stop writing (commitGroup fails the group).
            markFailed(e);
        }
    }

    /** The reader replays use to fetch an earlier receipt's hash (set once the store is open). */
    public void attachReader(SegmentReader segmentReader) {
        stager.attach(segmentReader, null);
    }

    /** Subscriptions to wake after each published group (set once the store is open). */
    private volatile SubscriptionHub hub;

    public void attachHub(SubscriptionHub subscriptionHub) {
        this.hub = subscriptionHub;
        stager.attach(null, subscriptionHub);
    }

    /**
     * Writes the group and stages it in the index, then makes it durable per the sync mode: hands it
     * to the sync stage (EVERY_COMMIT), or forces here if due and publishes and answers at once.
     */
    private void commitGroup(List<WriterCommand.Sync> syncs, boolean closing) {
        boolean forceWanted = closing || !syncs.isEmpty();
        try {
            if (failure != null) {
                throw new IOException("writer failed while staging this group", failure);
            }
            if (groupWriteFailure != null) {
                throw groupWriteFailure;
            }
            segments.flush(buffer, buffer.size(), stager.staged());
        } catch (IOException | RuntimeException e) {
            StoreException f = cutBackFailedGroup(e) ? writeFailed(e) : unavailable();
            stager.begin();
            for (SyncStage.Completion c : completions) {
                c.future().completeExceptionally(f);
            }
            syncs.forEach(sync -> sync.fail(f));
            return;
        }
        List<GroupStager.Staged> staged = stager.staged();
        for (GroupStager.Staged s : staged) {
            EntityState e = s.entity.state;
            if (e == null) {
                e = index.entityOrCreate(s.entity.coordinate);
                s.entity.state = e;
            }
            int idx = index.apply(s.idHi, s.idLo, e, s.kind, s.position, s.hash, s.idempotencyKey, s.fingerprintHi,
                    s.fingerprintLo);
            if (s.event != null) {
                hub.cache(idx, s.event);
            }
        }
        checkpoints.committed(staged.size());
        watermarks.accepted(index.stagedCount());
        groupCommits++;
        segments.publishSizes();
        if (config.syncMode() == SyncMode.EVERY_COMMIT) {
            if (!completions.isEmpty() || forceWanted) {
                syncStage.handOff(new SyncStage.Batch(segments.active(), index.stagedCount(), List.copyOf(completions),
                        List.copyOf(syncs)));
            }
            return;
        }
        try {
            if (forceWanted || config.syncMode() == SyncMode.INTERVAL && segments.intervalElapsed()) {
                segments.force();
            }
        } catch (IOException e) {
            markFailed(e);
        }
        answer(new SyncStage.Batch(segments.active(), index.stagedCount(), completions, syncs));
    }

    /** Publishes a durable group and answers its callers, or fails them if the writer failed. */
    private void answer(SyncStage.Batch b) {
        if (failure != null) {
            StoreException f = unavailable();
            b.completions().forEach(c -> c.future().completeExceptionally(f));
            b.syncs().forEach(sync -> sync.fail(f));
            return;
        }
        index.publishUpTo(b.indexCount());
        watermarks.signal();
        for (SyncStage.Completion c : b.completions()) {
            c.future().complete(c.receipts());
        }
        b.syncs().forEach(sync -> sync.future.complete(null));
        SubscriptionHub h = hub;
        if (h != null) {
            h.published();
        }
    }

    /** The fsync stage's loop, to run on a thread of its own (see {@link SyncStage}). */
    public Runnable syncStage() {
        return syncStage.loop();
    }

    /**
     * Cuts a group whose write failed out of the active segment. Returns true if the writer can go
     * on: the failure was a write (not an fsync, not a bug) in the segment the group began in, and
     * the cut succeeded. Otherwise the writer is marked failed.
     */
    private boolean cutBackFailedGroup(Exception e) {
        boolean recoverable = failure == null && (e instanceof IOException || e instanceof UncheckedIOException);
        // Always cut back (a rejected group must not stay in the segment), even when the writer must stop.
        recoverable = segments.cutBackGroup(e) && recoverable;
        if (!recoverable) {
            markFailed(e);
            return false;
        }
        return true;
    }

    private static StoreException writeFailed(Exception e) {
        return new StoreException(ErrorCode.UNAVAILABLE, "the write failed and nothing of it was stored (" + e.getMessage()
                + "); retry later", e);
    }
}
