package io.batpak.web;

import io.batpak.engine.Caller;
import io.batpak.engine.ScopeGrants;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.LinkedHashSet;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The principal of a request that presented a valid bearer token: its MicroProfile
 * {@link JsonWebToken} view (name from {@code upn}, {@code preferred_username} or {@code sub}), the
 * roles it holds (the {@code groups} claim; {@code admin} implies {@code reader} and
 * {@code writer}), and its scope grants compiled once (the {@code batpak_scopes} claim; absent
 * means no scope). With {@code batpak.auth.mode=none}, {@link #unrestricted()} stands for every
 * request. Immutable, thread-safe.
 */
public final class TokenPrincipal implements JsonWebToken {
    public static final String READER = "reader";
    public static final String WRITER = "writer";
    public static final String ADMIN = "admin";
    /** The claim holding the token's grants: a JSON array of glob patterns over scope and stream names. */
    public static final String SCOPES_CLAIM = "batpak_scopes";

    private static final TokenPrincipal UNRESTRICTED = new TokenPrincipal("anonymous", JsonValue.EMPTY_JSON_OBJECT,
            null, Set.of(READER, WRITER, ADMIN), ScopeGrants.ALL, Long.MAX_VALUE);

    private final String name;
    private final JsonObject claims;
    private final String rawToken;
    private final Set<String> roles;
    private final ScopeGrants grants;
    private final Caller caller;
    private final long expiresAtEpochSecond;

    private TokenPrincipal(String name, JsonObject claims, String rawToken, Set<String> roles, ScopeGrants grants,
                           long expiresAtEpochSecond) {
        this.name = name;
        this.claims = claims;
        this.rawToken = rawToken;
        this.roles = Set.copyOf(roles);
        this.grants = grants;
        this.caller = new Caller(name, this.roles, Set.copyOf(grants.globs()));
        this.expiresAtEpochSecond = expiresAtEpochSecond;
    }

    /** The principal of a verified token's claims. */
    static TokenPrincipal of(JsonObject claims, String rawToken) {
        String name = text(claims, "upn");
        if (name == null) {
            name = text(claims, "preferred_username");
        }
        if (name == null) {
            name = text(claims, "sub");
        }
        Set<String> roles = new LinkedHashSet<>(strings(claims.get("groups")));
        if (roles.contains(ADMIN)) {
            roles.add(READER);
            roles.add(WRITER);
        }
        JsonValue exp = claims.get("exp");
        return new TokenPrincipal(name == null ? "unnamed" : name, claims, rawToken, roles,
                ScopeGrants.of(strings(claims.get(SCOPES_CLAIM))),
                exp instanceof JsonNumber n ? n.longValue() : Long.MAX_VALUE);
    }

    /** The caller every request acts as when authentication is switched off: all roles, every scope. */
    public static TokenPrincipal unrestricted() {
        return UNRESTRICTED;
    }

    @Override
    public String getName() {
        return name;
    }

    /** The roles held, with those {@code admin} implies. */
    public Set<String> roles() {
        return roles;
    }

    /**
     * When the token stops being valid ({@code exp}, epoch seconds; {@link Long#MAX_VALUE} for
     * {@link #unrestricted()}): open SSE streams end then.
     */
    public long expiresAtEpochSecond() {
        return expiresAtEpochSecond;
    }

    /** The scope grants, compiled. */
    public ScopeGrants grants() {
        return grants;
    }

    /** The engine's view of this principal, for gates ({@code AppendContext.caller()}). */
    public Caller caller() {
        return caller;
    }

    @Override
    public Set<String> getClaimNames() {
        return claims.keySet();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getClaim(String claimName) {
        if ("raw_token".equals(claimName)) {
            return (T) rawToken;
        }
        JsonValue v = claims.get(claimName);
        if (v == null) {
            return null;
        }
        if ("groups".equals(claimName) || "aud".equals(claimName)) {
            return (T) strings(v);
        }
        return (T) switch (v.getValueType()) {
            case STRING -> ((JsonString) v).getString();
            case NUMBER -> ((JsonNumber) v).longValue();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            default -> v;
        };
    }

    private static String text(JsonObject claims, String name) {
        JsonValue v = claims.get(name);
        return v instanceof JsonString s && !s.getString().isBlank() ? s.getString() : null;
    }

    /** A claim that is a string array (or, leniently, one string of space-separated values). */
    static Set<String> strings(JsonValue v) {
        Set<String> out = new LinkedHashSet<>();
        if (v instanceof JsonArray a) {
            for (JsonValue item : a) {
                if (item instanceof JsonString s) {
                    out.add(s.getString());
                }
            }
        } else if (v instanceof JsonString s) {
            for (String part : s.getString().trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "TokenPrincipal[" + name + " roles=" + roles + " " + grants + "]";
    }
}
