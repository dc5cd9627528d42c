package io.batpak.ee.kafka;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The life of a long-running Kafka task (relay, ingest): sessions one after the other until
 * closed, each with a fresh client that resumes from the committed position; a failed session is
 * logged, its client closed, and the next one starts after a pause, unless the failure is fatal.
 *
 * <p>Threading: {@link #run()} is the task; {@link #close()} may be called from any thread and
 * waits (up to 15 s) for the task to end.
 */
abstract class KafkaLoop implements Runnable, AutoCloseable {
    private static final Logger LOG = System.getLogger(KafkaLoop.class.getName());
    private static final long RETRY_BACKOFF_MS = 1_000;
    private static final long CLOSE_WAIT_SECONDS = 15;

    private final String name;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    /** @param name how log lines name the task, e.g. {@code Kafka relay r1} */
    KafkaLoop(String name) {
        this.name = name;
    }

    /** One client's life; it ends by returning (when closed) or by throwing. */
    abstract void session() throws InterruptedException;

    /**
     * Closes the current session's client. {@code fromOtherThread}: called by {@link #close()} while
     * the task may be inside a client call, so only what is safe from another thread (and wakes that
     * call) may be done.
     */
    abstract void closeClient(boolean fromOtherThread);

    /** Whether retrying after {@code e} cannot help (the task then stops). */
    boolean isFatal(RuntimeException e) {
        return false;
    }

    /** Told of each failure that ends a session, before the task retries or stops. */
    void failed(RuntimeException e) {
    }

    /** Told once when the task has ended. */
    void ended() {
    }

    final boolean running() {
        return running;
    }

    @Override
    public final void run() {
        try {
            while (running) {
                try {
                    session();
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    failed(e);
                    if (isFatal(e)) {
                        LOG.log(Level.ERROR, name + " stops: " + e);
                        return;
                    }
                    LOG.log(Level.WARNING, name + " restarts from its committed position after: " + e);
                    closeClient(false);
                    pause(RETRY_BACKOFF_MS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeClient(false);
            ended();
            stopped.countDown();
        }
    }

    /** Sleeps {@code ms}, waking early when the task is closed. */
    final void pause(long ms) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (running && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    /** Stops the task and waits for it to end; what it committed stays committed. */
    @Override
    public void close() {
        running = false;
        closeClient(true);
        try {
            stopped.await(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
