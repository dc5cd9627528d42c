package io.batpak.web;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreException;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;

/**
 * The {@link Caller} a request's gates see and the {@link ScopeGrants} its reads and writes are held
 * to, from the JAX-RS security context {@link AuthFilter} set. A request without a token principal
 * (which the filter never lets through) is anonymous and reaches nothing. Stateless.
 */
final class Callers {
    private Callers() {
    }

    static Caller of(SecurityContext security) {
        TokenPrincipal p = principal(security);
        return p == null ? Caller.ANONYMOUS : p.caller();
    }

    static ScopeGrants grants(SecurityContext security) {
        TokenPrincipal p = principal(security);
        return p == null ? ScopeGrants.NONE : p.grants();
    }

    /**
     * Refuses the whole request with 403 {@code forbidden} unless the grants reach the scope of every
     * event in it, before anything is written.
     */
    static void checkWrites(SecurityContext security, List<AppendRequest> requests) {
        ScopeGrants g = grants(security);
        if (g.reachesAll()) {
            return;
        }
        for (int i = 0; i < requests.size(); i++) {
            String scope = requests.get(i).coordinate().scope();
            if (!g.reaches(scope)) {
                throw new StoreException(ErrorCode.FORBIDDEN, (requests.size() > 1 ? "events[" + i + "]: " : "")
                        + "scope '" + scope + "' is outside the token's grants; nothing was written");
            }
        }
    }

    private static TokenPrincipal principal(SecurityContext security) {
        return security != null && security.getUserPrincipal() instanceof TokenPrincipal t ? t : null;
    }
}
