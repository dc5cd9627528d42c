package io.batpak.engine;

import java.util.Set;

/**
 * Who asks for an append, as far as gates are concerned: a name, the caller's roles and any
 * additional grants. The engine attaches no meaning to these; gates do. Immutable.
 */
public record Caller(String name, Set<String> roles, Set<String> grants) {
    /** A caller with no identity, roles or grants. */
    public static final Caller ANONYMOUS = new Caller("anonymous", Set.of(), Set.of());

    public Caller {
        if (name == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a caller needs a name");
        }
        roles = roles == null ? Set.of() : Set.copyOf(roles);
        grants = grants == null ? Set.of() : Set.copyOf(grants);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    public boolean hasGrant(String grant) {
        return grants.contains(grant);
    }
}
