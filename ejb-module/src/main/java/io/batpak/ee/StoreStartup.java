package io.batpak.ee;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Opens the store when the application starts (not at the first request), so recovery runs at
 * deployment, readiness reflects a loaded index, and CDI events flow from the first commit.
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

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        store.open();
        publisher.start();
        channels.start();
        metrics.register();
    }
}
