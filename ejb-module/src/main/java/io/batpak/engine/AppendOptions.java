package io.batpak.engine;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
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
 * @param attributes small string attributes stored with the event and covered by its hash (e.g. the
 *        CloudEvents {@code type} of an event that arrived as a CloudEvent); at most
 *        {@value #MAX_ATTRIBUTES} entries, keys of 1..{@value #MAX_ATTRIBUTE_KEY_CHARS} characters
 *        from {@code [a-z0-9._-]}, {@value #MAX_ATTRIBUTE_BYTES} UTF-8 bytes in all; kept sorted by key
 */
public record AppendOptions(Long expectedSequence, String idempotencyKey, UUID correlationId, UUID causationId,
                            Map<String, String> attributes) {
    public static final int MAX_ATTRIBUTES = 16;
    public static final int MAX_ATTRIBUTE_KEY_CHARS = 64;
    public static final int MAX_ATTRIBUTE_BYTES = 4096;
    /** The value of {@code expectedSequence} that means "the entity has no events yet". */
    public static final long NO_EVENTS = -1L;
    public static final int MAX_IDEMPOTENCY_KEY_CHARS = 255;
    /** No condition, no key, self-correlated root cause. */
    public static final AppendOptions NONE = new AppendOptions(null, null, null, null, Map.of());

    /** Options without attributes. */
    public AppendOptions(Long expectedSequence, String idempotencyKey, UUID correlationId, UUID causationId) {
        this(expectedSequence, idempotencyKey, correlationId, causationId, Map.of());
    }

    public AppendOptions {
        if (expectedSequence != null && expectedSequence < NO_EVENTS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "expectedSequence must be -1 or more, was " + expectedSequence);
        }
        if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_CHARS)) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "idempotency key must have 1.." + MAX_IDEMPOTENCY_KEY_CHARS + " characters");
        }
        attributes = checkedAttributes(attributes);
    }

    private static Map<String, String> checkedAttributes(Map<String, String> attributes) {
        if (attributes == null || attributes.isEmpty()) {
            return Map.of();
        }
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "at most " + MAX_ATTRIBUTES + " attributes, got "
                    + attributes.size());
        }
        int bytes = 0;
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            String k = e.getKey();
            if (k == null || k.isEmpty() || k.length() > MAX_ATTRIBUTE_KEY_CHARS || !k.matches("[a-z0-9._-]+")
                    || e.getValue() == null) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "attribute keys must be 1.."
                        + MAX_ATTRIBUTE_KEY_CHARS + " characters of [a-z0-9._-] with a non-null value: " + k);
            }
            bytes += k.length() + e.getValue().getBytes(StandardCharsets.UTF_8).length;
            sorted.put(k, e.getValue());
        }
        if (bytes > MAX_ATTRIBUTE_BYTES) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "attributes take " + bytes + " bytes, more than "
                    + MAX_ATTRIBUTE_BYTES);
        }
        return Collections.unmodifiableMap(sorted);
    }

    public AppendOptions withExpectedSequence(long sequence) {
        return new AppendOptions(sequence, idempotencyKey, correlationId, causationId, attributes);
    }

    public AppendOptions withIdempotencyKey(String key) {
        return new AppendOptions(expectedSequence, key, correlationId, causationId, attributes);
    }

    public AppendOptions withCorrelation(UUID correlation, UUID causation) {
        return new AppendOptions(expectedSequence, idempotencyKey, correlation, causation, attributes);
    }

    public AppendOptions withAttributes(Map<String, String> attrs) {
        return new AppendOptions(expectedSequence, idempotencyKey, correlationId, causationId, attrs);
    }
}
