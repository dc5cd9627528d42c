package io.batpak.ee;

import io.batpak.streams.Streams;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The application's {@link Streams}: partitioned streams, consumer groups and transactions on the
 * one store, writing through the application's gates (a denial fails the publish, ack or commit with
 * {@link DeniedException}); long polls wait on {@link LongPollWaits}, holding no thread. Built on
 * first use, once the store is open; closed (ending every
 * long-poll) when the application stops. Thread-safe.
 */
@ApplicationScoped
public class BatpakStreams {
    @Inject
    BatpakStore store;
    @Inject
    StreamSettings settings;
    @Inject
    LongPollWaits waits;

    private volatile Streams streams;

    /** The streams; {@code UNAVAILABLE} while the store is not open. */
    public Streams get() {
        Streams s = streams;
        if (s != null) {
            return s;
        }
        synchronized (this) {
            if (streams == null) {
                streams = new Streams(store.engine(), settings.streamsConfig(),
                        (batch, caller) -> store.appendBookkeeping(batch, caller), waits.get());
            }
            return streams;
        }
    }

    @PreDestroy
    synchronized void close() {
        if (streams != null) {
            streams.close();
        }
    }
}
