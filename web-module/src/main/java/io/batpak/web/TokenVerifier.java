package io.batpak.web;

import io.batpak.ee.BatpakSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;

/**
 * Verifies bearer tokens with MicroProfile JWT's configuration keys: the key from
 * {@code mp.jwt.verify.publickey} (PEM or JWK/JWKS text) or {@code mp.jwt.verify.publickey.location}
 * (a file, classpath resource or http(s) URL such as a Keycloak JWKS endpoint; see {@link TokenKeys}
 * for caching and rotation), optionally {@code mp.jwt.verify.publickey.algorithm} (the one algorithm
 * accepted), the issuer from {@code mp.jwt.verify.issuer} (else {@code batpak.auth.issuer}),
 * {@code mp.jwt.verify.audiences}, and {@code mp.jwt.verify.clock.skew} seconds of tolerance on
 * {@code exp}/{@code nbf}. With neither key setting, the key pair generated under
 * {@code {data-dir}/auth/} ({@link LocalIssuer}) is used. Verified tokens are cached
 * ({@code batpak.auth.token-cache-size}, see {@link TokenCheck}).
 *
 * <p>With an external issuer (a configured key), {@code mp.jwt.verify.audiences} is required: any
 * token the issuer mints for any other client would otherwise get in. {@code
 * batpak.auth.allow-any-audience=true} opts out explicitly. {@link AuthStartup} fails the start
 * when neither is set; {@link #verify} refuses every token in that case too.
 *
 * <p>Why jose4j (org.bitbucket.b_c:jose4j) rather than Nimbus JOSE+JWT: jose4j verifies EdDSA with
 * the JDK's own Ed25519 (Java 15+), where Nimbus needs Google Tink (and with it protobuf and gson,
 * several MB in the WAR) for Ed25519; jose4j is one jar, it is the JOSE library under SmallRye JWT
 * (the MicroProfile JWT implementation of WildFly and Quarkus), so its rules match what MP JWT users
 * know, and it brings JWKS-over-HTTP caching ({@code HttpsJwks}) and {@code crit} handling.
 *
 * <p>Why not Payara's own MP-JWT mechanism ({@code @LoginConfig(authMethod = "MP-JWT")}): on Payara
 * 6.2025.10 its {@code JWTAuthenticationMechanism} answers a token that fails validation with
 * {@code responseUnauthorized()}, a bare servlet 401 before JAX-RS runs, with no problem body and
 * no reason, and it cannot express "admin implies reader and writer". Verifying here keeps the
 * standard configuration keys and the {@code JsonWebToken} principal, and every refusal is a
 * problem+json with the contract's codes. Thread-safe.
 */
@ApplicationScoped
public class TokenVerifier {
    /** The key that opts out of the audience requirement for an external issuer. */
    public static final String ALLOW_ANY_AUDIENCE = "batpak.auth.allow-any-audience";

    @Inject
    BatpakSettings settings;
    @Inject
    @ConfigProperty(name = "mp.jwt.verify.publickey")
    Optional<String> publicKey;
    @Inject
    @ConfigProperty(name = "mp.jwt.verify.publickey.location")
    Optional<String> publicKeyLocation;
    @Inject
    @ConfigProperty(name = "mp.jwt.verify.publickey.algorithm")
    Optional<String> publicKeyAlgorithm;
    @Inject
    @ConfigProperty(name = "mp.jwt.verify.issuer")
    Optional<String> issuer;
    @Inject
    @ConfigProperty(name = "mp.jwt.verify.audiences")
    Optional<String> audiences;
    @Inject
    @ConfigProperty(name = "mp.jwt.verify.clock.skew", defaultValue = "60")
    long clockSkewSeconds;
    @Inject
    @ConfigProperty(name = ALLOW_ANY_AUDIENCE, defaultValue = "false")
    boolean allowAnyAudience;
    @Inject
    @ConfigProperty(name = "batpak.auth.token-cache-size", defaultValue = "10000")
    long tokenCacheSize;

    private volatile TokenCheck check;

    /** Whether no key is configured, so the generated key pair under the data directory is used. */
    public boolean usesGeneratedKey() {
        return blank(publicKey) && blank(publicKeyLocation);
    }

    /** The issuer a token must name. */
    public String acceptedIssuer() {
        return blank(issuer) ? settings.authIssuer() : issuer.get().trim();
    }

    /** Seconds of tolerance on {@code exp} and {@code nbf}. */
    public long clockSkewSeconds() {
        return clockSkewSeconds;
    }

    /** Why this configuration cannot verify tokens safely, or empty when it can. */
    public Optional<String> configurationProblem() {
        if (!usesGeneratedKey() && audienceSet().isEmpty() && !allowAnyAudience) {
            return Optional.of("an external token issuer is configured (mp.jwt.verify.publickey[.location]) without"
                    + " mp.jwt.verify.audiences, so any token that issuer mints for any client would be accepted: set"
                    + " mp.jwt.verify.audiences to this server's audience, or " + ALLOW_ANY_AUDIENCE + "=true to accept"
                    + " every audience deliberately");
        }
        if (!blank(publicKeyAlgorithm) && !TokenCheck.ALGORITHMS.contains(publicKeyAlgorithm.get().trim())) {
            return Optional.of("mp.jwt.verify.publickey.algorithm must be one of " + TokenCheck.ALGORITHMS + ", was '"
                    + publicKeyAlgorithm.get().trim() + "'");
        }
        return Optional.empty();
    }

    /** The principal of a valid token; a token that is malformed, expired, badly signed, from another issuer or audience is rejected. */
    TokenPrincipal verify(String token) throws TokenRejected {
        return check().verify(token);
    }

    private TokenCheck check() {
        TokenCheck c = check;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (check == null) {
                Optional<String> problem = configurationProblem();
                if (problem.isPresent()) {
                    throw new KeysUnavailable(problem.get(), null);
                }
                List<String> algorithms = blank(publicKeyAlgorithm) ? TokenCheck.ALGORITHMS
                        : List.of(publicKeyAlgorithm.get().trim());
                check = new TokenCheck(keys(), acceptedIssuer(), audienceSet(), clockSkewSeconds, algorithms, tokenCacheSize);
            }
            return check;
        }
    }

    private TokenKeys keys() {
        if (!blank(publicKey)) {
            return TokenKeys.fixed(TokenKeys.parse(publicKey.get()));
        }
        if (!blank(publicKeyLocation)) {
            return TokenKeys.at(publicKeyLocation.get());
        }
        try {
            PublicJsonWebKey local = PublicJsonWebKey.Factory.newPublicJwk(LocalIssuer.ensure(settings.dataDirectory(),
                    settings.authIssuer(), settings.adminTokenDays()));
            local.setKeyId(LocalIssuer.KEY_ID);
            return TokenKeys.fixed(List.of(local));
        } catch (JoseException e) {
            throw new KeysUnavailable("the generated signing key cannot be used", e);
        }
    }

    private Set<String> audienceSet() {
        return blank(audiences) ? Set.of() : Arrays.stream(audiences.get().split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    private static boolean blank(Optional<String> v) {
        return v.isEmpty() || v.get().isBlank();
    }
}
