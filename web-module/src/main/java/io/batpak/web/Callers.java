package io.batpak.web;

import io.batpak.engine.Caller;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Set;

/** The {@link Caller} a request's gates see, from its JAX-RS security context. Stateless. */
final class Callers {
    private Callers() {
    }

    static Caller of(SecurityContext security) {
        Principal p = security == null ? null : security.getUserPrincipal();
        if (p == null) {
            return Caller.ANONYMOUS;
        }
        return new Caller(p.getName(), Set.of(), Set.of());
    }
}
