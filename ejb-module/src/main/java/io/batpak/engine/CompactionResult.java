package io.batpak.engine;

/**
 * What {@link EventStore#compact()} did: how many runs of adjacent small sealed segments it merged,
 * how many segment files it removed by that, and how many bytes (repeated segment headers) it
 * reclaimed. All zero when nothing qualified. Immutable.
 */
public record CompactionResult(int runsMerged, int segmentsRemoved, long bytesReclaimed) {
    public static final CompactionResult NOTHING = new CompactionResult(0, 0, 0);
}
