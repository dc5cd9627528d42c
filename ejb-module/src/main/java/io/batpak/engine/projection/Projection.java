package io.batpak.engine.projection;

import io.batpak.engine.EventKind;
import io.batpak.engine.StoredEvent;

import java.util.Optional;
import java.util.Set;

/**
 * An event-sourced read model: a left fold of one entity's events, in sequence order, starting
 * from {@link #initial()}. A {@link Projector} runs it and caches the result.
 *
 * <p>Contract for implementations: {@link #apply} is a pure function of its arguments and returns
 * a new state (or the same one) rather than mutating its input, because cached states are handed
 * to several callers; states are never {@code null}. {@link #name()} and {@link #version()}
 * identify the fold in every cache, so change the version whenever {@code apply}, the initial
 * state or the state's encoding changes: caches then ignore everything computed by other versions.
 * Instances are shared between threads and must be thread-safe (stateless is the simple way).
 *
 * @param <S> the state type
 */
public interface Projection<S> {
    /** A stable identifier: 1 to 128 characters from {@code A-Z a-z 0-9 . _ -}, starting with a letter or digit. */
    String name();

    /** The version of the fold; non-negative. */
    int version();

    /** The state before any event. */
    S initial();

    /** The state after {@code event}; only called for events whose kind {@link #kinds()} accepts. */
    S apply(S state, StoredEvent event);

    /** The kinds this fold reads; the empty set means every kind. Other events are skipped without a disk read. */
    default Set<EventKind> kinds() {
        return Set.of();
    }

    /** How to store the state in persistent snapshots; empty when this projection cannot be snapshotted to disk. */
    default Optional<StateCodec<S>> codec() {
        return Optional.empty();
    }
}
