package io.batpak.engine;

/**
 * How current a projected state must be. {@link #CONSISTENT} reads every event published before
 * the call; a cached state is then only a starting point. {@link #bestEffort(long)} accepts a
 * cached state computed at most {@code maxStaleMs} ago (by the store's wall clock) without looking
 * at newer events, and {@link #CACHED} accepts any cached state. When nothing is cached every
 * freshness reads the log. Immutable.
 */
public record Freshness(long maxStaleMs) {
    /** Every published event is applied. */
    public static final Freshness CONSISTENT = new Freshness(0);
    /** Any cached state is good enough. */
    public static final Freshness CACHED = new Freshness(Long.MAX_VALUE);

    public Freshness {
        if (maxStaleMs < 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "maxStaleMs must be 0 or more, was " + maxStaleMs);
        }
    }

    /** Accepts a cached state no older than {@code maxStaleMs} milliseconds. */
    public static Freshness bestEffort(long maxStaleMs) {
        return new Freshness(maxStaleMs);
    }

    /** Whether a state computed at {@code takenAtMs} may be returned at {@code nowMs} without reading newer events. */
    public boolean accepts(long takenAtMs, long nowMs) {
        return maxStaleMs > 0 && (maxStaleMs == Long.MAX_VALUE || nowMs - takenAtMs <= maxStaleMs);
    }
}
