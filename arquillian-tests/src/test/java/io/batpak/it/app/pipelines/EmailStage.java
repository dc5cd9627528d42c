package io.batpak.it.app.pipelines;

import io.batpak.ee.BatpakStageMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Serves stage {@code email} of pipeline {@code fulfil} through the {@code batpak} connector's stage
 * channel {@code email-stage}: sets the output on the message's metadata, then acks.
 */
@ApplicationScoped
public class EmailStage {
    @Incoming("email-stage")
    public CompletionStage<Void> email(Message<String> m) {
        BatpakStageMetadata meta = m.getMetadata(BatpakStageMetadata.class).orElseThrow();
        meta.output("{\"by\":\"channel\",\"order\":" + m.getPayload() + ",\"instance\":\"" + meta.instanceId() + "\"}");
        return m.ack();
    }
}
