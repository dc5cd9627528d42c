package io.batpak.ee;

import io.batpak.streams.pipeline.Pipelines;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The application's {@link Pipelines} on {@link BatpakStreams}: writes go through the same gates
 * as stream writes. Built on first use, once the store is open; closed (waking every long-poll)
 * when the application stops. Thread-safe.
 */
@ApplicationScoped
public class BatpakPipelines {
    @Inject
    BatpakStore store;
    @Inject
    BatpakStreams streams;

    private volatile Pipelines pipelines;

    /** The pipelines; {@code UNAVAILABLE} while the store is not open. */
    public Pipelines get() {
        Pipelines p = pipelines;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (pipelines == null) {
                pipelines = new Pipelines(store.engine(), streams.get());
            }
            return pipelines;
        }
    }

    @PreDestroy
    synchronized void close() {
        if (pipelines != null) {
            pipelines.close();
        }
    }
}
