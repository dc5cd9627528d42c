package io.batpak.engine;

import java.nio.charset.StandardCharsets;

/**
 * One entity's place in the index: its name, id, and the global indexes of its events (the list
 * position is the event's per-entity sequence). {@code lastHash} is the hash chain head, read and
 * written only by the writer thread (and by recovery before the store opens).
 */
final class EntityState {
    final String name;
    final int id;
    final byte[] nameUtf8;
    final IntList events = new IntList(4);
    /** Writer-owned chain head; all zeros before the first event (the genesis convention). */
    final byte[] lastHash = new byte[32];

    EntityState(String name, int id) {
        this.name = name;
        this.id = id;
        this.nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
    }
}
