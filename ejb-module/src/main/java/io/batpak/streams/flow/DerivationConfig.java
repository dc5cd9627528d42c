package io.batpak.streams.flow;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

/**
 * How a {@link DerivationRunner} works: {@code batchSize} source events read at most per shard and
 * step, {@code maxKeysPerShard} keys with state a shard may hold (its memory budget; a step that
 * would exceed it fails and commits nothing), and {@code idleWaitMs} how long an idle loop waits for
 * a publish before it looks again. Immutable.
 */
public record DerivationConfig(int batchSize, int maxKeysPerShard, long idleWaitMs) {
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
    }

    /** 256 events a step, 100 000 keys a shard, 200 ms idle wait. */
    public static DerivationConfig defaults() {
        return new DerivationConfig(256, 100_000, 200);
    }

    public DerivationConfig withBatchSize(int n) {
        return new DerivationConfig(n, maxKeysPerShard, idleWaitMs);
    }

    public DerivationConfig withMaxKeysPerShard(int n) {
        return new DerivationConfig(batchSize, n, idleWaitMs);
    }

    public DerivationConfig withIdleWaitMs(long ms) {
        return new DerivationConfig(batchSize, maxKeysPerShard, ms);
    }
}
