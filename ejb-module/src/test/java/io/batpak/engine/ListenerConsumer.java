package io.batpak.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A test consumer that holds no thread while it waits, the way the SSE dispatcher consumes: a task
 * on {@code executor} takes what is ready with {@link Subscription#pollNow}, and when nothing is it
 * arms {@link Subscription#onReady} with a listener that only submits the next task.
 */
final class ListenerConsumer {
    private final Subscription subscription;
    private final Executor executor;
    private final int max;
    /** Guarded by {@code this}: the global sequences received, in order. */
    private final List<Long> received = new ArrayList<>();
    private volatile boolean failed;

    ListenerConsumer(Subscription subscription, Executor executor, int max) {
        this.subscription = subscription;
        this.executor = executor;
        this.max = max;
    }

    void start() {
        executor.execute(this::drain);
    }

    private void drain() {
        try {
            List<StoredEvent> batch;
            while (!(batch = subscription.pollNow(max)).isEmpty()) {
                if (batch.size() > max) {
                    failed = true;
                }
                synchronized (this) {
                    batch.forEach(e -> received.add(e.globalSequence()));
                    notifyAll();
                }
            }
            if (!subscription.isClosed()) {
                subscription.onReady(() -> executor.execute(this::drain));
            }
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    boolean failed() {
        return failed;
    }

    /** Waits until at least {@code n} events arrived (or the guard passed) and returns what did. */
    synchronized List<Long> awaitCount(int n, long guardMs) throws InterruptedException {
        long giveUp = System.currentTimeMillis() + guardMs;
        while (received.size() < n && System.currentTimeMillis() < giveUp) {
            wait(Math.max(1, giveUp - System.currentTimeMillis()));
        }
        return List.copyOf(received);
    }
}
