package io.batpak.engine;

/**
 * The condition of a conditional append: it stores nothing, and fails with
 * {@link ConditionFailedException}, if an event matching {@code failIfEventsMatch} (inside its
 * grants) has a global sequence greater than {@code after}. The writer evaluates it atomically with
 * the append, over every event committed or queued before it, so no matching event can slip in
 * between the check and the write. {@code after} 0 means any matching event at all. Immutable.
 */
public record AppendCondition(EventQuery failIfEventsMatch, long after) {
    public AppendCondition {
        if (failIfEventsMatch == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a condition needs failIfEventsMatch");
        }
        if (after < 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "after must be 0 or more, was " + after);
        }
    }
}
