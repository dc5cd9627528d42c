package io.batpak.ee;

import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreStats;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.DoubleSupplier;
import java.util.function.ToDoubleFunction;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;

/**
 * MicroProfile Metrics of the store, read from its statistics when scraped: events appended (a
 * rate is its derivative), fsyncs and their mean and max latency, writer queue depth, open
 * subscriptions. Registered once at startup. A figure that cannot be read (the store is closed or
 * failed) is NaN, so a scrape never turns into an error answer whose text could name data files;
 * the cause is in the server log.
 */
@ApplicationScoped
public class StoreMetrics {
    private static final Logger LOG = System.getLogger(StoreMetrics.class.getName());
    @Inject
    BatpakStore store;
    @Inject
    MetricRegistry registry;

    private volatile boolean registered;

    synchronized void register() {
        if (registered) {
            return;
        }
        gauge("batpak_events_total", "Events committed since the store was created", s -> s.globalSequence());
        gauge("batpak_group_commits_total", "Group commits since the store was opened", s -> s.groupCommits());
        gauge("batpak_fsyncs_total", "fsyncs since the store was opened", s -> s.fsyncs());
        gauge("batpak_fsync_mean_seconds", "Mean fsync latency", s -> s.fsyncs() == 0 ? 0
                : s.fsyncNanosTotal() / (double) s.fsyncs() / 1e9);
        gauge("batpak_fsync_max_seconds", "Longest fsync", s -> s.fsyncNanosMax() / 1e9);
        gauge("batpak_writer_queue_depth", "Appends waiting for the writer thread", s -> s.writerQueueDepth());
        gauge("batpak_segments", "Segment files", s -> s.segments());
        gauge("batpak_bytes", "Bytes in segment files", s -> s.bytes());
        registry.gauge(Metadata.builder().withName("batpak_subscriptions").withDescription("Open subscriptions").build(),
                store, b -> safely(() -> b.engine().subscriptionCount()));
        registered = true;
    }

    private void gauge(String name, String description, ToDoubleFunction<StoreStats> value) {
        registry.gauge(Metadata.builder().withName(name).withDescription(description).build(), store,
                b -> safely(() -> value.applyAsDouble(b.engine().stats(ScopeGrants.ALL))));
    }

    private static double safely(DoubleSupplier figure) {
        try {
            return figure.getAsDouble();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "a metric cannot be read", e);
            return Double.NaN;
        }
    }
}
