package io.batpak.ee;

import io.batpak.streams.flow.DerivationRunner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * MicroProfile Metrics of each derivation, tagged {@code derivation=<name>} and read when scraped:
 * {@code batpak_derivation_lag} (source events not yet read by every shard, as
 * {@link DerivationStatus}; NaN if it cannot be read) and {@code batpak_derivation_commits_total}
 * (steps committed since the application started; its rate is commits per second). Registered by
 * {@link BatpakDerivations} when it starts a derivation. Thread-safe (the registry is).
 */
@ApplicationScoped
public class DerivationMetrics {
    private static final Logger LOG = System.getLogger(DerivationMetrics.class.getName());
    @Inject
    BatpakStreams streams;
    @Inject
    MetricRegistry registry;

    void register(DerivationRunner runner) {
        Tag tag = new Tag("derivation", runner.name());
        registry.gauge(Metadata.builder().withName("batpak_derivation_lag")
                .withDescription("Source events a derivation has not applied yet").build(), runner, this::lag, tag);
        registry.gauge(Metadata.builder().withName("batpak_derivation_commits_total")
                .withDescription("Steps a derivation committed since the application started").build(), runner,
                r -> (double) r.commits(), tag);
    }

    private double lag(DerivationRunner runner) {
        try {
            long lag = DerivationStatus.of(runner, streams.get()).lag();
            return lag < 0 ? Double.NaN : lag;
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "the lag of derivation " + runner.name() + " cannot be read", e);
            return Double.NaN;
        }
    }
}
