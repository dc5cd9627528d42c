package io.batpak.engine.gate;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;

/**
 * What a {@link Gate} sees of one event: the request, its position {@code batchIndex} in a batch of
 * {@code batchSize} requests that will be appended together, and the caller. Immutable.
 */
public record AppendContext(AppendRequest request, int batchIndex, int batchSize, Caller caller) {
    public AppendContext {
        if (request == null || caller == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "an append context needs a request and a caller");
        }
        if (batchSize < 1 || batchIndex < 0 || batchIndex >= batchSize) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "batch position " + batchIndex + " of " + batchSize + " is invalid");
        }
    }

    public Coordinate coordinate() {
        return request.coordinate();
    }

    public EventKind kind() {
        return request.kind();
    }
}
