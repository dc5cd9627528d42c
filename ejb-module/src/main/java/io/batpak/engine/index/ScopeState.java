package io.batpak.engine.index;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One scope's place in the index: its name, id, the global indexes of its events, and its entities
 * by name (an entity belongs to exactly one scope). Written by the writer thread (or recovery) only;
 * read by anyone.
 */
public final class ScopeState {
    public final String name;
    public final int id;
    public final byte[] nameUtf8;
    final IntList events = new IntList(16);
    final ConcurrentHashMap<String, EntityState> entities = new ConcurrentHashMap<>();
    /** The scope's retention rule, or null; set through {@link Retention#setRule}, read by anyone. */
    volatile io.batpak.engine.RetentionRule retention;
    /** The age cutoff {@link Retention} computed last for {@link #retention}; replaced whole. */
    volatile Retention.AgeCutoff ageCutoff = new Retention.AgeCutoff(Long.MIN_VALUE, 0);

    ScopeState(String name, int id) {
        this.name = name;
        this.id = id;
        this.nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
    }
}
