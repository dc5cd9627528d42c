package io.batpak.engine;

import java.util.Objects;

/**
 * Why an {@link Outcome} failed: a stable kebab-case {@code code} (products define their own
 * beside the store's {@link ErrorCode} names), a message for people, and whether the same step
 * may succeed if tried again. Immutable.
 */
public record OutcomeError(String code, String message, boolean retryable) {
    public OutcomeError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    /** A failure that retrying will not fix. */
    public static OutcomeError of(String code, String message) {
        return new OutcomeError(code, message, false);
    }

    /** The outcome form of a store failure, keeping its code and whether it is transient. */
    public static OutcomeError of(StoreException e) {
        return new OutcomeError(e.code().code(), String.valueOf(e.getMessage()), e.isTransient());
    }
}
