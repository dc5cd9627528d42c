package io.batpak.engine;

import java.util.UUID;

/**
 * What the in-memory index knows of a committed event, answered without touching disk. Immutable.
 */
public record IndexEntry(UUID eventId, Coordinate coordinate, EventKind kind, long sequence, long globalSequence) {
}
