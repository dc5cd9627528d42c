package io.batpak.web;

import io.batpak.ee.BatpakSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Set;

/**
 * Tells Jakarta Security who the bearer token's caller is, when the container asks. Authentication
 * and authorization stay {@link AuthFilter}'s (it runs first and answers every refusal as
 * problem+json); this exists for the one place where the container checks on its own: in an EAR,
 * Payara Server 6 installs its JAX-RS {@code @RolesAllowed} filter whatever {@code payara-web.xml}
 * says (it reads {@code jaxrs-roles-allowed-enabled} only for a WAR deployment), and that filter calls
 * {@code SecurityContext.authenticate} for every {@code @RolesAllowed} resource; without a mechanism
 * the container falls back to BASIC against its file realm and answers a bare 401.
 *
 * <p>It answers only explicit authentication requests, so a request the container does not ask
 * about (every request of the WAR on Payara Micro, where that filter is off) costs nothing and no
 * token is verified twice there. Thread-safe.
 */
@ApplicationScoped
public class ContainerCaller implements HttpAuthenticationMechanism {
    private static final String BEARER = "Bearer ";

    @Inject
    BatpakSettings settings;
    @Inject
    TokenVerifier verifier;

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response,
                                                HttpMessageContext context) {
        if (!context.isAuthenticationRequest()) {
            return context.doNothing();
        }
        if (!settings.authRequired()) {
            return context.notifyContainerAboutLogin("anonymous",
                    Set.of(TokenPrincipal.READER, TokenPrincipal.WRITER, TokenPrincipal.ADMIN));
        }
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return context.doNothing();
        }
        try {
            TokenPrincipal p = verifier.verify(header.substring(BEARER.length()).trim());
            return context.notifyContainerAboutLogin(p.getName(), p.roles());
        } catch (Exception rejected) {
            // AuthFilter has already refused such a token with a problem+json 401; nothing to add here
            return context.doNothing();
        }
    }
}
