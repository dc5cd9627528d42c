package io.batpak.engine.projection;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;

import java.util.Objects;

/**
 * One allowed move of a state machine, from state type {@code A} to state type {@code B}, recorded
 * in the log as an event of {@link #kind()}. Declaring the edges is declaring the machine: a
 * {@link Transition} exists only through {@link #from(Object, byte[])}, which takes an {@code A}, so
 * asking for a move the current state does not have is a compile error, e.g. with
 * {@code Edge<Draft, Published> PUBLISH}, {@code PUBLISH.from(archived, payload)} does not compile
 * when {@code archived} is an {@code Archived}. The same kind drives replay in
 * {@link StateMachineProjection}. Immutable, thread-safe.
 *
 * @param <A> the state the move starts from
 * @param <B> the state it leads to
 */
public final class Edge<A, B> {
    private final Class<A> source;
    private final Class<B> target;
    private final EventKind kind;

    private Edge(Class<A> source, Class<B> target, EventKind kind) {
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        this.kind = Objects.requireNonNull(kind, "kind");
        if (kind.isReserved()) {
            throw new StoreException(ErrorCode.RESERVED_KIND, "edge " + source.getSimpleName() + " -> "
                    + target.getSimpleName() + " uses reserved kind " + kind);
        }
    }

    /** Declares the move {@code source -> target}, logged as {@code kind}. */
    public static <A, B> Edge<A, B> of(Class<A> source, Class<B> target, EventKind kind) {
        return new Edge<>(source, target, kind);
    }

    /** The move applied to {@code state}, carrying {@code payload} (copied). */
    public Transition<A, B> from(A state, byte[] payload) {
        // Guards against raw or unchecked calls that slip another type past the compiler.
        if (!source.isInstance(state)) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "edge " + this + " starts from "
                    + source.getSimpleName() + ", not from " + (state == null ? "null" : state.getClass().getSimpleName()));
        }
        return new Transition<>(this, payload, null);
    }

    public Class<A> source() {
        return source;
    }

    public Class<B> target() {
        return target;
    }

    public EventKind kind() {
        return kind;
    }

    @Override
    public String toString() {
        return source.getSimpleName() + " -" + kind + "-> " + target.getSimpleName();
    }
}
