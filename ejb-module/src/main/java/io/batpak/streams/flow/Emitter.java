package io.batpak.streams.flow;

import io.batpak.engine.EventKind;

/**
 * Collects the derived stream events of one step; they are published with the step's commit, or
 * not at all. Used by the shard's thread only.
 */
public interface Emitter {
    /** Emits an event to {@code stream} (which must exist) with the partitioning {@code key} (may be null). */
    void emit(String stream, String key, EventKind kind, byte[] payload);
}
