package io.batpak.streams.exchange;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One subscriber of an exchange: the messages published to it since it subscribed whose topic
 * matches its pattern, in the order their publishes reached it, in a queue of bounded capacity.
 *
 * <p>A publish never waits here: {@link #offer} takes the lock only to append to the queue. When
 * the queue is full the subscription is dropped ({@link EndReason#SLOW_SUBSCRIBER}) and accepts
 * nothing more, so what it receives is always a gap-free prefix of what matched: it never skips a
 * message and then carries on. The reader still gets what was queued before the drop, then
 * {@link #poll} answers empty and {@link #endReason()} says why.
 *
 * <p>A reader that must hold no thread while it waits takes what is queued with {@link #pollNow}
 * and, when that is empty, arms {@link #onReady}: the publisher that queues the next message (or
 * whoever ends the subscription) runs the listener once, after releasing the lock, so the listener
 * sees the message with {@link #pollNow}. Both ways read the same queue in the same order.
 *
 * <p>Thread-safety: any number of publishers may offer concurrently; one reader polls (several
 * would share the messages between them). {@link #close()} may be called from any thread and
 * wakes a waiting poll.
 */
public final class ExchangeSubscription implements AutoCloseable {
    private final String exchange;
    private final TopicPattern pattern;
    private final int capacity;
    /** Unsubscribes this from its exchange; run once, by whoever ends it first. */
    private final Runnable onEnd;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    /** Guarded by {@code lock}. */
    private final ArrayDeque<ExchangeMessage> queue = new ArrayDeque<>();
    /** Guarded by {@code lock}; null while live. Once set it never changes. */
    private EndReason ended;
    /** Guarded by {@code lock}: the armed {@link #onReady} listener, taken by whoever runs it. */
    private Runnable listener;
    /** Guarded by {@code lock}: messages accepted, and matching messages refused by the drop. */
    private long accepted;
    private long refused;

    ExchangeSubscription(String exchange, TopicPattern pattern, int capacity, Runnable onEnd) {
        this.exchange = exchange;
        this.pattern = pattern;
        this.capacity = capacity;
        this.onEnd = onEnd;
    }

    public String exchange() {
        return exchange;
    }

    public TopicPattern pattern() {
        return pattern;
    }

    /**
     * Queues {@code m} (whose topic the caller has matched) unless ended; drops this subscription
     * instead when its queue is full. Never blocks on the reader.
     *
     * @return whether {@code m} was queued
     */
    boolean offer(ExchangeMessage m) {
        boolean droppedNow = false;
        Runnable ready = null;
        lock.lock();
        try {
            if (ended != null) {
                refused++;
                return false;
            }
            ready = takeListener();
            if (queue.size() >= capacity) {
                ended = EndReason.SLOW_SUBSCRIBER;
                refused++;
                droppedNow = true;
                nonEmpty.signalAll();
                return false;
            }
            queue.add(m);
            accepted++;
            nonEmpty.signal();
            return true;
        } finally {
            lock.unlock();
            if (droppedNow) {
                onEnd.run(); // outside the lock: it takes the exchange's own lock
            }
            if (ready != null) {
                ready.run(); // outside the lock, after the message (or the end) is visible to pollNow
            }
        }
    }

    /** The armed listener, disarmed; null if none. Caller holds {@code lock}. */
    private Runnable takeListener() {
        Runnable l = listener;
        listener = null;
        return l;
    }

    /**
     * Up to {@code max} queued messages, oldest first, without waiting: empty when nothing is queued
     * (then, once it ended, {@link #isFinished()} is true).
     */
    public List<ExchangeMessage> pollNow(int max) {
        return poll(max, Duration.ZERO);
    }

    /**
     * Arms {@code listener} to run once when a message is queued or the subscription ends: right away
     * on the caller's thread if something is queued or it already ended, otherwise on the thread of
     * the publish (or end) that makes it so, outside this subscription's lock. Arming again before it
     * ran replaces it. The listener must not block or do I/O: it only schedules the reader's work.
     */
    public void onReady(Runnable listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        lock.lock();
        try {
            if (queue.isEmpty() && ended == null) {
                this.listener = listener;
                return;
            }
            this.listener = null;
        } finally {
            lock.unlock();
        }
        listener.run();
    }

    /**
     * Up to {@code max} queued messages, oldest first, waiting at most {@code wait} for the first.
     * Empty once the subscription ended and its queue is drained (then {@link #endReason()} is set),
     * or when the wait passed; an interrupt ends the wait early with the interrupt flag set.
     */
    public List<ExchangeMessage> poll(int max, Duration wait) {
        long nanos = wait.toNanos();
        lock.lock();
        try {
            while (queue.isEmpty() && ended == null && nanos > 0) {
                nanos = nonEmpty.awaitNanos(nanos);
            }
            int n = Math.min(max, queue.size());
            List<ExchangeMessage> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(queue.poll());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } finally {
            lock.unlock();
        }
    }

    /** Why it ended, or null while it is live; messages queued before the end can still be polled. */
    public EndReason endReason() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    /** True once it ended and everything queued has been polled: the reader is done. */
    public boolean isFinished() {
        lock.lock();
        try {
            return ended != null && queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Messages queued since it subscribed (a count, for diagnostics and tests). */
    public long accepted() {
        lock.lock();
        try {
            return accepted;
        } finally {
            lock.unlock();
        }
    }

    /** Matching messages it refused because it had ended (the first of them caused a drop). */
    public long refused() {
        lock.lock();
        try {
            return refused;
        } finally {
            lock.unlock();
        }
    }

    /** Ends it with {@code reason} unless it already ended; true if this call ended it. Wakes a poll. */
    boolean end(EndReason reason) {
        Runnable ready;
        lock.lock();
        try {
            if (ended != null) {
                return false;
            }
            ended = reason;
            ready = takeListener();
            nonEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        onEnd.run();
        if (ready != null) {
            ready.run();
        }
        return true;
    }

    /** Unsubscribes ({@link EndReason#CLOSED}); what is still queued is discarded. Idempotent. */
    @Override
    public void close() {
        end(EndReason.CLOSED);
        lock.lock();
        try {
            queue.clear();
        } finally {
            lock.unlock();
        }
    }
}
