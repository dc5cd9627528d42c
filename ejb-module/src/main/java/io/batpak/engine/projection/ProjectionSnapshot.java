package io.batpak.engine.projection;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

import java.util.Objects;

/**
 * What a {@link ProjectionCache} holds for one projection of one entity: the state after every
 * event up to {@code watermark} (an entity sequence; {@link AppendOptions#NO_EVENTS} for none), the
 * chain hash of the event at the watermark (32 zero bytes for none) so a snapshot can be checked
 * against the log it came from, and when it was taken (store wall clock, Unix milliseconds).
 * Immutable if the state is.
 */
public record ProjectionSnapshot<S>(S state, long watermark, byte[] watermarkHash, long takenAtMs) {
    public ProjectionSnapshot {
        Objects.requireNonNull(state, "state");
        if (watermark < AppendOptions.NO_EVENTS || watermarkHash.length != 32) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a snapshot needs watermark >= -1 and a 32-byte hash");
        }
        watermarkHash = watermarkHash.clone();
    }

    @Override
    public byte[] watermarkHash() {
        return watermarkHash.clone();
    }
}
