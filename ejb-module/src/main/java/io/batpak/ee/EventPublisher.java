package io.batpak.ee;

import io.batpak.engine.Region;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.Subscription;
import io.batpak.engine.util.Completions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * Fires one asynchronous CDI event ({@link CommittedEvent}, qualified with its kind and category) per
 * event committed while the application runs, after it is durable, in global order: each event's
 * observers complete before the next event is fired. A failing observer is logged and does not stop
 * delivery. Its loop reads a catch-up subscription on a managed long-running task, so a slow
 * observer never slows appends. Thread-safe.
 */
@ApplicationScoped
public class EventPublisher {
    private static final Logger LOG = System.getLogger(EventPublisher.class.getName());

    @Inject
    BatpakStore store;
    @Inject
    Event<CommittedEvent> events;
    @Inject
    CommittedEventObservers observers;

    private volatile Subscription subscription;

    /** Starts delivering events committed from now on; called once at application start. */
    synchronized void start() {
        if (subscription != null) {
            return;
        }
        if (observers.count() == 0) {
            LOG.log(Level.INFO, "no observer of CommittedEvent: CDI event publishing is off");
            return;
        }
        Subscription s = store.engine().subscribeLive(Region.all(), store.settings().subscriberBuffer());
        subscription = s;
        store.runLongTask(() -> deliver(s));
    }

    private void deliver(Subscription s) {
        try {
            while (!s.isClosed()) {
                List<StoredEvent> batch = s.poll(256, Duration.ofSeconds(1));
                for (StoredEvent e : batch) {
                    fire(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!s.isClosed()) {
                LOG.log(Level.ERROR, "CDI event delivery stopped", e);
            }
        }
    }

    private void fire(StoredEvent e) {
        int kind = e.kind().value();
        try {
            events.select(new EventKindFilter.Literal(kind), new EventCategoryFilter.Literal(kind >>> 12))
                    .fireAsync(new CommittedEvent(e)).toCompletableFuture().join();
        } catch (CompletionException ex) {
            LOG.log(Level.WARNING, "an observer of event " + e.globalSequence() + " failed", Completions.unwrap(ex));
        }
    }

    @PreDestroy
    void stop() {
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
    }
}
