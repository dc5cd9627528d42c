package io.batpak.engine.subscription;

import io.batpak.engine.Region;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.Subscription;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Subscription} that reads the published log itself, on its consumer's thread: each poll
 * reads the matching events after the last global sequence it examined, so replay, live delivery
 * and catching up after falling behind are one path, which is why nothing can be skipped or
 * delivered twice at the switch between them. Within {@code capacity} events of the head it reads
 * through the shared {@link RecentEvents}; further behind it reads the log directly.
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
