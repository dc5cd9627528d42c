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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One RPC endpoint: its calls waiting for a handler, the calls handlers took and have not answered,
 * when each HTTP handler last polled, and the in-JVM handler serving it, if any. The state machine of
 * a call: pending → taken (by a poll, or at once for an in-JVM handler) → answered, or expired
 * when the caller's timeout passes first, whichever is decided first under the lock; the other
 * then finds it gone and is told so.
 *
 * <p>Thread-safety: all mutable state is guarded by {@code lock}, which is never held while a
 * handler runs or a caller waits (callers wait on their own future, pollers on {@code callsWaiting},
 * which releases the lock).
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
    private final Condition callsWaiting = lock.newCondition();
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

    Endpoint(String name, ExchangeConfig config) {
        this.name = name;
        this.config = config;
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

    String call(String payload, long timeoutMs) {
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
                callsWaiting.signal();
            } else {
                taken.put(c.id, c);
            }
        } finally {
            lock.unlock();
        }
        if (s != null) {
            dispatch(s, c);
        }
        return await(c, timeoutMs);
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
            forget(c, ReplyOutcome.EXPIRED);
            throw new StoreException(ErrorCode.UNAVAILABLE, "no worker to run endpoint '" + name + "'", e);
        }
    }

    private String await(Call c, long timeoutMs) {
        try {
            return c.reply.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (forget(c, ReplyOutcome.EXPIRED)) {
                throw new StoreException(ErrorCode.TIMEOUT, "endpoint '" + name + "' gave no reply within "
                        + timeoutMs + " ms");
            }
            return await(c, 0); // answered just as the wait ended: the reply stands
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            forget(c, ReplyOutcome.EXPIRED);
            throw new StoreException(ErrorCode.INTERRUPTED, "interrupted while waiting for endpoint '" + name + "'");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StoreException se) {
                throw new StoreException(se.code(), se.getMessage(), se);
            }
            throw new StoreException(ErrorCode.HANDLER_FAILED, String.valueOf(e.getCause()), e.getCause());
        }
    }

    /** Removes an unanswered call, remembering {@code outcome}; false if it was answered first. */
    private boolean forget(Call c, ReplyOutcome outcome) {
        lock.lock();
        try {
            if (c.reply.isDone()) {
                return false;
            }
            pending.remove(c);
            taken.remove(c.id);
            finished.put(c.id, outcome);
            c.reply.cancel(false);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Up to {@code max} pending calls for {@code handler}, waiting at most {@code waitMs} for the
     * first; the calls are then the handler's to answer. Counts the handler present meanwhile.
     */
    List<EndpointCall> poll(String handler, int max, long waitMs) {
        long nanos = TimeUnit.MILLISECONDS.toNanos(waitMs);
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
            try {
                while (pending.isEmpty() && !closed && nanos > 0) {
                    nanos = callsWaiting.awaitNanos(nanos);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                polling--;
                lastPoll.put(handler, config.clockMs().getAsLong());
            }
            List<EndpointCall> out = new ArrayList<>();
            while (!pending.isEmpty() && out.size() < max && !closed) {
                Call c = pending.poll();
                taken.put(c.id, c);
                out.add(new EndpointCall(c.id, c.payload));
            }
            if (!pending.isEmpty()) {
                callsWaiting.signal(); // more than this poll takes: wake the next poller
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Answers call {@code callId} with {@code payload}, or fails it with {@code error} when not null.
     * The caller is completed only if it still waits; otherwise the outcome says what happened.
     */
    ReplyOutcome reply(String callId, String payload, String error) {
        lock.lock();
        try {
            Call c = taken.remove(callId);
            if (c == null) {
                ReplyOutcome before = finished.get(callId);
                if (before == null) {
                    return ReplyOutcome.UNKNOWN;
                }
                return before == ReplyOutcome.ACCEPTED ? ReplyOutcome.ALREADY_ANSWERED : before;
            }
            finished.put(callId, ReplyOutcome.ACCEPTED);
            if (error != null) {
                c.reply.completeExceptionally(new StoreException(ErrorCode.HANDLER_FAILED, "endpoint '" + name
                        + "' handler failed: " + error));
            } else {
                c.reply.complete(payload);
            }
            return ReplyOutcome.ACCEPTED;
        } finally {
            lock.unlock();
        }
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
        lock.lock();
        try {
            closed = true;
            StoreException down = new StoreException(ErrorCode.UNAVAILABLE, "the endpoints are shut down");
            pending.forEach(c -> c.reply.completeExceptionally(down));
            taken.values().forEach(c -> c.reply.completeExceptionally(down));
            pending.clear();
            taken.clear();
            callsWaiting.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
