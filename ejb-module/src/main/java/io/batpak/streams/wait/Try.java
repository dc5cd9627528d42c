package io.batpak.streams.wait;

import java.util.Objects;

/**
 * What one attempt of a long poll found: a value (the poll is over) or nothing yet, with the
 * clock time by which to try again even if no signal comes ({@code Long.MAX_VALUE}: only on a
 * signal or at the end of the wait). Immutable.
 */
public record Try<R>(R value, long recheckAtMs) {
    /** The poll is over with {@code value} (not null; an empty result is a value too). */
    public static <R> Try<R> done(R value) {
        return new Try<>(Objects.requireNonNull(value, "value"), Long.MAX_VALUE);
    }

    /** Nothing yet; try again at {@code atMs} on the poll's clock, or at a signal if that comes first. */
    public static <R> Try<R> retryBy(long atMs) {
        return new Try<>(null, atMs);
    }

    /** Nothing yet; try again at a signal or when the wait ends. */
    public static <R> Try<R> untilSignal() {
        return new Try<>(null, Long.MAX_VALUE);
    }

    boolean isDone() {
        return value != null;
    }
}
