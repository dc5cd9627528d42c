package io.batpak.ee;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
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
    @Inject
    BatpakStore store;
    @Inject
    EventPublisher publisher;
    @Inject
    StoreMetrics metrics;
    @Inject
    MessagingChannels channels;

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
        channels.start();
        metrics.register();
    }
}
