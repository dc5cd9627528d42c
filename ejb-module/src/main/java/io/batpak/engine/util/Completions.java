package io.batpak.engine.util;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The project's one way to wait for an asynchronous commit and to take the wrapping off a failure
 * it reports: a {@link StoreException} comes out as itself, interruption as
 * {@link ErrorCode#INTERRUPTED} (with the thread's flag set again), anything else unexpected as
 * {@link ErrorCode#UNAVAILABLE}. Stateless.
 */
public final class Completions {
    private Completions() {
    }

    /** The future's value; its failure unwrapped and rethrown as described above. */
    public static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(ErrorCode.INTERRUPTED, "interrupted while waiting for the commit", e);
        } catch (ExecutionException e) {
            Throwable c = unwrap(e.getCause());
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException(ErrorCode.UNAVAILABLE, "commit failed: " + c, c);
        }
    }

    /** The cause a {@link CompletionException} (or {@link ExecutionException}) wraps, or {@code t} itself. */
    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
