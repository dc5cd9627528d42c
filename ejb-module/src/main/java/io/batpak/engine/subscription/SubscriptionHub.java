package io.batpak.engine.subscription;

import io.batpak.engine.Cursor;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.Region;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.Subscription;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The store's registry of live subscriptions and the one place the writer side touches them.
 *
 * <p>Subscriptions are not handed events one by one: each reads the published log itself (see
 * {@link HubSubscription}) through the shared {@link RecentEvents}, which the writer fills once per
 * event ({@link #cache}), so the writer's only other job is to wake the ones waiting. Even that is
 * bounded, because waking a hundred threads after every small group commit would cost more CPU than
 * the commits themselves: {@link #published()} wakes at most once per wake window, and then unparks a
 * single waiting subscriber (the leader), which unparks the other waiting ones on its own thread
 * ({@link #helpWake}). The window grows with the number of subscriptions ({@link #WAKE_NANOS_PER_SUBSCRIPTION}
 * each, within {@link #MIN_WINDOW_NANOS}..{@link #MAX_WINDOW_NANOS}), which holds the wake-ups the
 * store causes near 10,000 per second for up to 100 subscriptions. A subscriber that parks inside a
 * window whose wake-up may have been skipped parks only until the window ends, so delivery is late
 * by at most about one window and never lost.
 *
 * <p>Why no wake-up is lost: the writer publishes, reads the time, then stamps {@code lastWake}, then
 * reads the waiters; a subscriber registers as waiter, reads the time, then the published count,
 * then {@code lastWake}. Either the writer sees the waiter (and it is woken by the leader or
 * directly), or the subscriber sees the new events and does not park, or it sees a stamp younger
 * than the longest window and parks only until that could have closed.
 *
 * <p>Subscriptions consumed without a thread ({@link Subscription#onReady}) are not windowed: they
 * hold no thread to park until a window closes, so a skipped wake-up would be lost. Instead each
 * armed one sits once in {@link #armed}; {@link #published()} takes them all and runs their
 * listeners (which only schedule work). A listener is disarmed when it runs and re-armed by its
 * consumer only after it has read, so the writer's work for them is one call per read they do,
 * and nothing while none is armed (one read of an empty queue). A consumer of many subscriptions
 * windows itself, having the timer the writer side lacks (the web layer's SSE dispatcher hands its
 * woken streams on in rounds), so sparse filters do not cost a read per subscription per group.
 *
 * <p>Threading: {@link #published()} runs on the thread that publishes groups (the sync stage or
 * the writer) and takes no lock; registration and removal copy the subscriber array under a lock
 * that the writer side never takes.
 */
public final class SubscriptionHub {
    static final long WAKE_NANOS_PER_SUBSCRIPTION = 100_000;
    static final long MIN_WINDOW_NANOS = 100_000;
    /** Longest a published event waits before waiting subscribers are woken for it. */
    static final long MAX_WINDOW_NANOS = 10_000_000;
    private static final HubSubscription[] NONE = new HubSubscription[0];

    private final FilteredScan scan;
    private final RecentEvents recent;
    private final Object registry = new Object();
    private volatile HubSubscription[] subscriptions = NONE;
    private volatile boolean closed;
    private volatile long windowNanos = MIN_WINDOW_NANOS;
    private volatile long lastWakeNanos = System.nanoTime() - MAX_WINDOW_NANOS;
    /** Subscriptions whose {@code onReady} listener is armed, each at most once. Lock-free. */
    private final ConcurrentLinkedQueue<HubSubscription> armed = new ConcurrentLinkedQueue<>();
    private final AtomicLong wakeRound = new AtomicLong();
    private final AtomicLong helpedRound = new AtomicLong();
    /** Where the next leader search starts, so the fan-out work rotates among subscribers. */
    private int nextLeader;

    public SubscriptionHub(FilteredScan scan, RecentEvents recent) {
        this.scan = scan;
        this.recent = recent;
    }

    /**
     * Caches an event the writer has just written (at global index {@code index}, not yet
     * published), so subscribers never decode it from the log. Writer thread only.
     */
    public void cache(int index, StoredEvent event) {
        recent.put(index, event);
    }

    static void checkMax(int max) {
        if (max < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "max must be at least 1, was " + max);
        }
    }

    private static void checkStart(Region filter, long after) {
        if (filter == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a filter is required (Region.all() matches everything)");
        }
        if (after < 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "start position must be 0 or more, was " + after);
        }
    }

    public Cursor cursor(Region filter, long after) {
        checkStart(filter, after);
        return new IndexCursor(this, scan, filter, after);
    }

    /** A cursor handing out events exactly as stored, not upcast. */
    public Cursor storedCursor(Region filter, long after) {
        checkStart(filter, after);
        return new IndexCursor(this, scan.asStored(), filter, after);
    }

    public Subscription subscribe(Region filter, long after, int bufferCapacity) {
        checkStart(filter, after);
        if (bufferCapacity < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "bufferCapacity must be at least 1, was " + bufferCapacity);
        }
        HubSubscription s = new HubSubscription(this, scan, filter, after, bufferCapacity);
        synchronized (registry) {
            if (closed) {
                throw new StoreException(ErrorCode.UNAVAILABLE, "store is closed");
            }
            HubSubscription[] old = subscriptions;
            HubSubscription[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = s;
            subscriptions = grown;
            windowNanos = windowFor(grown.length);
        }
        return s;
    }

    /** Drops a closed subscription from the fan-out. Idempotent. */
    void remove(HubSubscription s) {
        synchronized (registry) {
            HubSubscription[] old = subscriptions;
            int at = Arrays.asList(old).indexOf(s);
            if (at < 0) {
                return;
            }
            HubSubscription[] shrunk = new HubSubscription[old.length - 1];
            System.arraycopy(old, 0, shrunk, 0, at);
            System.arraycopy(old, at + 1, shrunk, at, old.length - at - 1);
            subscriptions = shrunk;
            windowNanos = windowFor(shrunk.length);
        }
    }

    private static long windowFor(int subscriptions) {
        return Math.max(MIN_WINDOW_NANOS, Math.min(MAX_WINDOW_NANOS, subscriptions * WAKE_NANOS_PER_SUBSCRIPTION));
    }

    /** Number of open subscriptions. */
    public int size() {
        return subscriptions.length;
    }

    boolean isClosed() {
        return closed;
    }

    /** Queues a subscription whose listener was armed; the next {@link #published()} runs it. */
    void arm(HubSubscription s) {
        armed.add(s);
    }

    /**
     * Called after each published group; never blocks (listeners only schedule work), and costs one
     * clock read inside a window when no listener is armed.
     */
    public void published() {
        HubSubscription a;
        while ((a = armed.poll()) != null) {
            a.dequeued();
            a.fireListener();
        }
        HubSubscription[] subs = subscriptions;
        if (subs.length == 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastWakeNanos < windowNanos) {
            return;
        }
        lastWakeNanos = now;
        wakeRound.incrementAndGet();
        int n = subs.length;
        int start = Math.floorMod(nextLeader, n);
        for (int k = 0; k < n; k++) {
            HubSubscription s = subs[(start + k) % n];
            if (s.unparkWaiter()) {
                nextLeader = start + k + 1;
                return;
            }
        }
    }

    /**
     * Parks a subscriber that has registered as waiter and found nothing new at {@code nowNanos}
     * (read before it checked): while the last wake-up is younger than the longest window, the
     * writer may have skipped one, so only until the current window closes.
     */
    void park(long nowNanos, long remainingNanos) {
        long sinceWake = nowNanos - lastWakeNanos;
        long nanos = remainingNanos;
        if (sinceWake < MAX_WINDOW_NANOS) {
            long window = windowNanos;
            // A little past the window's end, so the next wake pass usually comes first; if the window
            // shrank under us, up to the longest one.
            long until = sinceWake < window ? window + window / 4 : MAX_WINDOW_NANOS;
            nanos = Math.min(remainingNanos, until - sinceWake);
        }
        LockSupport.parkNanos(this, nanos);
    }

    /**
     * Run by a subscriber after every park (once it has read what is new): the first one to get here
     * in a wake round unparks the other waiters.
     */
    void helpWake(HubSubscription self) {
        long round = wakeRound.get();
        long helped = helpedRound.get();
        if (helped < round && helpedRound.compareAndSet(helped, round)) {
            for (HubSubscription s : subscriptions) {
                if (s != self) {
                    s.unparkWaiter();
                }
            }
        }
    }

    /** Closes every subscription (their waiting polls return empty) and refuses new ones. */
    public void close() {
        HubSubscription[] subs;
        synchronized (registry) {
            closed = true;
            subs = subscriptions;
        }
        for (HubSubscription s : subs) {
            s.close();
        }
    }
}
