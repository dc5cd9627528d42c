package io.batpak.it.app;

import io.batpak.ee.CommittedEvent;
import io.batpak.ee.EventKindFilter;
import io.batpak.ee.EventMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Test beans deployed with the WAR: a CDI observer of every committed event, one that observes only
 * kind 0xF00A, and a Reactive Messaging consumer of {@code batpak-events}; each records the global
 * sequences it saw, in the order it saw them.
 */
@ApplicationScoped
public class Probes {
    private final List<Long> cdi = new ArrayList<>();
    private final List<Long> cdiKindA = new ArrayList<>();
    private final List<Long> messaging = new ArrayList<>();
    private final List<String> messagingEntities = new ArrayList<>();

    void all(@ObservesAsync CommittedEvent e) {
        synchronized (cdi) {
            cdi.add(e.globalSequence());
        }
    }

    void kindA(@ObservesAsync @EventKindFilter(0xF00A) CommittedEvent e) {
        synchronized (cdiKindA) {
            cdiKindA.add(e.globalSequence());
        }
    }

    @Incoming("batpak-events")
    public java.util.concurrent.CompletionStage<Void> consume(Message<String> m) {
        EventMetadata meta = m.getMetadata(EventMetadata.class).orElseThrow();
        synchronized (messaging) {
            messaging.add(meta.globalSequence());
            messagingEntities.add(meta.entity());
        }
        return m.ack();
    }

    public List<Long> cdi() {
        synchronized (cdi) {
            return new ArrayList<>(cdi);
        }
    }

    public List<Long> cdiKindA() {
        synchronized (cdiKindA) {
            return new ArrayList<>(cdiKindA);
        }
    }

    public List<Long> messaging() {
        synchronized (messaging) {
            return new ArrayList<>(messaging);
        }
    }
}
