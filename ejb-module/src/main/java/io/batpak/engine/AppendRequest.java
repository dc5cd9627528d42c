package io.batpak.engine;

/**
 * One event to append: where, what kind, the opaque payload bytes, its options, and the version of
 * the payload's schema ({@value #FIRST_PAYLOAD_VERSION} unless given; stored and hashed with the
 * event when it is not 1, see docs/FORMAT.md). The payload array is copied, so later changes by
 * the caller do not reach the store. Immutable.
 */
public record AppendRequest(Coordinate coordinate, EventKind kind, byte[] payload, AppendOptions options,
                            int payloadVersion) {
    /** The version of a payload appended without one, and of every event stored before versions existed. */
    public static final int FIRST_PAYLOAD_VERSION = 1;
    /** The highest payload version. */
    public static final int MAX_PAYLOAD_VERSION = 65_535;

    public AppendRequest {
        if (coordinate == null || kind == null || payload == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "coordinate, kind and payload are required");
        }
        checkPayloadVersion(payloadVersion);
        payload = payload.clone();
        options = options == null ? AppendOptions.NONE : options;
    }

    public AppendRequest(Coordinate coordinate, EventKind kind, byte[] payload, AppendOptions options) {
        this(coordinate, kind, payload, options, FIRST_PAYLOAD_VERSION);
    }

    public AppendRequest(Coordinate coordinate, EventKind kind, byte[] payload) {
        this(coordinate, kind, payload, AppendOptions.NONE);
    }

    /** This request with its payload declared to be at {@code version}. */
    public AppendRequest withPayloadVersion(int version) {
        return new AppendRequest(coordinate, kind, payload, options, version);
    }

    /** Fails with {@code INVALID_REQUEST} unless {@code version} is 1..{@value #MAX_PAYLOAD_VERSION}. */
    public static void checkPayloadVersion(int version) {
        if (version < FIRST_PAYLOAD_VERSION || version > MAX_PAYLOAD_VERSION) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a payload version is " + FIRST_PAYLOAD_VERSION + ".."
                    + MAX_PAYLOAD_VERSION + ", was " + version);
        }
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
