package io.batpak.engine.log;

import io.batpak.engine.index.StoreIndex;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes periodic index checkpoints off the writer thread, one at a time. The writer captures a
 * {@link CheckpointFile.Snapshot} between groups (cheap: counts and chain heads) and goes on
 * appending while another thread serialises the index. A checkpoint is a cache, so a periodic one
 * that cannot run (a busy executor, one still in flight) is skipped, and one that fails is logged.
 *
 * <p>Before the writer does anything that moves event positions or writes a checkpoint itself
 * (compaction, snapshots, an explicit checkpoint, close) it calls {@link #quiesce()}: a checkpoint
 * not yet started is dropped, one running is waited for, so no checkpoint ever mixes old and new
 * positions and no two write the same file. After {@link #close()} none starts.
 *
 * <p>Threading: {@link #startInBackground}, {@link #quiesce} and {@link #close} are called by the
 * writer thread; the checkpoint runs on a thread of the executor. Fields marked "guarded by lock"
 * are read and written only while holding {@code lock}.
 */
final class CheckpointStage {
    private static final Logger LOG = System.getLogger(CheckpointStage.class.getName());
    private final Path dataDir;
    private final StoreIndex index;
    private final Executor executor;
    private final Object lock = new Object();
    /** Guarded by lock: bumped to cancel a checkpoint submitted but not yet started. */
    private long generation;
    /** Guarded by lock: a checkpoint was submitted and has not started (or been dropped) yet. */
    private boolean pending;
    /** Guarded by lock: a checkpoint file is being written. */
    private boolean running;
    /** Guarded by lock. */
    private boolean closed;
    /** Written by the checkpoint thread, read for statistics. */
    private volatile long completed;

    /** {@code executor} null: a short-lived daemon thread per checkpoint. */
    CheckpointStage(Path dataDir, StoreIndex index, Executor executor) {
        this.dataDir = dataDir;
        this.index = index;
        this.executor = executor != null ? executor : CheckpointStage::daemonThread;
    }

    /** Starts writing {@code snapshot} on another thread; false (skipped) if one is pending or running. */
    boolean startInBackground(CheckpointFile.Snapshot snapshot) {
        long gen;
        synchronized (lock) {
            if (closed || pending || running) {
                return false;
            }
            pending = true;
            gen = generation;
        }
        try {
            executor.execute(() -> run(snapshot, gen));
            return true;
        } catch (RejectedExecutionException e) {
            synchronized (lock) {
                pending = false;
            }
            LOG.log(Level.WARNING, "the executor refused a background checkpoint; the next one is tried later", e);
            return false;
        }
    }

    /** True while a checkpoint is pending or running (a new periodic one would be skipped). */
    boolean busy() {
        synchronized (lock) {
            return pending || running;
        }
    }

    /** Drops a checkpoint that has not started and waits for one running (writer thread). */
    void quiesce() {
        synchronized (lock) {
            generation++;
            awaitIdle();
        }
    }

    /** Like {@link #quiesce()}, and no checkpoint starts afterwards. */
    void close() {
        synchronized (lock) {
            closed = true;
            generation++;
            awaitIdle();
        }
    }

    /** Background checkpoints written so far. */
    long completed() {
        return completed;
    }

    private void awaitIdle() {
        boolean interrupted = false;
        while (running) {
            try {
                lock.wait();
            } catch (InterruptedException e) {
                interrupted = true; // the running checkpoint must end before the writer goes on
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(CheckpointFile.Snapshot snapshot, long gen) {
        synchronized (lock) {
            pending = false;
            if (closed || gen != generation) {
                return;
            }
            running = true;
        }
        try {
            CheckpointFile.write(dataDir, index, snapshot);
            completed++;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "writing the index checkpoint failed; the next start will scan more of the log", e);
        } finally {
            synchronized (lock) {
                running = false;
                lock.notifyAll();
            }
        }
    }

    private static void daemonThread(Runnable r) {
        Thread t = new Thread(r, "batpak-checkpoint");
        t.setDaemon(true);
        t.start();
    }
}
