package io.batpak.engine.projection;

import io.batpak.engine.AppendOptions;

/**
 * A projected state and its watermark: the sequence of the entity's last event the state covers
 * ({@link AppendOptions#NO_EVENTS} when it covers none). Pass the watermark as the expected
 * sequence of an append to act on this state only if nothing happened since. Immutable if the
 * state is.
 */
public record ProjectionResult<S>(S state, long watermark) {
}
