package io.batpak.streams.exchange;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import io.batpak.streams.wait.Try;
import io.batpak.streams.wait.WaitSignal;
import io.batpak.streams.wait.Waits;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One RPC endpoint: its calls waiting for a handler, the calls handlers took and have not answered,
 * when each HTTP handler last polled, and the in-JVM handler serving it, if any. The state machine of
 * a call: pending → taken (by a poll, or at once for an in-JVM handler) → answered, or expired
 * when the caller's timeout passes first, whichever is decided first under the lock; the other
 * then finds it gone and is told so.
 *
 * <p>Thread-safety: all mutable state is guarded by {@code lock}, which is never held while a
 * handler runs, a caller's future completes or anyone waits: callers wait on their own future, whose
 * timeout is an entry on the shared {@link Waits} timer, and handlers' polls on {@code callsWaiting}
 * (no thread held for either).
 */
final class Endpoint {
    /** Outcomes remembered per endpoint so a late or repeated reply is reported precisely. */
    private static final int REMEMBERED = 4096;

    /** A served endpoint's in-JVM handler and the executor its calls run on. */
    private record Served(CallHandler handler, Executor executor) {
    }

    private static final class Call {
        final String id = UUID.randomUUID().toString();
        final String payload;
        final CompletableFuture<String> reply = new CompletableFuture<>();

        Call(String payload) {
            this.payload = payload;
        }
    }

