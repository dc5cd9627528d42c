package io.batpak.ee;

import io.batpak.streams.flow.DerivationConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The derivations' knobs from MicroProfile Config ({@code batpak.derivations.*}, documented in
 * {@code config/README.md}); every derivation of the application runs with them. Immutable after
 * injection; thread-safe.
 */
@ApplicationScoped
public class DerivationSettings {
    @Inject
    @ConfigProperty(name = "batpak.derivations.batch-size", defaultValue = "2048")
    int batchSize;
    @Inject
    @ConfigProperty(name = "batpak.derivations.max-keys-per-shard", defaultValue = "100000")
    int maxKeysPerShard;
    @Inject
    @ConfigProperty(name = "batpak.derivations.idle-wait-ms", defaultValue = "200")
    long idleWaitMs;
    @Inject
    @ConfigProperty(name = "batpak.derivations.snapshot-every-records", defaultValue = "20000")
    long snapshotEveryRecords;

    /** The engine-side configuration these settings describe (INVALID_REQUEST if one is out of range). */
    public DerivationConfig derivationConfig() {
        return new DerivationConfig(batchSize, maxKeysPerShard, idleWaitMs, snapshotEveryRecords);
    }
}
