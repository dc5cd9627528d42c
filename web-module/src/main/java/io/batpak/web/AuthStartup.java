package io.batpak.web;

import io.batpak.ee.BatpakSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * Settles authentication when the application starts: with {@code batpak.auth.mode=none} it logs a
 * warning (at every start, so an open server is never silent); with no verification key configured
 * it creates or reuses the key pair and admin token under {@code {data-dir}/auth/} and logs where
 * the token is. A broken mode value fails the start, and so does an external issuer configured
 * without {@code mp.jwt.verify.audiences} (unless {@code batpak.auth.allow-any-audience=true}).
 */
@ApplicationScoped
public class AuthStartup {
    private static final Logger LOG = System.getLogger(AuthStartup.class.getName());

    @Inject
    BatpakSettings settings;
    @Inject
    TokenVerifier verifier;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        if (!settings.authRequired()) {
            LOG.log(Level.WARNING, "batpak.auth.mode=none: authentication is OFF; every request to /api/v1 acts"
                    + " with all roles on every scope. Never run like this where the network is not trusted.");
            return;
        }
        verifier.configurationProblem().ifPresent(problem -> {
            throw new IllegalStateException("batpak auth: " + problem);
        });
        if (verifier.usesGeneratedKey()) {
            LocalIssuer.ensure(settings.dataDirectory(), settings.authIssuer(), settings.adminTokenDays());
            Path token = LocalIssuer.directory(settings.dataDirectory()).resolve(LocalIssuer.ADMIN_TOKEN);
            LOG.log(Level.INFO, "batpak auth: no mp.jwt.verify.publickey configured; tokens are verified with the"
                    + " generated key in {0}. Admin token (all roles, every scope): {1}",
                    LocalIssuer.directory(settings.dataDirectory()), token);
        } else {
            LOG.log(Level.INFO, "batpak auth: bearer tokens from issuer {0} verified with the configured MP JWT key",
                    verifier.acceptedIssuer());
        }
    }
}
