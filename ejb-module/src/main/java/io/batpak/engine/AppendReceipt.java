package io.batpak.engine;

import io.batpak.engine.util.Hex;

import java.util.UUID;

/**
 * Proof that an event is committed (durable under the store's sync mode): its id, place, per-entity
 * sequence, global sequence (1 for the first event ever stored) and chain hash. {@code replayed}
 * is true when an idempotent repeat returned an earlier receipt. Immutable.
 */
public record AppendReceipt(UUID eventId, Coordinate coordinate, long sequence, long globalSequence,
                            byte[] hash, boolean replayed) {
    public AppendReceipt {
        hash = hash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    /** The chain hash as 64 lower-case hex characters. */
    public String hashHex() {
        return Hex.encode(hash);
    }

    public AppendReceipt asReplay() {
        return new AppendReceipt(eventId, coordinate, sequence, globalSequence, hash, true);
    }
}
