package io.batpak.ee;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessObserverMethod;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the application's observer methods of {@link CommittedEvent} while the container deploys
 * it. With none, {@link EventPublisher} does not run at all: reading every event back and firing it
 * to nobody took a fifth of the server's CPU under load.
 */
public class CommittedEventObservers implements Extension {
    private final AtomicInteger observers = new AtomicInteger();

    void count(@Observes ProcessObserverMethod<CommittedEvent, ?> observer) {
        observers.incrementAndGet();
    }

    /** How many observer methods of {@link CommittedEvent} the application has. */
    public int count() {
        return observers.get();
    }
}
