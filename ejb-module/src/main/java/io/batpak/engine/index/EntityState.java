package io.batpak.engine.index;

import io.batpak.engine.Coordinate;

import java.nio.charset.StandardCharsets;

/**
 * One entity's place in the index: its coordinate (an entity name within one scope: the same name
 * in two scopes is two entities), id, and the global indexes of its events (the list position is
 * the event's per-entity sequence). {@code lastHash} is the hash chain head, read and written only
 * by the writer thread (and by recovery before the store opens).
 */
public final class EntityState {
    public final Coordinate coordinate;
    /** The entity name alone ({@code coordinate.entity()}), kept for prefix matches. */
    final String name;
    final int id;
    /** The scope this entity lives in. */
    public final ScopeState scope;
    public final byte[] nameUtf8;
    public final IntList events = new IntList(4);
    /** Writer-owned chain head; all zeros before the first event (the genesis convention). */
    public final byte[] lastHash = new byte[32];
    /** Sequences below this are truncated ({@link Retention#truncate}); raised by the facade, read by anyone. */
    volatile int truncatedBefore;
    /** Whether scope rules skip this entity: 0 not known yet, 1 exempt, 2 not (a benign race: any thread may fill it). */
    byte ruleExempt;

    EntityState(Coordinate coordinate, int id, ScopeState scope) {
        this.coordinate = coordinate;
        this.scope = scope;
        this.name = coordinate.entity();
        this.id = id;
        this.nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
    }

    /** The key that sorts an entity's coordinates by name, then scope ({@code '\0'} never occurs in either). */
    static String sortKey(Coordinate c) {
        return c.entity() + '\0' + c.scope();
    }
}
