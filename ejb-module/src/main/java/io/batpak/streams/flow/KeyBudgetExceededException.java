package io.batpak.streams.flow;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

/**
 * A step would leave its shard holding more keys than {@link DerivationConfig#maxKeysPerShard()};
 * the step committed nothing and the shard stays where it was. Code {@code INVALID_REQUEST}: it
 * fails again until the budget is raised, the derivation deletes state, or more shards share the keys.
 */
public final class KeyBudgetExceededException extends StoreException {
    public KeyBudgetExceededException(String message) {
        super(ErrorCode.INVALID_REQUEST, message);
    }
}
