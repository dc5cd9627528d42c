package io.batpak.engine.projection;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;

import java.util.Objects;

/**
 * A move from a state of type {@code A} to one of type {@code B}, ready to append with
 * {@link EventStore#apply(Coordinate, Transition)}: its kind comes from the {@link Edge}, its
 * payload from the caller. Only {@link Edge#from(Object, byte[])} creates one, so holding a
 * {@code Transition<A, B>} proves an {@code A} was at hand. To also require that the entity is
 * still in that state when the event is appended, pass the sequence the state was projected at
 * to {@link #expectingSequence(long)}: a concurrent move then fails the append with
 * {@link ErrorCode#SEQUENCE_MISMATCH}. Immutable, thread-safe.
 *
 * @param <A> the state the move starts from
 * @param <B> the state it leads to
 */
public final class Transition<A, B> {
    private final Edge<A, B> edge;
    private final byte[] payload;
    private final Long expectedSequence;

    Transition(Edge<A, B> edge, byte[] payload, Long expectedSequence) {
        this.edge = edge;
        this.payload = Objects.requireNonNull(payload, "payload").clone();
        this.expectedSequence = expectedSequence;
    }

    /** The same move, appended only if the entity's last sequence is still {@code sequence} (-1: no events). */
    public Transition<A, B> expectingSequence(long sequence) {
        return new Transition<>(edge, payload, sequence);
    }

    public Edge<A, B> edge() {
        return edge;
    }

    public EventKind kind() {
        return edge.kind();
    }

    public byte[] payload() {
        return payload.clone();
    }

    /** The append this move becomes at {@code coordinate}. */
    public AppendRequest toRequest(Coordinate coordinate) {
        AppendOptions options = expectedSequence == null ? AppendOptions.NONE
                : AppendOptions.NONE.withExpectedSequence(expectedSequence);
        return new AppendRequest(coordinate, edge.kind(), payload, options);
    }

    @Override
    public String toString() {
        return "Transition[" + edge + ", " + payload.length + "B"
                + (expectedSequence == null ? "" : ", expecting " + expectedSequence) + "]";
    }
}
