package io.batpak.ee.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The relay as a readiness detail ({@code batpak-kafka-relay}): state, position, lag and the type of
 * its last failure. Always up: a lagging or retrying relay does not stop the store from serving, and
 * the lag says how far Kafka is behind.
 */
@Readiness
@ApplicationScoped
public class RelayHealth implements HealthCheck {
    @Inject
    KafkaRelayService relay;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("batpak-kafka-relay").up();
        relay.status().ifPresentOrElse(s -> {
            b.withData("state", s.state()).withData("position", s.position()).withData("lag", s.lag());
            if (s.lastError() != null) {
                b.withData("lastError", s.lastError());
            }
        }, () -> b.withData("state", "disabled"));
        return b.build();
    }
}
