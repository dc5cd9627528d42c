package io.batpak.web;

import io.batpak.ee.BatpakSettings;
import jakarta.annotation.Priority;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.Provider;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.security.Principal;
import java.util.Set;

/**
 * Authenticates and authorises every {@code /api/v1} request before its resource method runs. The
 * method's {@link RolesAllowed} (or its class's) names the roles that may call it; a method with
 * neither {@code RolesAllowed} nor {@link PermitAll} needs {@code admin}, so an endpoint nobody
 * annotated is closed rather than open. Refusals are problems: 401 {@code unauthenticated} with
 * {@code WWW-Authenticate: Bearer} (no token, malformed, expired, bad signature, an algorithm or
 * {@code crit} header not accepted, other issuer or audience), 503 {@code unavailable} when the
 * verification keys cannot be loaded, 403 {@code forbidden} (a valid token without the role). With
 * {@code batpak.auth.mode=none} every request acts as {@link TokenPrincipal#unrestricted()}.
 * Health, metrics and OpenAPI are served outside this application and stay open. Thread-safe.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class AuthFilter implements ContainerRequestFilter {
    private static final Logger LOG = System.getLogger(AuthFilter.class.getName());
    private static final String BEARER = "Bearer ";

    @Context
    ResourceInfo resource;
    @Inject
    BatpakSettings settings;
    @Inject
    TokenVerifier verifier;

    @Override
    public void filter(ContainerRequestContext request) {
        boolean secure = request.getSecurityContext() != null && request.getSecurityContext().isSecure();
        if (!settings.authRequired()) {
            request.setSecurityContext(new TokenSecurity(TokenPrincipal.unrestricted(), secure));
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            request.abortWith(unauthenticated("a bearer token is required (Authorization: Bearer <token>)", false));
            return;
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            request.abortWith(unauthenticated("the Authorization header must use the Bearer scheme", true));
            return;
        }
        TokenPrincipal principal;
        try {
            principal = verifier.verify(header.substring(BEARER.length()).trim());
        } catch (TokenRejected e) {
            request.abortWith(unauthenticated(e.getMessage(), true));
            return;
        } catch (RuntimeException e) {
            // KeysUnavailable or a configuration problem: the server's trouble, logged with its cause; the
            // client learns no location or exception text.
            LOG.log(Level.ERROR, "cannot load the token verification keys", e);
            request.abortWith(Problem.of(503, "unavailable", "Unavailable",
                    "the token verification keys cannot be loaded").retryAfter(5).response());
            return;
        }
        Set<String> needed = neededRoles();
        if (needed.stream().noneMatch(principal.roles()::contains)) {
            request.abortWith(Problem.of(403, "forbidden", "Forbidden",
                    "this operation needs one of the roles " + needed + "; the token has " + principal.roles())
                    .response());
            return;
        }
        request.setSecurityContext(new TokenSecurity(principal, secure));
    }

    /** The roles of which the caller needs one; empty for {@link PermitAll}. */
    private Set<String> neededRoles() {
        Method m = resource.getResourceMethod();
        Class<?> c = resource.getResourceClass();
        RolesAllowed r = m == null ? null : m.getAnnotation(RolesAllowed.class);
        if (r == null && m != null && m.isAnnotationPresent(PermitAll.class)) {
            return Set.of(TokenPrincipal.READER, TokenPrincipal.WRITER, TokenPrincipal.ADMIN);
        }
        if (r == null && c != null) {
            r = c.getAnnotation(RolesAllowed.class);
        }
        return r == null ? Set.of(TokenPrincipal.ADMIN) : Set.of(r.value());
    }

    private static jakarta.ws.rs.core.Response unauthenticated(String detail, boolean tokenGiven) {
        jakarta.ws.rs.core.Response p = Problem.of(401, "unauthenticated", "Unauthenticated", detail).response();
        String challenge = tokenGiven ? "Bearer realm=\"batpak\", error=\"invalid_token\"" : "Bearer realm=\"batpak\"";
        return jakarta.ws.rs.core.Response.fromResponse(p).header(HttpHeaders.WWW_AUTHENTICATE, challenge).build();
    }

    /** The request's security as JAX-RS sees it: the token's principal and roles. */
    private record TokenSecurity(TokenPrincipal principal, boolean secure) implements SecurityContext {
        @Override
        public Principal getUserPrincipal() {
            return principal;
        }

        @Override
        public boolean isUserInRole(String role) {
            return principal.roles().contains(role);
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public String getAuthenticationScheme() {
            return "Bearer";
        }
    }
}
