package io.batpak.engine;

/**
 * A point-in-time summary of the store: events, entities, segments and bytes on disk, the highest
 * committed global sequence, the writer queue depth, and fsync counters (count and total
 * nanoseconds, so a caller can derive the mean latency). Immutable.
 */
public record StoreStats(long events, long entities, long scopes, int segments, long bytes, long globalSequence,
                         int writerQueueDepth, long groupCommits, long fsyncs, long fsyncNanosTotal,
                         long fsyncNanosMax) {
}
