package io.batpak.it.app.streams;

import io.batpak.ee.BatpakStreamMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A consumer of the {@code streams-in} channel (connector {@code batpak}, see the test WAR's
 * microprofile-config.properties). It records every delivery as {@code payload@partition/offset};
 * a payload holding {@code nack-once} is nacked the first time it arrives and acked when redelivered.
 */
@ApplicationScoped
public class StreamProbe {
    private final List<String> deliveries = new ArrayList<>();

    @Incoming("streams-in")
    public CompletionStage<Void> consume(Message<String> m) {
        BatpakStreamMetadata meta = m.getMetadata(BatpakStreamMetadata.class).orElseThrow();
        boolean first;
        synchronized (deliveries) {
            first = deliveries.stream().noneMatch(d -> d.startsWith(m.getPayload() + "@"));
            deliveries.add(m.getPayload() + "@" + meta.partition() + "/" + meta.offset());
        }
        if (first && m.getPayload().contains("nack-once")) {
            return m.nack(new IllegalStateException("nacked once on purpose"));
        }
        return m.ack();
    }

    public List<String> deliveries() {
        synchronized (deliveries) {
            return new ArrayList<>(deliveries);
        }
    }
}
