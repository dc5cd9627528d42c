package io.batpak.engine;

/**
 * The outcome of re-computing an entity's hash chain from disk: how many events were checked,
 * whether every link held, and the first sequence whose hash, link or checksum failed
 * ({@code -1} when valid). Immutable.
 */
public record VerifyResult(String entity, long events, boolean valid, long firstInvalidSequence) {
}
