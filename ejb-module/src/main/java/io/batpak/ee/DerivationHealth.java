package io.batpak.ee;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness check {@code batpak-derivations}: DOWN while a derivation is {@code failed} (a shard's
 * latest step failed; its loop retries), with each derivation's state under its name. A derivation
 * {@code waiting} for a source stream that does not exist yet keeps it UP: the server must stay
 * reachable for the stream to be created. Like {@link StoreHealth}, a failure is named only by its
 * type; {@code GET /derivations} and the server log say more.
 */
@Readiness
@ApplicationScoped
public class DerivationHealth implements HealthCheck {
    private static final Logger LOG = System.getLogger(DerivationHealth.class.getName());
    @Inject
    BatpakStore store;
    @Inject
    BatpakDerivations derivations;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("batpak-derivations");
        if (!store.isOpen()) {
            return b.down().withData("state", "store not open").build();
        }
        try {
            boolean up = true;
            for (DerivationStatus s : derivations.statuses()) {
                String failure = s.failure().map(StoreHealth::describe).orElse("");
                b.withData(s.name(), failure.isEmpty() ? s.state() : s.state() + ": " + failure);
                up &= !s.state().equals(DerivationStatus.FAILED);
            }
            return b.status(up).build();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "derivations health check failed", e);
            return b.down().withData("error", StoreHealth.describe(e)).build();
        }
    }
}
