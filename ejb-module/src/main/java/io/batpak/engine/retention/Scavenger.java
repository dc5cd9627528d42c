package io.batpak.engine.retention;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.ScavengeStatus;
import io.batpak.engine.ScavengeStatus.State;
import io.batpak.engine.StoreException;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.log.Maintenance;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Reclaims the space of events past retention while appends and reads go on. A job (1) makes what
 * the rules hide now permanent, as truncates stored before anything is rewritten
 * ({@link RetentionBook#makePermanent}); (2) picks the sealed segments holding truncated events;
 * (3) rewrites each, one at a time, with those events' frames emptied ({@link Maintenance#scavengeSegment});
 * (4) writes a fresh checkpoint. Each step is crash-safe; a crash or failure leaves every kept
 * event as it was and the next job finishes the work. One job at a time; progress in
 * {@link #status()} and the log.
 *
 * <p>Threading: {@link #start} is serialised by this object's monitor; the job runs on the given
 * executor; {@code status} is a volatile immutable value written by the job.
 */
public final class Scavenger {
    private static final Logger LOG = System.getLogger(Scavenger.class.getName());
    private final RetentionBook book;
    private final StoreIndex index;
    private final Maintenance maintenance;
    /** Guarded by this object's monitor. */
    private long jobs;
    private volatile ScavengeStatus status = ScavengeStatus.NONE;
    /**
     * Per segment, how many truncated events it held when a job last finished with it: a segment
     * whose count has not changed has nothing new to empty and is skipped. Only the running job
     * (one at a time) reads and writes it; a memo, so forgetting it only costs a re-read.
     */
    private final java.util.Map<Long, Integer> truncatedWhenDone = new java.util.HashMap<>();

    public Scavenger(RetentionBook book, StoreIndex index, Maintenance maintenance) {
        this.book = book;
        this.index = index;
        this.maintenance = maintenance;
    }

    /**
     * Starts a job on {@code executor} and answers its status (running, or already ended when the
     * executor runs it in the caller's thread); while a job runs, answers that job's status instead.
     */
    public synchronized ScavengeStatus start(Executor executor) {
        if (status.running()) {
            return status;
        }
        long job = ++jobs;
        status = new ScavengeStatus(job, State.RUNNING, 0, 0, 0, null);
        try {
            executor.execute(() -> run(job));
        } catch (RejectedExecutionException e) {
            status = new ScavengeStatus(job, State.FAILED, 0, 0, 0, "no thread to run it: " + e.getMessage());
            throw new StoreException(ErrorCode.UNAVAILABLE, "cannot start a scavenge: " + e.getMessage(), e);
        }
        return status; // running, or already ended when the executor ran the job in this thread
    }

    /** The newest job's status. */
    public ScavengeStatus status() {
        return status;
    }

    private void run(long job) {
        long t0 = System.nanoTime();
        int done = 0;
        int total = 0;
        long reclaimed = 0;
        try {
            int raised = book.makePermanent();
            java.util.SortedMap<Long, Integer> counts = candidates();
            List<Long> segments = counts.keySet().stream().filter(id -> !counts.get(id).equals(truncatedWhenDone.get(id)))
                    .toList();
            total = segments.size();
            status = new ScavengeStatus(job, State.RUNNING, 0, total, 0, null);
            LOG.log(Level.INFO, "scavenge {0}: {1} entities newly truncated, {2} sealed segments to rewrite", job, raised,
                    total);
            for (long id : segments) {
                reclaimed += maintenance.scavengeSegment(id, r -> index.truncated(r.entity, r.scope, r.sequence));
                truncatedWhenDone.put(id, counts.get(id));
                done++;
                status = new ScavengeStatus(job, State.RUNNING, done, total, reclaimed, null);
                LOG.log(Level.INFO, "scavenge {0}: {1}/{2} segments, {3} bytes reclaimed", job, done, total, reclaimed);
            }
            if (total > 0) {
                maintenance.checkpoint();
            }
            status = new ScavengeStatus(job, State.DONE, done, total, reclaimed, null);
            LOG.log(Level.INFO, "scavenge {0} done: {1} segments, {2} bytes reclaimed in {3} ms", job, total, reclaimed,
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            status = new ScavengeStatus(job, State.FAILED, done, total, reclaimed, String.valueOf(e.getMessage()));
            LOG.log(Level.WARNING, "scavenge " + job + " failed after " + done + "/" + total + " segments", e);
        }
    }

    /** The sealed segments that hold a truncated event, with how many, ascending by id. */
    private java.util.SortedMap<Long, Integer> candidates() {
        TreeSet<Long> sealed = new TreeSet<>(maintenance.sealedSegments());
        java.util.SortedMap<Long, Integer> out = new java.util.TreeMap<>();
        int n = index.count();
        for (int i = 0; i < n; i++) {
            if (index.truncated(i)) {
                long seg = StoreIndex.segmentOf(index.position(i));
                if (sealed.contains(seg)) {
                    out.merge(seg, 1, Integer::sum);
                }
            }
        }
        truncatedWhenDone.keySet().retainAll(sealed);
        return out;
    }
}
