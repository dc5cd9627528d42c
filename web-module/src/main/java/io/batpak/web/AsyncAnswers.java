package io.batpak.web;

import io.batpak.ee.BatpakStore;
import io.batpak.engine.util.Completions;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Answers a suspended request once the work it waits for (an append's group commit) completes,
 * so no request thread is held while the writer forces the log. The answer is built on a thread of
 * the managed executor, never the writer's, and a failure goes through the same exception mappers
 * as a synchronous one (one error mapping). The answer function must not touch request-scoped
 * proxies ({@code HttpHeaders}, {@code SecurityContext}): read what it needs before suspending.
 * Stateless.
 */
final class AsyncAnswers {
    private AsyncAnswers() {
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
