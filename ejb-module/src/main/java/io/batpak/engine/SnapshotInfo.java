package io.batpak.engine;

import java.nio.file.Path;

/**
 * What {@link EventStore#snapshot(Path)} copied: the target directory, the global sequence of the
 * last event in the copy (the copy holds exactly events 1..globalSequence), and the number of
 * segment files and bytes written. Immutable.
 */
public record SnapshotInfo(Path directory, long globalSequence, int segments, long bytes) {
}
