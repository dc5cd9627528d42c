package io.batpak.engine;

/**
 * The outcome of re-computing an entity's hash chain from disk: how many events were checked,
 * whether every link held, the first sequence whose hash, link or checksum failed ({@code -1}
 * when valid), and the sequence the check started from: the entity's first kept event, 0 unless
 * retention hides the ones before it (that event's link to its hidden parent is taken as the
 * chain's anchor). Immutable.
 */
public record VerifyResult(String entity, long events, boolean valid, long firstInvalidSequence, long from) {
    /** A result of a check from sequence 0. */
    public VerifyResult(String entity, long events, boolean valid, long firstInvalidSequence) {
        this(entity, events, valid, firstInvalidSequence, 0);
    }
}
