package io.batpak.engine;

import java.util.UUID;

/**
 * One event looked up by id, within grants: what {@link EventStore#get} and
 * {@link EventStore#ancestors} take. By default ({@code EventLookup.of(id)}) the grants are
 * {@link ScopeGrants#ALL}; an event whose scope the grants do not reach is treated exactly like
 * one that was never stored. Immutable.
 */
public record EventLookup(UUID eventId, ScopeGrants grants) {
    public EventLookup {
        if (eventId == null || grants == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "an event lookup needs an event id and grants");
        }
    }

    /** The event with this id, whatever its scope. */
    public static EventLookup of(UUID eventId) {
        return new EventLookup(eventId, ScopeGrants.ALL);
    }

    /** Only if {@code g} reaches the event's scope (replacing the current grants). */
    public EventLookup withGrants(ScopeGrants g) {
        return new EventLookup(eventId, g);
    }
}
