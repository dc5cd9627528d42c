package io.batpak.engine.projection;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Replays a state machine declared by {@link Edge}s: each event whose kind belongs to an edge
 * starting at the current state's type moves the state along that edge (several edges may share
 * a kind if they start from different types). An event of a machine kind that no edge allows from
 * the current state means the log was written without the typestate discipline; the projection
 * then fails with {@link ErrorCode#INVALID_TRANSITION} rather than guess. Build with
 * {@link #builder}. Immutable and thread-safe once built if its step functions are.
 *
 * @param <S> the common supertype of the machine's states
 */
public final class StateMachineProjection<S> implements Projection<S> {
    private record Step<S>(Class<?> source, Class<?> target, BiFunction<Object, StoredEvent, ?> apply) {
    }

    private final String name;
    private final int version;
    private final S initial;
    private final Map<Integer, List<Step<S>>> steps;
    private final Set<EventKind> kinds;
    private final StateCodec<S> codec;

    private StateMachineProjection(Builder<S> b) {
        this.name = b.name;
        this.version = b.version;
        this.initial = b.initial;
        this.steps = Map.copyOf(b.steps);
        this.kinds = Set.copyOf(b.kinds);
        this.codec = b.codec;
    }

    /** Starts a machine named {@code name} at {@code version} whose entities begin in {@code initial}. */
    public static <S> Builder<S> builder(String name, int version, S initial) {
        return new Builder<>(name, version, initial);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int version() {
        return version;
    }

    @Override
    public S initial() {
        return initial;
    }

    @Override
    public Set<EventKind> kinds() {
        return kinds;
    }

    @Override
    public Optional<StateCodec<S>> codec() {
        return Optional.ofNullable(codec);
    }

    @Override
    @SuppressWarnings("unchecked")
    public S apply(S state, StoredEvent event) {
        for (Step<S> step : steps.getOrDefault(event.kind().value(), List.of())) {
            if (step.source().isInstance(state)) {
                // The builder typed the step as A -> B with A, B subtypes of S, and A was just checked.
                Object next = step.apply().apply(state, event);
                if (!step.target().isInstance(next)) {
                    throw new StoreException(ErrorCode.INVALID_REQUEST, "step for " + event.kind() + " returned "
                            + (next == null ? "null" : next.getClass().getSimpleName()) + ", not "
                            + step.target().getSimpleName());
                }
                return (S) next;
            }
        }
        throw new StoreException(ErrorCode.INVALID_TRANSITION, "machine " + name + ": event " + event.kind()
                + " at sequence " + event.sequence() + " of " + event.entity() + " has no edge from state "
                + state.getClass().getSimpleName());
    }

    /** Collects the edges of a {@link StateMachineProjection}. Not thread-safe; use on one thread. */
    public static final class Builder<S> {
        private final String name;
        private final int version;
        private final S initial;
        private final Map<Integer, List<Step<S>>> steps = new HashMap<>();
        private final Set<EventKind> kinds = new LinkedHashSet<>();
        private StateCodec<S> codec;

        private Builder(String name, int version, S initial) {
            this.name = Objects.requireNonNull(name, "name");
            this.version = version;
            this.initial = Objects.requireNonNull(initial, "initial");
        }

        /** On an event of {@code edge}'s kind in a state of type {@code A}, the next state is {@code step(a, event)}. */
        @SuppressWarnings("unchecked")
        public <A extends S, B extends S> Builder<S> on(Edge<A, B> edge, BiFunction<? super A, StoredEvent, ? extends B> step) {
            List<Step<S>> forKind = steps.computeIfAbsent(edge.kind().value(), k -> new ArrayList<>());
            for (Step<S> s : forKind) {
                if (s.source().equals(edge.source())) {
                    throw new StoreException(ErrorCode.INVALID_REQUEST, "two edges of kind " + edge.kind()
                            + " start from " + edge.source().getSimpleName());
                }
            }
            forKind.add(new Step<>(edge.source(), edge.target(), (BiFunction<Object, StoredEvent, ?>) step));
            kinds.add(edge.kind());
            return this;
        }

        /** Enables persistent snapshots of this machine's states. */
        public Builder<S> codec(StateCodec<S> stateCodec) {
            this.codec = stateCodec;
            return this;
        }

        public StateMachineProjection<S> build() {
            if (kinds.isEmpty()) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "machine " + name + " has no edges");
            }
            for (Map.Entry<Integer, List<Step<S>>> e : steps.entrySet()) {
                e.setValue(List.copyOf(e.getValue()));
            }
            return new StateMachineProjection<>(this);
        }
    }
}
