package io.batpak.engine;

/**
 * A conditional append found an event matching its condition after the position it gave; nothing
 * of the append was stored. {@code matched} is the global sequence of the first such event.
 */
public final class ConditionFailedException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final long matched;

    public ConditionFailedException(long matched, long after) {
        super(ErrorCode.CONDITION_FAILED, "an event matching the condition was appended after " + after
                + " (global sequence " + matched + "); nothing was appended");
        this.matched = matched;
    }

    public long matched() {
        return matched;
    }
}
