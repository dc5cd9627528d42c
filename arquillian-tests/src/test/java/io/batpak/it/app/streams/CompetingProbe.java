package io.batpak.it.app.streams;

import io.batpak.ee.BatpakStreamMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Three members of one group of stream {@code conn-compete}, each an incoming channel on the
 * {@code batpak} connector: {@code a} and {@code b} ack what they get; {@code silent} takes
 * deliveries and never acks them, so they time out and go to the others. Each delivery is recorded
 * as {@code member:payload}.
 */
@ApplicationScoped
public class CompetingProbe {
    private final List<String> seen = new ArrayList<>();

    @Incoming("compete-a")
    public CompletionStage<Void> a(Message<String> m) {
        record("a", m);
        return m.ack();
    }

    @Incoming("compete-b")
    public CompletionStage<Void> b(Message<String> m) {
        record("b", m);
        return m.ack();
    }

    @Incoming("compete-silent")
    public CompletionStage<Void> silent(Message<String> m) {
        record("silent", m);
        return CompletableFuture.completedFuture(null); // processed, never acked
    }

    private void record(String member, Message<String> m) {
        m.getMetadata(BatpakStreamMetadata.class).orElseThrow();
        synchronized (seen) {
            seen.add(member + ":" + m.getPayload());
        }
    }

    public List<String> seen() {
        synchronized (seen) {
            return new ArrayList<>(seen);
        }
    }
}
