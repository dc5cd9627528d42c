package io.batpak.ee.kafka;

/**
 * A relay at one moment: {@code position} is the global sequence up to which the log is in Kafka
 * (committed there with the position), {@code lag} the store's events after it, {@code lastError}
 * the type of the last failure since the relay last committed (null if none). Immutable.
 */
public record RelayStatus(String state, long position, long lag, String lastError) {
    /** The relay runs and its last attempt committed. */
    public static final String RUNNING = "running";
    /** The relay retries after a failure (broker unreachable, transaction aborted). */
    public static final String RETRYING = "retrying";
    /** Another relay with the same id took over (this one was fenced), or the relay was stopped. */
    public static final String STOPPED = "stopped";
}
