package io.batpak.web;

import io.batpak.ee.BatpakStore;
import io.batpak.engine.util.Completions;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.CompletionCallback;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Answers a suspended request once the work it waits for (an append's group commit, a long poll,
 * an RPC call) completes, so no request thread is held while the writer forces the log or a poll
 * waits. The answer is built on a thread of
 * the managed executor, never the writer's, and a failure goes through the same exception mappers
 * as a synchronous one (one error mapping). The answer function must not touch request-scoped
 * proxies ({@code HttpHeaders}, {@code SecurityContext}): read what it needs before suspending.
 * Stateless.
 */
final class AsyncAnswers {
    /**
     * How long past a long wait's own end the container answers by itself: only a waiter stuck
     * past its deadline (which the waiter answers itself) ever reaches it.
     */
    static final long LONG_WAIT_MARGIN_MS = 5_000;

    private AsyncAnswers() {
    }

    /**
     * As {@link #resumeWhenDone} for work that waits up to {@code waitMs} (a long poll, a call): the
     * container answers {@code onTimeout} (a {@code Response}, or an exception for the mappers) if
     * the work has not answered {@link #LONG_WAIT_MARGIN_MS} after that, so a stuck waiter cannot
     * pin the connection. A timed-out or otherwise ended request cancels the work, which stops
     * waiting (what it claimed meanwhile is the work's to give back or let time out).
     */
    static <T> void resumeAfterWait(AsyncResponse response, BatpakStore store, CompletableFuture<T> work, long waitMs,
                                    Supplier<Object> onTimeout, Function<T, Response> answer) {
        response.setTimeoutHandler(r -> {
            work.cancel(false);
            r.resume(onTimeout.get());
        });
        response.setTimeout(Math.max(0, waitMs) + LONG_WAIT_MARGIN_MS, TimeUnit.MILLISECONDS);
        response.register((CompletionCallback) failure -> work.cancel(false));
        resumeWhenDone(response, store, work, answer);
    }

    static <T> void resumeWhenDone(AsyncResponse response, BatpakStore store, CompletableFuture<T> work,
                                   Function<T, Response> answer) {
        resumeWhenDone(response, store, work, false, answer);
    }

    /**
     * As above; {@code mayWait} says the answer may block (see {@link WaitPreference#mayWait}), so it
     * is built on a thread that may wait rather than on one of the few answer threads.
     */
    static <T> void resumeWhenDone(AsyncResponse response, BatpakStore store, CompletableFuture<T> work,
                                   boolean mayWait, Function<T, Response> answer) {
        store.whenDone(work, (value, failure) -> {
            if (failure != null) {
                response.resume(Completions.unwrap(failure));
                return;
            }
            try {
                response.resume(answer.apply(value));
            } catch (RuntimeException e) {
                response.resume(e);
            }
        }, mayWait);
    }
}
