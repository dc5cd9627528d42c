package io.batpak.engine;

import java.util.Set;

/**
 * Who asks, as far as gates and queries are concerned: a name, the caller's roles, and its grants —
 * glob patterns over scope and stream names (see {@link ScopeGrants}) that bound what it may read
 * and write. The engine attaches no meaning to roles; gates and the API layer do. Immutable.
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

    /** Whether {@code grant} is one of the caller's grant patterns, compared literally. */
    public boolean hasGrant(String grant) {
        return grants.contains(grant);
    }

    /** The caller's grants as compiled patterns; compile once per request and reuse. */
    public ScopeGrants scopeGrants() {
        return ScopeGrants.of(grants);
    }

    /** Whether the caller's grants reach {@code name} (a scope or stream name). */
    public boolean reaches(String name) {
        return scopeGrants().reaches(name);
    }
}
