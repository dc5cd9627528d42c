package io.batpak.streams.flow;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

/**
 * How a {@link DerivationRunner} works: {@code batchSize} source events read at most per shard and
 * step, {@code maxKeysPerShard} keys with state a shard may hold (its memory budget; a step that
 * would exceed it fails and commits nothing), {@code idleWaitMs} how long an idle loop waits for
 * a publish before it looks again, and {@code snapshotEveryRecords}: a shard writes a snapshot of
 * its state after a step once that many of its records were committed since its last one, so a
 * rebuild reads the snapshot plus at most about that many records (0: never write nor read
 * snapshots; every rebuild replays the shard's whole log). Immutable.
 */
public record DerivationConfig(int batchSize, int maxKeysPerShard, long idleWaitMs, long snapshotEveryRecords) {
    /** Default {@link #snapshotEveryRecords()}. */
    public static final long DEFAULT_SNAPSHOT_EVERY_RECORDS = 20_000;

    public DerivationConfig {
        if (batchSize < 1 || batchSize > 10_000) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "batchSize must be within 1..10000, was " + batchSize);
        }
        if (maxKeysPerShard < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "maxKeysPerShard must be at least 1, was " + maxKeysPerShard);
        }
        if (idleWaitMs < 1) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "idleWaitMs must be at least 1, was " + idleWaitMs);
        }
        if (snapshotEveryRecords < 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "snapshotEveryRecords must be 0 (never) or more, was "
                    + snapshotEveryRecords);
        }
    }

    /** The default snapshot cadence ({@link #DEFAULT_SNAPSHOT_EVERY_RECORDS}). */
    public DerivationConfig(int batchSize, int maxKeysPerShard, long idleWaitMs) {
        this(batchSize, maxKeysPerShard, idleWaitMs, DEFAULT_SNAPSHOT_EVERY_RECORDS);
    }

    /**
     * 2048 events a step, 100 000 keys a shard, 200 ms idle wait, a snapshot every 20 000 records.
     * The step size is what the 4-shard benchmark (docs/BENCHMARKS.md, "Derivations") needed to
     * come near the plain durable publish rate: each step is one commit and one fsync round, and
     * keys changed many times in a step are written once; 256 reached about 0.4 of it.
     */
    public static DerivationConfig defaults() {
        return new DerivationConfig(2048, 100_000, 200, DEFAULT_SNAPSHOT_EVERY_RECORDS);
    }

    public DerivationConfig withBatchSize(int n) {
        return new DerivationConfig(n, maxKeysPerShard, idleWaitMs, snapshotEveryRecords);
    }

    public DerivationConfig withMaxKeysPerShard(int n) {
        return new DerivationConfig(batchSize, n, idleWaitMs, snapshotEveryRecords);
    }

    public DerivationConfig withIdleWaitMs(long ms) {
        return new DerivationConfig(batchSize, maxKeysPerShard, ms, snapshotEveryRecords);
    }

    public DerivationConfig withSnapshotEveryRecords(long n) {
        return new DerivationConfig(batchSize, maxKeysPerShard, idleWaitMs, n);
    }
}
