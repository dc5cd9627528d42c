package io.batpak.web;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Runs every open SSE stream ({@code GET /subscribe}, {@code GET /exchanges/{name}/subscribe}) on a
 * few threads, whatever their number. A stream that waits holds no thread, only a listener armed on
 * its subscription ({@link SseSource#onReady}); the publisher runs it, which notes the stream as
 * woken, and a wake round (at most one per window of 0.1 ms per open stream, 0.1 to 50 ms) hands the
 * woken streams to the workers. A worker takes a
 * ready stream, takes at most {@link #BATCH} messages ready for it, sends them
 * ({@link SseEventSink#send}) and, once the returned stages complete, queues the stream again to
 * look for more; when nothing is ready it arms the listener and lets go of the stream.
 *
 * <p>Guarantees: one worker at a time works a stream, so its messages go out in order; the next
 * messages are taken only after the previous batch was written, so a slow client makes the server
 * hold at most one batch for it, and the subscription's own policy applies behind that (the store's
 * subscription reads the log itself and buffers nothing; an exchange subscription's bounded queue
 * fills and drops the subscriber, {@code slow-subscriber}). Every end of a stream (client gone,
 * send failed, token expired, subscription finished, shutdown) closes the sink, closes the
 * subscription and gives back its {@link SubscriptionLimits} slot, exactly once.
 *
 * <p>Threads (from the container's {@code java:comp/DefaultManagedThreadFactory}, started on the
 * first stream): one timer that ticks every second over all streams, queuing those whose keep-alive
 * is due (a comment after {@link #KEEP_ALIVE_NANOS} without a message), whose caller's token expired
 * or whose client is gone; and {@link #MIN_WORKERS} workers. A send to a client that does not read
 * can block its worker in the container's socket write; the timer counts streams stuck in a send
 * for over a second and starts one more worker for each (up to {@link #MAX_WORKERS}; an extra
 * worker ends after {@link #EXTRA_IDLE_SECONDS} s without work), so such clients cannot stall the
 * others.
 *
 * <p>On undeploy ({@link #close()}) every stream gets a last turn: it sends what is ready and its
 * shutdown message, then closes; streams still open after {@link #SHUTDOWN_GRACE_MS} are closed.
 */
@ApplicationScoped
public class SseDispatcher {
    private static final Logger LOG = System.getLogger(SseDispatcher.class.getName());
    static final String THREAD_FACTORY_JNDI = "java:comp/DefaultManagedThreadFactory";
    /** Messages taken for one stream per turn: what the server holds at most for a slow client. */
    static final int BATCH = 256;
    static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(15);
    static final int MIN_WORKERS = 2;
    static final int MAX_WORKERS = 64;
    static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final int EXTRA_IDLE_SECONDS = 30;
    static final long SHUTDOWN_GRACE_MS = 5_000;
    /**
     * Wake window per open stream and its bounds. Longer than the store's hub windows its waiting
     * threads (at most 10 ms): every round re-reads each woken stream's subscription, and with 1,000
     * streams a 10 ms window (100 rounds a second) cost the appends a quarter of their rate
     * (benchmarks/load/waiters.sh); at 50 ms an event reaches a stream at most 50 ms later.
     */
    static final long WINDOW_NANOS_PER_STREAM = 100_000;
    static final long MIN_WINDOW_NANOS = 100_000;
    static final long MAX_WINDOW_NANOS = 50_000_000;

    /** Streams ready to be worked; offered to by wake rounds, the timer and finished sends. */
    private final LinkedBlockingQueue<Stream> ready = new LinkedBlockingQueue<>();
    /** Streams whose listener ran since the last wake round; publishers add, the timer drains. */
    private final ConcurrentLinkedQueue<Stream> woken = new ConcurrentLinkedQueue<>();
    /** Whether a wake round is scheduled on the timer. */
    private final AtomicBoolean roundPending = new AtomicBoolean();
    /** When the last wake round ran (nanoTime); the timer writes. */
    private volatile long lastRoundNanos = System.nanoTime() - MAX_WINDOW_NANOS;
    /** Every open stream, for the timer and shutdown. */
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    /** Workers running now (core and extra). */
    private final AtomicInteger workers = new AtomicInteger();
    /** Workers the timer wants: {@link #MIN_WORKERS} plus one per stuck send. Timer writes. */
    private volatile int wantedWorkers = MIN_WORKERS;
    private volatile boolean stopping;
    /** Written under {@code this} on the first stream, shut down by {@link #close()}; read anywhere. */
    private volatile ThreadPoolExecutor threads;
    private volatile ScheduledThreadPoolExecutor timer;

    /**
     * Starts streaming {@code source} to {@code sink}; from now on the dispatcher owns all three
     * and ends them. {@code endsAtSecond}: the epoch second after which the caller's token is refused.
     */
    public void open(SseSource source, SseEventSink sink, Sse sse, SubscriptionLimits.Slot slot, long endsAtSecond) {
        start();
        Stream s = new Stream(source, sink, sse, slot, endsAtSecond);
        open.add(s);
        if (stopping) {
            s.end(null); // undeploying: close at once, as the store would refuse it a moment later
            return;
        }
        s.schedule();
    }

    private synchronized void start() {
        if (threads != null) {
            return;
        }
        ManagedThreadFactory factory;
        try {
            factory = InitialContext.doLookup(THREAD_FACTORY_JNDI);
        } catch (NamingException e) {
            throw new IllegalStateException("no managed thread factory at " + THREAD_FACTORY_JNDI, e);
        }
        // A worker loop runs for as long as it is wanted, so a direct hand-off and no queue: each
        // execute is a worker that starts now, on a fresh or an idle thread.
        threads = new ThreadPoolExecutor(0, MAX_WORKERS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
        timer = new ScheduledThreadPoolExecutor(1, factory);
        timer.setRemoveOnCancelPolicy(true);
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        for (int i = 0; i < MIN_WORKERS; i++) {
            startWorker();
        }
    }

    private void startWorker() {
        workers.incrementAndGet();
        try {
            threads.execute(this::work);
        } catch (RejectedExecutionException e) {
            workers.decrementAndGet();
        }
    }

    /** A worker: works ready streams; an extra one ends once it is idle and not wanted. */
    private void work() {
        boolean retired = false;
        try {
            while (true) {
                Stream s = ready.poll(EXTRA_IDLE_SECONDS, TimeUnit.SECONDS);
                if (s != null) {
                    s.turn();
                    continue;
                }
                int n = workers.get();
                if (n > wantedWorkers && workers.compareAndSet(n, n - 1)) {
                    retired = true;
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutdown; if the container did it, tick() starts another
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "SSE worker failed: {0}", e.toString());
        } finally {
            if (!retired) {
                workers.decrementAndGet();
            }
        }
    }

    /**
     * A stream's listener ran (on a publishing thread): note it, and make sure a wake round comes
     * within the window. Two cheap steps (a queue add and, for the first stream of a round, a timer
     * entry), never I/O.
     */
    private void wake(Stream s) {
        woken.add(s);
        if (roundPending.compareAndSet(false, true)) {
            long delay = lastRoundNanos + window() - System.nanoTime();
            try {
                timer.schedule(this::round, Math.max(0, delay), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopped) {
                roundPending.set(false); // undeploying: close() gives every stream its last turn
            }
        }
    }

    /**
     * Listeners are disarmed when they run, so a stream is woken at most once per round, and rounds
     * come at most once per window: many streams whose filters rarely match cost at most one empty
     * turn each per window, however fast the store publishes. A wake waits at most one window.
     */
    private long window() {
        return Math.max(MIN_WINDOW_NANOS, Math.min(MAX_WINDOW_NANOS, open.size() * WINDOW_NANOS_PER_STREAM));
    }

    /** On the timer: hands every stream woken since the last round to the workers. */
    private void round() {
        lastRoundNanos = System.nanoTime();
        roundPending.set(false); // before draining: a wake from now on schedules the next round
        Stream s;
        while ((s = woken.poll()) != null) {
            s.schedule();
        }
    }

    /** Every second on the timer thread: queue the streams that need a turn without an event. */
    private void tick() {
        try {
            long now = System.nanoTime();
            long second = Instant.now().getEpochSecond();
            int stuck = 0;
            for (Stream s : open) {
                long since = s.sendingSince;
                if (since != 0 && now - since > STUCK_NANOS) {
                    stuck++;
                }
                if (now - s.lastSendNanos > KEEP_ALIVE_NANOS || second > s.endsAtSecond || s.sink.isClosed()) {
                    s.schedule();
                }
            }
            wantedWorkers = Math.min(MAX_WORKERS, MIN_WORKERS + stuck);
            while (!stopping && workers.get() < wantedWorkers) {
                startWorker();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "SSE keep-alive tick failed: {0}", e.toString());
        }
    }

    /** Undeploy: every stream sends what is ready and its shutdown message, then closes. */
    @PreDestroy
    void close() {
        stopping = true;
        for (Stream s : open) {
            s.stopping = true;
            s.schedule();
        }
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_GRACE_MS);
        while (!open.isEmpty() && System.nanoTime() < giveUp && workers.get() > 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Stream s : open) {
            s.end(null);
        }
        synchronized (this) {
            if (threads != null) {
                timer.shutdownNow();
                threads.shutdownNow();
            }
        }
    }

    /**
     * One open stream. {@link #scheduled} is its ownership: whoever sets it queues the stream, and
     * the worker that takes it from the queue owns the stream's sink and source until it clears it.
     */
    private final class Stream {
        final SseSource source;
        final SseEventSink sink;
        final Sse sse;
        final SubscriptionLimits.Slot slot;
        final long endsAtSecond;
        /** True from queued until its turn (and the sends it started) finished. */
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final AtomicBoolean ended = new AtomicBoolean();
        /** When the last message was sent (nanoTime); the worker writes, the timer reads. */
        volatile long lastSendNanos = System.nanoTime();
        /** When the sends in flight started (nanoTime), 0 when none are; the worker writes. */
        volatile long sendingSince;
        /** Set at undeploy: the next turn is the last. */
        volatile boolean stopping;

        Stream(SseSource source, SseEventSink sink, Sse sse, SubscriptionLimits.Slot slot, long endsAtSecond) {
            this.source = source;
            this.sink = sink;
            this.sse = sse;
            this.slot = slot;
            this.endsAtSecond = endsAtSecond;
        }

        /** Queues a turn unless one is queued or running. Cheap and non-blocking: run by listeners. */
        void schedule() {
            if (!ended.get() && scheduled.compareAndSet(false, true)) {
                ready.offer(this);
            }
        }

        /** One turn, on a worker: end, send a batch (then queue again), or arm and let go. */
        void turn() {
            if (ended.get()) {
                return;
            }
            try {
                if (sink.isClosed()) {
                    end(null);
                } else if (stopping) {
                    List<OutboundSseEvent> last = new ArrayList<>(source.take(sse, BATCH));
                    addIfNotNull(last, source.shutdownMessage(sse));
                    send(last, true);
                } else if (Instant.now().getEpochSecond() > endsAtSecond) {
                    // Nothing more under an expired token, not even what is ready: the client resumes
                    // with a fresh token from the last id it saw.
                    send(List.of(source.expiredMessage(sse)), true);
                } else {
                    List<OutboundSseEvent> batch = source.take(sse, BATCH);
                    if (!batch.isEmpty()) {
                        send(batch, false);
                    } else if (source.isFinished()) {
                        List<OutboundSseEvent> last = new ArrayList<>(1);
                        addIfNotNull(last, source.finishedMessage(sse));
                        send(last, true);
                    } else if (System.nanoTime() - lastSendNanos > KEEP_ALIVE_NANOS) {
                        send(List.of(sse.newEventBuilder().comment("keep-alive").build()), false);
                    } else {
                        idle();
                    }
                }
            } catch (RuntimeException e) {
                end(e);
            }
        }

        private void idle() {
            scheduled.set(false);
            source.onReady(this::woken);
        }

        private void woken() {
            wake(this);
        }

        /** Sends {@code messages}; once written, ends the stream ({@code last}) or queues it again. */
        private void send(List<OutboundSseEvent> messages, boolean last) {
            if (messages.isEmpty()) {
                end(null);
                return;
            }
            sendingSince = System.nanoTime();
            CompletableFuture<?>[] sent = new CompletableFuture<?>[messages.size()];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = sink.send(messages.get(i)).toCompletableFuture();
            }
            // Runs on this worker if the container wrote synchronously, else on the thread that
            // completes the write; either way it only hands the stream on.
            CompletableFuture.allOf(sent).whenComplete((ok, failure) -> {
                sendingSince = 0;
                lastSendNanos = System.nanoTime();
                if (failure != null || last) {
                    end(failure);
                } else {
                    scheduled.set(false);
                    schedule();
                }
            });
        }

        /** Closes sink, subscription and slot once; {@code why} is null for an orderly end. */
        void end(Throwable why) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            open.remove(this);
            if (why != null) {
                LOG.log(Level.DEBUG, "SSE stream ended: {0}", why.toString());
            }
            try (slot; source) {
                sink.close();
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "closing an SSE stream: {0}", e.toString());
            }
        }
    }

    private static void addIfNotNull(List<OutboundSseEvent> to, OutboundSseEvent e) {
        if (e != null) {
            to.add(e);
        }
    }
}