    private final String name;
    private final ExchangeConfig config;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when calls were queued (or the endpoint closed): what handlers' polls wait on. */
    private final WaitSignal callsWaiting = new WaitSignal();
    /** Where handlers' polls and callers' timeouts wait. */
    private final Waits waits;
    /** Guarded by {@code lock}: calls no handler took yet, oldest first. */
    private final ArrayDeque<Call> pending = new ArrayDeque<>();
    /** Guarded by {@code lock}: calls a handler took, by id, until answered or expired. */
    private final Map<String, Call> taken = new HashMap<>();
    /** Guarded by {@code lock}: the last {@value #REMEMBERED} finished calls and how they finished. */
    private final Map<String, ReplyOutcome> finished = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ReplyOutcome> eldest) {
            return size() > REMEMBERED;
        }
    };
    /** Guarded by {@code lock}: HTTP handler name → clock ms of its last poll (start or end). */
    private final Map<String, Long> lastPoll = new HashMap<>();
    /** Guarded by {@code lock}: polls waiting now. */
    private int polling;
    /** Guarded by {@code lock}. */
    private boolean closed;
    /** Written under {@code lock}, read without it. */
    private volatile Served served;

    Endpoint(String name, ExchangeConfig config, Waits waits) {
        this.name = name;
        this.config = config;
        this.waits = waits;
    }

    void serve(CallHandler handler, Executor executor) {
        lock.lock();
        try {
            if (served != null) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "endpoint '" + name + "' already has an in-JVM"
                        + " handler");
            }
            served = new Served(handler, executor);
        } finally {
            lock.unlock();
        }
    }

    void unserve() {
        lock.lock();
        try {
            served = null;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a handler counts as present at {@code now} (the caller holds the lock). */
    private boolean present(long now) {
        if (served != null || polling > 0) {
            return true;
        }
        long since = now - config.handlerPresenceMs();
        for (long t : lastPoll.values()) {
            if (t >= since) {
                return true;
            }
        }
        return false;
    }

    /** Whether a handler counts as present now. */
    boolean present() {
        lock.lock();
        try {
            return present(config.clockMs().getAsLong());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues (or, served in-JVM, dispatches) a call and returns its reply, completed by the
     * handler's reply, or failed with TIMEOUT after {@code timeoutMs} (a later reply is then
     * EXPIRED). Cancelling the future (the caller went away) expires the call the same way. Refusals
     * (closed, no handler, busy) are thrown here.
     */
    CompletableFuture<String> callAsync(String payload, long timeoutMs) {
        Call c = new Call(payload);
        Served s;
        lock.lock();
        try {
            if (closed) {
                throw new StoreException(ErrorCode.UNAVAILABLE, "the endpoints are shut down");
            }
            s = served;
            if (s == null && !present(config.clockMs().getAsLong())) {
                throw new StoreException(ErrorCode.NO_HANDLER, "endpoint '" + name + "' has no handler: none polled"
                        + " in the last " + config.handlerPresenceMs() + " ms");
            }
            if (pending.size() + taken.size() >= config.maxPendingCalls()) {
                throw new StoreException(ErrorCode.ENDPOINT_BUSY, "endpoint '" + name + "' holds its maximum of "
                        + config.maxPendingCalls() + " unanswered calls");
            }
            if (s == null) {
                pending.add(c);
            } else {
                taken.put(c.id, c);
            }
        } finally {
            lock.unlock();
        }
        if (s != null) {
            dispatch(s, c);
        } else {
            callsWaiting.signal();
        }
        ScheduledFuture<?> deadline;
        try {
            deadline = waits.after(timeoutMs, () -> forget(c, new StoreException(ErrorCode.TIMEOUT, "endpoint '"
                    + name + "' gave no reply within " + timeoutMs + " ms")));
        } catch (StoreException down) {
            forget(c, down);
            throw down;
        }
        c.reply.whenComplete((v, e) -> {
            deadline.cancel(false);
            if (c.reply.isCancelled()) {
                forget(c, null);
            }
        });
        return c.reply;
    }

    private void dispatch(Served s, Call c) {
        try {
            s.executor().execute(() -> {
                String reply;
                try {
                    reply = s.handler().handle(c.payload);
                } catch (Exception | Error e) {
                    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    reply(c.id, null, why);
                    if (e instanceof Error err) {
                        throw err;
                    }
                    return;
                }
                reply(c.id, reply, null);
            });
        } catch (RejectedExecutionException e) {
            StoreException down = new StoreException(ErrorCode.UNAVAILABLE, "no worker to run endpoint '" + name + "'",
                    e);
            forget(c, down);
            throw down;
        }
    }

    /**
     * Removes an unanswered call, remembering it EXPIRED, and fails its caller with {@code why} (null:
     * the caller cancelled). False if it was answered (or shut down) first: the reply stands.
     */
    private boolean forget(Call c, StoreException why) {
        lock.lock();
        try {
            boolean unanswered = pending.remove(c) | taken.remove(c.id) != null;
            if (!unanswered) {
                return false;
            }
            finished.put(c.id, ReplyOutcome.EXPIRED);
        } finally {
            lock.unlock();
        }
        if (why != null) {
            c.reply.completeExceptionally(why);
        }
        return true;
    }

    /**
     * Up to {@code max} pending calls for {@code handler}, waiting at most {@code waitMs} for the
     * first (empty when none came); the calls are then the handler's to answer. Counts the handler
     * present meanwhile. Cancelling the future stops the wait, and calls taken just as it was
     * cancelled go back to the front of the queue for the next poll.
     */
    CompletableFuture<List<EndpointCall>> pollAsync(String handler, int max, long waitMs) {
        lock.lock();
        try {
            if (served != null) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "endpoint '" + name + "' is served by an in-JVM"
                        + " handler (@EndpointHandler); HTTP handlers cannot poll it");
            }
            long now = config.clockMs().getAsLong();
            lastPoll.values().removeIf(t -> t < now - config.handlerPresenceMs());
            lastPoll.put(handler, now);
            polling++;
        } finally {
            lock.unlock();
        }
        // The wait runs on real time: the configured clock only measures presence.
        CompletableFuture<List<EndpointCall>> f = waits.poll(callsWaiting, Endpoint::monotonicMs,
                monotonicMs() + waitMs, (now, last) -> take(max, last), this::giveBack);
        f.whenComplete((v, e) -> {
            lock.lock();
            try {
                polling--;
                lastPoll.put(handler, config.clockMs().getAsLong());
            } finally {
                lock.unlock();
            }
        });
        return f;
    }

    private static long monotonicMs() {
        return System.nanoTime() / 1_000_000;
    }

    /** One try of a handler's poll: the pending calls it may take, or wait (unless it is the last try). */
    private Try<List<EndpointCall>> take(int max, boolean last) {
        List<EndpointCall> out = new ArrayList<>();
        boolean more;
        lock.lock();
        try {
            if (pending.isEmpty() && !closed && !last) {
                return Try.untilSignal();
            }
            while (!pending.isEmpty() && out.size() < max && !closed) {
                Call c = pending.poll();
                taken.put(c.id, c);
                out.add(new EndpointCall(c.id, c.payload));
            }
            more = !pending.isEmpty();
        } finally {
            lock.unlock();
        }
        if (more) {
            callsWaiting.signal(); // more than this poll takes: wake the other pollers
        }
        return Try.done(out);
    }

    /** Puts calls a cancelled poll took (so nobody saw them) back at the front of the queue. */
    private void giveBack(List<EndpointCall> calls) {
        if (calls.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            for (int i = calls.size() - 1; i >= 0; i--) {
                Call c = taken.remove(calls.get(i).callId());
                if (c != null) {
                    pending.addFirst(c);
                }
            }
        } finally {
            lock.unlock();
        }
        callsWaiting.signal();
    }

    /**
     * Answers call {@code callId} with {@code payload}, or fails it with {@code error} when not null.
     * The caller is completed only if it still waits; otherwise the outcome says what happened.
     */
    ReplyOutcome reply(String callId, String payload, String error) {
        Call c;
        lock.lock();
        try {
            c = taken.remove(callId);
            if (c == null) {
                ReplyOutcome before = finished.get(callId);
                if (before == null) {
                    return ReplyOutcome.UNKNOWN;
                }
                return before == ReplyOutcome.ACCEPTED ? ReplyOutcome.ALREADY_ANSWERED : before;
            }
            if (c.reply.isCancelled()) { // the caller went away; its cleanup has not run yet
                finished.put(callId, ReplyOutcome.EXPIRED);
                return ReplyOutcome.EXPIRED;
            }
            finished.put(callId, ReplyOutcome.ACCEPTED);
        } finally {
            lock.unlock();
        }
        // Completed outside the lock: what follows a reply (answering the caller) never runs under it.
        if (error != null) {
            c.reply.completeExceptionally(new StoreException(ErrorCode.HANDLER_FAILED, "endpoint '" + name
                    + "' handler failed: " + error));
        } else {
            c.reply.complete(payload);
        }
        return ReplyOutcome.ACCEPTED;
    }

    /** Calls waiting for a handler plus calls taken and unanswered. */
    int unanswered() {
        lock.lock();
        try {
            return pending.size() + taken.size();
        } finally {
            lock.unlock();
        }
    }

    void close() {
        List<Call> down = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            down.addAll(pending);
            down.addAll(taken.values());
            pending.clear();
            taken.clear();
        } finally {
            lock.unlock();
        }
        StoreException unavailable = new StoreException(ErrorCode.UNAVAILABLE, "the endpoints are shut down");
        down.forEach(c -> c.reply.completeExceptionally(unavailable));
        callsWaiting.signal();
    }
}
