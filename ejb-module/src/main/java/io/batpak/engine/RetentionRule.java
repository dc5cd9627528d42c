package io.batpak.engine;

/**
 * A scope's retention rule: events older than {@code maxAgeMs} (by their writer timestamp, the
 * HLC wall time) are past retention, and so is every event of an entity but its newest
 * {@code maxCount}. A null limit does not apply; at least one is set. Immutable.
 */
public record RetentionRule(Long maxAgeMs, Long maxCount) {
    /** Checks the limits: each null or positive ({@code maxCount} may be 0: keep none), not both null. */
    public RetentionRule {
        if (maxAgeMs == null && maxCount == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a retention rule needs maxAgeMs or maxCount");
        }
        if (maxAgeMs != null && maxAgeMs <= 0 || maxCount != null && maxCount < 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "maxAgeMs must be above 0 and maxCount 0 or more, were "
                    + maxAgeMs + " and " + maxCount);
        }
    }
}
