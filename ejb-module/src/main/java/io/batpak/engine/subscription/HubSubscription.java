package io.batpak.engine.subscription;

import io.batpak.engine.Region;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.Subscription;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Subscription} that reads the published log itself, on its consumer's thread: each poll
 * reads the matching events after the last global sequence it examined, so replay, live delivery
 * and catching up after falling behind are one path, which is why nothing can be skipped or
 * delivered twice at the switch between them. Within {@code capacity} events of the head it reads
 * through the shared {@link RecentEvents}; further behind it reads the log directly.
 *
 * <p>{@link #pollNow} is the same read without the wait; {@link #onReady} parks a callback instead of
 * a thread. Why an armed listener is never missed: the consumer stores the listener, queues itself
 * in the hub's armed queue, then reads the published count; the writer publishes (raises the count),
 * then drains the armed queue. Either the consumer sees the new events and runs the listener itself,
 * or the writer finds it queued and runs it. {@link #listener}'s get-and-set makes one arming run
 * at most once, whoever gets there first.
 */
final class HubSubscription implements Subscription {
    private final SubscriptionHub hub;
    private final FilteredScan scan;
    private final Region filter;
    private final int capacity;
    /** Every published event up to this global sequence has been considered (consumer writes). */
    private volatile long scanned;
    private volatile long position;
    private volatile boolean closed;
    private volatile Thread waiter;
    private volatile long fallbacks;
    private boolean behind;
    /** The armed callback, or null; taken (set to null) by whoever runs it. Any thread. */
    private final AtomicReference<Runnable> listener = new AtomicReference<>();
    /** Whether this sits in the hub's armed queue, so it is queued at most once. Any thread. */
    private final AtomicBoolean queued = new AtomicBoolean();

    HubSubscription(SubscriptionHub hub, FilteredScan scan, Region filter, long after, int capacity) {
        this.hub = hub;
        this.scan = scan;
        this.filter = filter;
        this.capacity = capacity;
        this.scanned = after;
        this.position = after;
    }

    @Override
    public List<StoredEvent> poll(int max, Duration wait) throws InterruptedException {
        SubscriptionHub.checkMax(max);
        long budget = nanos(wait);
        long start = System.nanoTime();
        boolean woken = false;
        try {
            while (!closed) {
                List<StoredEvent> events = readAvailable(max);
                if (woken) {
                    // Read first, then wake the others: they find the new events decoded in the shared
                    // cache instead of all decoding them at once.
                    woken = false;
                    hub.helpWake(this);
                }
                if (!events.isEmpty()) {
                    return events;
                }
                long remaining = budget - (System.nanoTime() - start);
                if (closed || remaining <= 0) {
                    break;
                }
                awaitPublish(remaining);
                woken = true;
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for events");
                }
            }
            return List.of();
        } finally {
            if (woken) {
                hub.helpWake(this);
            }
        }
    }

    @Override
    public List<StoredEvent> pollNow(int max) {
        SubscriptionHub.checkMax(max);
        return closed ? List.of() : readAvailable(max);
    }

    @Override
    public void onReady(Runnable l) {
        listener.set(Objects.requireNonNull(l, "listener"));
        if (queued.compareAndSet(false, true)) {
            hub.arm(this);
        }
        if (closed || scan.published() > scanned) {
            fireListener();
        }
    }

    /** Called by the hub after it took this from the armed queue: it may be queued again from now on. */
    void dequeued() {
        queued.set(false);
    }

    /** Runs the armed listener if there is one (once per arming). Never blocks but for the listener. */
    void fireListener() {
        Runnable l = listener.getAndSet(null);
        if (l != null) {
            l.run();
        }
    }

    private static long nanos(Duration wait) {
        if (wait == null || wait.isNegative()) {
            return 0;
        }
        try {
            return wait.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** The next matching events published after {@link #scanned}; empty once caught up. */
    private List<StoredEvent> readAvailable(int max) {
        while (true) {
            long from = scanned;
            long published = scan.published();
            if (published <= from) {
                return List.of();
            }
            boolean live = published - from <= capacity;
            if (!live && !behind) {
                fallbacks++;
            }
            behind = !live;
            FilteredScan.Batch batch;
            try {
                batch = scan.next(filter, from, max, live);
            } catch (StoreException e) {
                if (closed) {
                    // The store closed under the read; a closed subscription just ends.
                    return List.of();
                }
                throw e;
            }
            scanned = batch.scannedTo();
            List<StoredEvent> events = batch.events();
            if (!events.isEmpty()) {
                position = events.get(events.size() - 1).globalSequence();
                return events;
            }
        }
    }

    private void awaitPublish(long remainingNanos) {
        waiter = Thread.currentThread();
        try {
            long now = System.nanoTime();
            if (closed || scan.published() > scanned) {
                return;
            }
            hub.park(now, remainingNanos);
        } finally {
            waiter = null;
        }
    }

    /** Unparks the consumer if it is waiting; returns whether it was. */
    boolean unparkWaiter() {
        Thread t = waiter;
        if (t == null) {
            return false;
        }
        LockSupport.unpark(t);
        return true;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        hub.remove(this);
        unparkWaiter();
        fireListener();
    }

    @Override
    public int buffered() {
        long lag = scan.published() - scanned;
        return (int) Math.max(0, Math.min(lag, capacity));
    }

    @Override
    public long fallbacksToLog() {
        return fallbacks;
    }

    @Override
    public String toString() {
        return "Subscription[" + filter + " position=" + position + (closed ? " closed" : "") + "]";
    }
}
