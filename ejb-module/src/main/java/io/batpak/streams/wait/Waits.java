package io.batpak.streams.wait;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Where long polls wait without a thread: one timer for their deadlines (entries, not threads) and
 * a worker that runs their later attempts, so that neither a signalling thread (the writer) nor
 * the timer's thread ever runs one. In the application server both come from the container
 * (managed executors); plain Java callers pass their own, or take {@link #ownThread} (one daemon
 * thread for both, shut down by {@link #close}).
 *
 * <p>Thread-safe; holds no state beyond the two executors.
 */
public final class Waits implements AutoCloseable {
    private final ScheduledExecutorService timer;
    private final Executor worker;
    private final boolean owned;

    /** Deadlines on {@code timer} (its tasks only hand work to {@code worker}); attempts on {@code worker}. */
    public Waits(ScheduledExecutorService timer, Executor worker) {
        this(timer, worker, false);
    }

    private Waits(ScheduledExecutorService timer, Executor worker, boolean owned) {
        this.timer = timer;
        this.worker = worker;
        this.owned = owned;
    }

    /** Waits with a daemon thread of their own named {@code name}, for both timer and worker. */
    public static Waits ownThread(String name) {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, name);
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true); // a poll answered early takes its deadline off the queue
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return new Waits(t, t, true);
    }

    /**
     * Starts a long poll of {@code attempt} until {@code untilMs} on {@code clockMs}, tried again at
     * each {@code signal}. The first try runs here, on the caller's thread. The future completes
     * with the first value an attempt returns (the last one must return one) or its exception;
     * cancel it to stop waiting. {@code unclaimed} (may be null) gets a value found as the future
     * was cancelled, for the owner to give back.
     */
    public <R> CompletableFuture<R> poll(WaitSignal signal, LongSupplier clockMs, long untilMs, Attempt<R> attempt,
                                         Consumer<R> unclaimed) {
        LongPoll<R> p = new LongPoll<>(this, signal, clockMs, untilMs, attempt, unclaimed);
        p.start();
        return p.future;
    }

    /** Runs {@code task} on the worker after {@code delayMs} (at least 1 ms); UNAVAILABLE once shut down. */
    public ScheduledFuture<?> after(long delayMs, Runnable task) {
        try {
            return timer.schedule(() -> execute(task), Math.max(1, delayMs), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "the long-poll timer is shut down", e);
        }
    }

    /** Runs {@code task} on the worker; on this thread only if the worker refuses it (shutting down). */
    void execute(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            task.run(); // shutting down: the polls only find their owner closed and fail
        }
    }

    /** Shuts the thread of {@link #ownThread} down; waits given by the caller are the caller's to stop. */
    @Override
    public void close() {
        if (owned) {
            timer.shutdown();
        }
    }
}
