package io.batpak.engine.log;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.SyncMode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;

/**
 * The fsync stage of {@link SyncMode#EVERY_COMMIT}: the writer hands it each written group, and it
 * forces the segment once for every group queued since its last force, then has the writer's owner
 * publish and answer those groups, strictly in order. So no caller is answered and no reader sees an
 * event before it is durable, while the writer already prepares the next group.
 *
 * <p>Threading: {@link #handOff}, {@link #await}, {@link #stop} and {@link #writerBusy} are called by
 * the writer thread; {@link #loop()} runs on the stage's own thread and is the only thread that
 * publishes groups handed to it ({@link Owner#answer}). The queue is thread-safe; the progress
 * counters are guarded by {@code progress}.
 */
final class SyncStage {
    /** A caller to answer once the group is durable. */
    record Completion(CompletableFuture<List<AppendReceipt>> future, List<AppendReceipt> receipts) {
    }

    /** A written group waiting for its fsync: where it ends in the index and whom to answer after. */
    record Batch(ActiveSegment segment, int indexCount, List<Completion> completions, List<WriterCommand.Sync> syncs) {
    }

    /** What the stage needs of the writer that owns it. */
    interface Owner {
        boolean failed();

        void markFailed(Throwable t);

        void force(ActiveSegment segment) throws IOException;

        /** Publishes a durable group and answers its callers (or fails them if the writer failed). */
        void answer(Batch b);
    }

    private static final Batch STOP = new Batch(null, -1, List.of(), List.of());
    private static final long COALESCE_NANOS = 200_000;

    private final Owner owner;
    private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(256);
    private final Object progress = new Object();
    /** Guarded by {@code progress}. */
    private long handedOff;
    /** Guarded by {@code progress}. */
    private long synced;
    /** True while the writer is turning a drained group into bytes; the stage waits for it briefly. */
    private volatile boolean writerBusy;

    SyncStage(Owner owner) {
        this.owner = owner;
    }

    void writerBusy(boolean busy) {
        writerBusy = busy;
    }

    /** Queues a written group (writer thread). */
    void handOff(Batch batch) {
        synchronized (progress) {
            handedOff++;
        }
        try {
            queue.put(batch);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            owner.markFailed(e);
            owner.answer(batch);
            synchronized (progress) {
                synced++;
                progress.notifyAll();
            }
        }
    }

    /** Waits until every group handed off so far is forced and answered (writer thread). */
    void await() {
        synchronized (progress) {
            while (synced < handedOff) {
                try {
                    progress.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    owner.markFailed(e);
                    return;
                }
            }
        }
    }

    /** Ends the loop after the groups queued before (writer thread, when it stops). */
    void stop() {
        synchronized (progress) {
            handedOff++;
        }
        try {
            queue.put(STOP);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        await();
    }

    /** The stage's loop, run on its own thread until {@link #stop()}. */
    Runnable loop() {
        return () -> {
            List<Batch> batches = new ArrayList<>();
            while (true) {
                try {
                    batches.add(queue.take());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    owner.markFailed(e);
                    return;
                }
                // Coalesce: if the writer is mid-group, its hand-off is microseconds away, and one
                // fsync for both groups beats two (bounded, so a slow group cannot delay this one long).
                long waitUntil = System.nanoTime() + COALESCE_NANOS;
                while (writerBusy && queue.isEmpty() && System.nanoTime() < waitUntil) {
                    Thread.onSpinWait();
                }
                queue.drainTo(batches);
                boolean stop = batches.remove(STOP);
                if (!batches.isEmpty() && !owner.failed()) {
                    try {
                        // Rotation waits for this stage before switching segments, so all batches share one.
                        owner.force(batches.get(batches.size() - 1).segment());
                    } catch (IOException | RuntimeException e) {
                        owner.markFailed(e);
                    }
                }
                for (Batch b : batches) {
                    owner.answer(b);
                }
                synchronized (progress) {
                    synced += batches.size() + (stop ? 1 : 0);
                    progress.notifyAll();
                }
                batches.clear();
                if (stop) {
                    return;
                }
            }
        };
    }
}
