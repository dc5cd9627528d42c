package io.batpak.streams.flow;

import java.nio.charset.StandardCharsets;

/**
 * The state of one shuffle key, as seen by {@link Derivation#apply}: what the key's committed
 * state holds, overlaid by the changes of the current step. Changes become durable with the step's
 * commit, or vanish if the step fails. Values are copied in and out. Used by the shard's thread only.
 */
public interface KeyedState {
    /** The key this state is scoped to. */
    String key();

    /** The value, or null if none. */
    byte[] get();

    /** Sets the value (not null). */
    void put(byte[] value);

    /** Removes the value. */
    void delete();

    /** The value as UTF-8 text, or null if none. */
    default String getString() {
        byte[] v = get();
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** Sets the value to {@code value} as UTF-8. */
    default void putString(String value) {
        put(value.getBytes(StandardCharsets.UTF_8));
    }
}
