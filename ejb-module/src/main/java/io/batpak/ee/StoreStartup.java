package io.batpak.ee;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Opens the store when the application starts (not at the first request), so recovery runs at
 * deployment, readiness reflects a loaded index, and CDI events flow from the first commit.
 *
 * <p>Two things may start it: the CDI event below (a WAR on Payara Micro, any module whose
 * application context starts) and the EJB {@link StoreLifecycle} (an EAR, where the EJB module
 * starts before any web module). {@link #start()} runs once, whichever comes first.
 */
@ApplicationScoped
public class StoreStartup {
    private static final Logger LOG = System.getLogger(StoreStartup.class.getName());
    @Inject
    BatpakStore store;
    @Inject
    EventPublisher publisher;
    /**
     * Unresolvable where the server has no MicroProfile Metrics (WildFly 35 replaced it with
     * Micrometer and ships no MP Metrics API): the container then skips {@link StoreMetrics}, whose
     * {@code MetricRegistry} type it cannot load, and the store runs without its gauges
     * ({@code /api/v1/stats} still has the figures).
     */
    @Inject
    Instance<StoreMetrics> metrics;
    /** Unresolvable where {@link MessagingChannelsSwitch} turned the channels off. */
    @Inject
    Instance<MessagingChannels> channels;
    @Inject
    io.batpak.ee.kafka.KafkaService kafka;

    private final AtomicBoolean started = new AtomicBoolean();

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        start();
    }

    /** Opens the store and starts its publishers; idempotent (an EAR fires the event once per module). */
    void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        store.open();
        publisher.start();
        if (channels.isResolvable()) {
            channels.get().start();
        }
        kafka.start();
        if (metrics.isResolvable()) {
            metrics.get().register();
        } else {
            LOG.log(Level.INFO, "no MicroProfile Metrics on this server: the store's gauges are not registered");
        }
    }
}
