package io.batpak.engine;

import java.util.UUID;

/**
 * A committed event as read back from the log, with every header field and its payload. The
 * {@code hash} covers the header, the payload and {@code prevHash} (see docs/FORMAT.md), so it
 * changes if any of them change. {@code causationId} is {@code null} for a root cause. Immutable.
 */
public record StoredEvent(UUID eventId, Coordinate coordinate, EventKind kind, long sequence,
                          long globalSequence, long timestampUs, HlcTimestamp hlc, UUID correlationId,
                          UUID causationId, int flags, byte[] prevHash, byte[] hash, byte[] payload) {
    public StoredEvent {
        prevHash = prevHash.clone();
        hash = hash.clone();
        payload = payload.clone();
    }

    @Override
    public byte[] prevHash() {
        return prevHash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    public String entity() {
        return coordinate.entity();
    }

    public String scope() {
        return coordinate.scope();
    }

    @Override
    public String toString() {
        return "StoredEvent[" + eventId + " " + coordinate + " kind=" + kind + " seq=" + sequence
                + " gseq=" + globalSequence + " payload=" + payload.length + "B]";
    }
}
