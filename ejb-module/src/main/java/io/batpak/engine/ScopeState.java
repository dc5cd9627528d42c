package io.batpak.engine;

import java.nio.charset.StandardCharsets;

/** One scope's place in the index: its name, id, and the global indexes of its events. */
final class ScopeState {
    final String name;
    final int id;
    final byte[] nameUtf8;
    final IntList events = new IntList(16);

    ScopeState(String name, int id) {
        this.name = name;
        this.id = id;
        this.nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
    }
}
