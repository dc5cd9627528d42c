package io.batpak.streams;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;

/**
 * One event to publish to a stream: an optional partitioning key (events with the same key go to
 * the same partition while the partition count stays the same; without a key, partitions are
 * taken in turn), its kind and its opaque payload. The payload array is copied. Immutable.
 */
public record StreamEvent(String key, EventKind kind, byte[] payload) {
    /** Longest key, in characters. */
    public static final int MAX_KEY_CHARS = 1024;
    /** Attribute of a stored stream event holding the key it was published with (absent without a key). */
    public static final String KEY_ATTRIBUTE = "stream.key";

    public StreamEvent {
        if (kind == null || payload == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a stream event needs a kind and a payload");
        }
        if (key != null && key.length() > MAX_KEY_CHARS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "key is longer than " + MAX_KEY_CHARS + " characters");
        }
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }
}
