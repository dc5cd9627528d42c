package io.batpak.streams.wait;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.util.Completions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Where long polls wait without a thread: one timer for their deadlines (entries, not threads) and
 * a worker that runs their later attempts, so that neither a signalling thread (the writer) nor
 * the timer's thread ever runs one. In the application server their threads come from the
 * container's managed thread factory ({@link #onThreads}); plain Java callers pass their own
 * executors, or take {@link #ownThread} (one daemon thread for both, shut down by {@link #close}).
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
        ScheduledThreadPoolExecutor t = timer(r -> {
            Thread th = new Thread(r, name);
            th.setDaemon(true);
            return th;
        });
        return new Waits(t, t, true);
    }

    /**
     * Waits on threads of {@code threads} (in the application server its managed thread factory, whose
     * threads carry the application's context from their start): one for the timer and {@code workers}
     * for the attempts, all stopped by {@link #close}. Handing a task to a thread pool costs a queue
     * offer, where a container's managed executor captures context for each task.
     */
    public static Waits onThreads(ThreadFactory threads, int workers) {
        ThreadPoolExecutor worker = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), threads);
        ScheduledThreadPoolExecutor timer = timer(threads);
        // Started here, on the caller's thread: a factory's thread takes the context of the thread that
        // asked for it, and later ones would be asked for by whoever signals first (the writer).
        worker.prestartAllCoreThreads();
        timer.prestartAllCoreThreads();
        return new Waits(timer, worker, true);
    }

    private static ScheduledThreadPoolExecutor timer(ThreadFactory threads) {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, threads);
        t.setRemoveOnCancelPolicy(true); // a poll answered early takes its deadline off the queue
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return t;
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

    /**
     * Blocks on a long poll's future (the in-process form of an async poll): its deliveries, or empty
     * if this thread is interrupted, with the flag left set. The poll is then cancelled; deliveries it
     * claimed meanwhile time out and are delivered again, as for a client that never acks.
     */
    public static <T> List<T> awaitPoll(CompletableFuture<List<T>> poll) {
        try {
            return Completions.await(poll);
        } catch (StoreException e) {
            if (e.code() != ErrorCode.INTERRUPTED) {
                throw e;
            }
            poll.cancel(false);
            return List.of();
        }
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

    /** Shuts the threads of {@link #ownThread} and {@link #onThreads} down; executors given by the caller are its own. */
    @Override
    public void close() {
        if (owned) {
            timer.shutdown();
            if (worker != timer && worker instanceof ExecutorService e) {
                e.shutdown();
            }
        }
    }
}
