package io.batpak.ee;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Runs the short work that follows a completed append (building and writing a suspended request's
 * answer) on a few threads of the container's {@link ManagedThreadFactory}, never on the writer or
 * its fsync stage. Tasks run in submission order per thread with the application's context (class
 * loader, naming) set once when each thread starts. Thread-safe; {@link #close} lets queued tasks
 * finish (bounded wait) and runs any task handed in after it on the caller.
 *
 * <p>Why not the managed executor: Payara's {@code ManagedExecutorService.execute} captures the
 * caller's context for every task, and that capture scans the application's class path for context
 * providers. Measured under single-event HTTP appends it cost the fsync stage (which hands every
 * completed group's answers over) about 14 % of all CPU samples and serialised the answers behind it.
 * A thread from the managed factory carries the same context, captured once.
 */
public final class AnswerExecutor implements Executor, AutoCloseable {
    private static final Logger LOG = System.getLogger(AnswerExecutor.class.getName());
    /** The platform's default managed thread factory (Jakarta Concurrency). */
    static final String THREAD_FACTORY_JNDI = "java:comp/DefaultManagedThreadFactory";
    private static final long CLOSE_WAIT_SECONDS = 10;

    private final ThreadPoolExecutor pool;

    private AnswerExecutor(ThreadPoolExecutor pool) {
        this.pool = pool;
    }

    /** A pool of {@code threads} threads from the container's default managed thread factory. */
    static AnswerExecutor open(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("batpak.http.answer-threads must be at least 1, was " + threads);
        }
        ManagedThreadFactory factory;
        try {
            factory = InitialContext.doLookup(THREAD_FACTORY_JNDI);
        } catch (NamingException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "no managed thread factory at " + THREAD_FACTORY_JNDI, e);
        }
        // Unbounded queue: a task is one completed append's answer, and appends are already bounded by
        // the writer queue, so the queue can never hold more than the appends in flight.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), factory, new ThreadPoolExecutor.CallerRunsPolicy());
        pool.prestartAllCoreThreads();
        return new AnswerExecutor(pool);
    }

    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "answer threads still busy after {0} s; stopping them", CLOSE_WAIT_SECONDS);
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
