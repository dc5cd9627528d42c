package io.batpak.engine.upcast;

import io.batpak.engine.EventKind;
import io.batpak.engine.StoredEvent;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One step of a payload's schema evolution: turns the payload of an event of {@link #kind()} at
 * version {@link #fromVersion()} into the payload at {@code fromVersion() + 1}. Steps chain, so an
 * event at version 1 of a kind with steps from 1 and 2 is delivered at version 3.
 *
 * <p>Contract for implementations: a pure function of the event (it may read every field, e.g.
 * the timestamp to fill a new field); thread-safe, since reads on any thread call it; it returns a
 * new array (the one it is given is a copy it may keep). Throwing, or returning {@code null}, fails
 * the read with {@code upcast-failed}: the stored event is never changed and never delivered half
 * upcast. In Jakarta EE, an enabled CDI bean implementing this interface is installed on the
 * store when the application starts.
 */
public interface Upcaster {
    /** The kind whose payloads this step reads. */
    EventKind kind();

    /** The version it reads (1 or more); it produces {@code fromVersion() + 1}. */
    int fromVersion();

    /**
     * The payload at {@code fromVersion() + 1}, given {@code event} at {@link #fromVersion()}
     * ({@code event.payloadVersion() == fromVersion()}; its hashes are the stored ones).
     */
    byte[] upcast(StoredEvent event);

    /** A name for error messages and logs: the implementing class by default. */
    default String name() {
        return getClass().getName();
    }

    /** A step made of a function over the payload bytes alone. */
    static Upcaster of(EventKind kind, int fromVersion, UnaryOperator<byte[]> step) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(step, "step");
        return new Upcaster() {
            @Override
            public EventKind kind() {
                return kind;
            }

            @Override
            public int fromVersion() {
                return fromVersion;
            }

            @Override
            public byte[] upcast(StoredEvent event) {
                return step.apply(event.payload());
            }

            @Override
            public String name() {
                return "upcaster of kind " + kind + " from version " + fromVersion;
            }
        };
    }
}
