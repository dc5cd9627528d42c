package io.batpak.engine;

/**
 * Where the store's scavenge stands: the newest job's id (0: none has run since the store opened),
 * its state, how many of the sealed segments it chose it has rewritten (or found nothing worth
 * rewriting in), and the bytes it has reclaimed so far. A failed job says why in {@code error}; the
 * data it had not finished is as before it started. Immutable.
 */
public record ScavengeStatus(long job, State state, int segmentsDone, int segmentsTotal, long bytesReclaimed,
                             String error) {

    /** A job's lifecycle: {@code IDLE} only before the first job. */
    public enum State {
        IDLE, RUNNING, DONE, FAILED;

        /** The lower-case name used over HTTP. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The status before any job. */
    public static final ScavengeStatus NONE = new ScavengeStatus(0, State.IDLE, 0, 0, 0, null);

    /** Whether the job is still going. */
    public boolean running() {
        return state == State.RUNNING;
    }
}
