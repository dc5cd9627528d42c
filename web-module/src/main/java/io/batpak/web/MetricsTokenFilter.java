package io.batpak.web;

import io.batpak.ee.BatpakSettings;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * With {@code batpak.metrics.require-token=true}, {@code /metrics} answers only a bearer token that
 * {@link TokenVerifier} accepts, whose roles include {@code reader} (or {@code admin}) and whose
 * grants reach every scope ({@code *}): the figures are store-wide, like the whole-log figures
 * {@code /stats} shows only to such callers. Otherwise 401 or 403 problem+json, as on {@code /api/v1}.
 *
 * <p>Why a servlet filter: {@code /metrics} is served by Payara itself, not by JAX-RS, so
 * {@link AuthFilter} never sees it. Payara adds its metrics servlet to the web module at the root
 * context, and this WAR is deployed at {@code /}, so a filter of this WAR runs before it. Where
 * the WAR is deployed under another context root (the EAR on Payara Server or WildFly), the server's
 * {@code /metrics} is outside it; secure it with the server's own settings there. Off by default, so
 * scrapers keep working. Stateless, thread-safe.
 */
@WebFilter(urlPatterns = {"/metrics", "/metrics/*"})
public class MetricsTokenFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = System.getLogger(MetricsTokenFilter.class.getName());
    private static final String BEARER = "Bearer ";

    @Inject
    TokenVerifier verifier;
    @Inject
    BatpakSettings settings;
    @Inject
    @ConfigProperty(name = "batpak.metrics.require-token", defaultValue = "false")
    boolean requireToken;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!requireToken || !settings.authRequired()) {
            chain.doFilter(request, response);
            return;
        }
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            refuse(response, 401, "unauthenticated", "Unauthenticated",
                    "/metrics needs a bearer token (batpak.metrics.require-token=true)", header != null);
            return;
        }
        TokenPrincipal p;
        try {
            p = verifier.verify(header.substring(BEARER.length()).trim());
        } catch (TokenRejected e) {
            refuse(response, 401, "unauthenticated", "Unauthenticated", e.getMessage(), true);
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "cannot load the token verification keys", e);
            refuse(response, 503, "unavailable", "Unavailable", "the token verification keys cannot be loaded", false);
            return;
        }
        if (!p.roles().contains(TokenPrincipal.READER) || !p.grants().reachesAll()) {
            refuse(response, 403, "forbidden", "Forbidden",
                    "/metrics needs the reader role and grants on every scope (batpak_scopes [\"*\"])", false);
            return;
        }
        chain.doFilter(request, response);
    }

    private static void refuse(HttpServletResponse response, int status, String code, String title, String detail,
                               boolean tokenGiven) throws IOException {
        response.setStatus(status);
        response.setContentType(Problem.MEDIA_TYPE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        if (status == 401) {
            response.setHeader("WWW-Authenticate",
                    tokenGiven ? "Bearer realm=\"batpak\", error=\"invalid_token\"" : "Bearer realm=\"batpak\"");
        }
        if (status == 503) {
            response.setHeader("Retry-After", "5");
        }
        response.getWriter().write(Problem.of(status, code, title, detail).json());
    }
}
