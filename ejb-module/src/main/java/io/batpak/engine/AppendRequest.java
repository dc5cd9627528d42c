package io.batpak.engine;

/**
 * One event to append: where, what kind, the opaque payload bytes, and its options. The payload
 * array is copied, so later changes by the caller do not reach the store. Immutable.
 */
public record AppendRequest(Coordinate coordinate, EventKind kind, byte[] payload, AppendOptions options) {
    public AppendRequest {
        if (coordinate == null || kind == null || payload == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "coordinate, kind and payload are required");
        }
        payload = payload.clone();
        options = options == null ? AppendOptions.NONE : options;
    }

    public AppendRequest(Coordinate coordinate, EventKind kind, byte[] payload) {
        this(coordinate, kind, payload, AppendOptions.NONE);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload's size in bytes, without copying it. */
    public int payloadLength() {
        return payload.length;
    }

    /** The payload without a defensive copy, for the engine's own use. */
    public byte[] payloadUnsafe() {
        return payload;
    }
}
