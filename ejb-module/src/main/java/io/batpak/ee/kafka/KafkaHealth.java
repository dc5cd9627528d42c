package io.batpak.ee.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The Kafka relay and ingest as readiness details ({@code batpak-kafka}): the relay's state,
 * position, lag and last failure type; the ingest's counts of stored and skipped records. Always
 * up: a lagging or retrying relay does not stop the store from serving; the lag says how far
 * Kafka is behind.
 */
@Readiness
@ApplicationScoped
public class KafkaHealth implements HealthCheck {
    @Inject
    KafkaService kafka;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("batpak-kafka").up();
        kafka.relayStatus().ifPresentOrElse(s -> {
            b.withData("relayState", s.state()).withData("relayPosition", s.position()).withData("relayLag", s.lag());
            if (s.lastError() != null) {
                b.withData("relayLastError", s.lastError());
            }
        }, () -> b.withData("relayState", "disabled"));
        kafka.ingest().ifPresentOrElse(i -> b.withData("ingestState", "running").withData("ingested", i.ingested())
                .withData("ingestRejected", i.rejected()), () -> b.withData("ingestState", "disabled"));
        return b.build();
    }
}
