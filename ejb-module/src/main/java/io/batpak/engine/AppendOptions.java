package io.batpak.engine;

import java.util.UUID;

/**
 * Optional conditions and links of one append. Immutable; build with the {@code with*} methods
 * starting from {@link #NONE}.
 *
 * @param expectedSequence the entity's last sequence must equal this for the append to commit;
 *        {@link #NO_EVENTS} means the entity must have no events yet; {@code null} means no check
 * @param idempotencyKey a repeat of a committed key with the same request returns the original
 *        receipt and appends nothing, also after a restart; at most {@value #MAX_IDEMPOTENCY_KEY_CHARS}
 *        characters; single appends only
 * @param correlationId groups related events; defaults to the event's own id
 * @param causationId the event that caused this one; {@code null} for a root cause
 */
public record AppendOptions(Long expectedSequence, String idempotencyKey, UUID correlationId, UUID causationId) {
    /** The value of {@code expectedSequence} that means "the entity has no events yet". */
    public static final long NO_EVENTS = -1L;
    public static final int MAX_IDEMPOTENCY_KEY_CHARS = 255;
    /** No condition, no key, self-correlated root cause. */
    public static final AppendOptions NONE = new AppendOptions(null, null, null, null);

    public AppendOptions {
        if (expectedSequence != null && expectedSequence < NO_EVENTS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "expectedSequence must be -1 or more, was " + expectedSequence);
        }
        if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_CHARS)) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "idempotency key must have 1.." + MAX_IDEMPOTENCY_KEY_CHARS + " characters");
        }
    }

    public AppendOptions withExpectedSequence(long sequence) {
        return new AppendOptions(sequence, idempotencyKey, correlationId, causationId);
    }

    public AppendOptions withIdempotencyKey(String key) {
        return new AppendOptions(expectedSequence, key, correlationId, causationId);
    }

    public AppendOptions withCorrelation(UUID correlation, UUID causation) {
        return new AppendOptions(expectedSequence, idempotencyKey, correlation, causation);
    }
}
