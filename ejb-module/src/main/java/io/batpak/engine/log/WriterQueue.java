package io.batpak.engine.log;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The writer's bounded command queue: callers block while it is full (back-pressure), and once the
 * writer has stopped every queued and every later command fails with {@code UNAVAILABLE} instead
 * of waiting forever. Thread-safe: any number of submitting threads, one taking thread (the writer).
 */
final class WriterQueue {
    private final BlockingQueue<WriterCommand> queue;
    /** Set once by the writer thread when it stops; read by submitters. */
    private volatile boolean closed;

    WriterQueue(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Queues a command, blocking while the queue is full; fails fast once the writer stopped. */
    void submit(WriterCommand command) {
        try {
            while (true) {
                if (closed) {
                    throw new StoreException(ErrorCode.UNAVAILABLE, "store is closed");
                }
                if (queue.offer(command, 50, TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(ErrorCode.INTERRUPTED, "interrupted while waiting for space in the writer queue", e);
        }
        if (closed) {
            // The writer stopped between the check and the offer: nobody will take this command.
            failQueued();
        }
    }

    /** The next command, waiting at most {@code timeoutMs} (negative: without limit); null on timeout. */
    WriterCommand next(long timeoutMs) throws InterruptedException {
        return timeoutMs < 0 ? queue.take() : queue.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Moves up to {@code max} queued commands into {@code group} without waiting. */
    void drainTo(List<WriterCommand> group, int max) {
        queue.drainTo(group, max);
    }

    /** Refuses every later command and fails the queued ones (writer thread, when it stops). */
    void close() {
        closed = true;
        failQueued();
    }

    boolean closed() {
        return closed;
    }

    int depth() {
        return queue.size();
    }

    int capacity() {
        return queue.size() + queue.remainingCapacity();
    }

    private void failQueued() {
        StoreException closedError = new StoreException(ErrorCode.UNAVAILABLE, "store is closed");
        WriterCommand c;
        while ((c = queue.poll()) != null) {
            c.fail(closedError);
        }
    }
}
