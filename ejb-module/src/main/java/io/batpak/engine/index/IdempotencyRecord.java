package io.batpak.engine.index;

/**
 * The committed event an idempotency key belongs to, and the fingerprint of the request that
 * committed it (so a reuse with another request can be told apart from a repeat). Immutable.
 */
public record IdempotencyRecord(int eventIndex, long fingerprintHi, long fingerprintLo) {
}
