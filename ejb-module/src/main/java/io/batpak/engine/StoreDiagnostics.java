package io.batpak.engine;

/**
 * A point-in-time health report of a store, for operators and metrics: what {@link StoreStats}
 * holds plus the writer queue's capacity, sealed segment count, fsync latency (mean, maximum and a
 * 99th percentile accurate to within 25%), and how many compactions and snapshots this store
 * instance ran, and the number of open subscriptions. Latencies are nanoseconds. Counters start at zero when the store opens. Immutable.
 */
public record StoreDiagnostics(long events, long entities, long scopes, int segments, int sealedSegments, long bytes,
                               long globalSequence, int writerQueueDepth, int writerQueueCapacity, long groupCommits,
                               long fsyncs, long fsyncMeanNanos, long fsyncMaxNanos, long fsyncP99Nanos,
                               long compactions, long segmentsCompacted, long snapshots, boolean writable,
                               int subscriptions) {
}
