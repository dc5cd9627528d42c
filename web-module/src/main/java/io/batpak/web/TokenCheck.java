package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.lang.InvalidAlgorithmException;

/**
 * The verification rules of one configuration, applied by jose4j's {@link JwtConsumer}: a compact
 * JWS signed with one of {@link #ALGORITHMS} ({@code none}, HMAC and encrypted tokens are refused)
 * by a key of {@link TokenKeys}; a {@code crit} header naming anything is refused (jose4j knows no
 * critical extension unless told, and we tell it none); {@code exp} required, {@code exp}/{@code nbf}
 * with {@code clockSkewSeconds} of tolerance; {@code iss} equal to the issuer; {@code aud} holding one
 * of the audiences when any are given (a token without {@code aud} is then refused), else not checked.
 *
 * <p>Verified tokens are cached by their exact text (Caffeine, at most {@code cacheSize} entries,
 * 0 = no cache): a repeat of a token skips the signature check, which otherwise costs an RSA
 * verification per request. An entry lives until the token's {@code exp} and never longer than
 * {@value #CACHE_MAX_SECONDS} s, so a key removed from the key set stops admitting its cached
 * tokens within that time. Refused tokens are not cached. Thread-safe.
 */
final class TokenCheck {
    /** Longest a verified token is trusted from the cache without checking its signature again. */
    static final long CACHE_MAX_SECONDS = TokenKeys.REMOTE_TTL_SECONDS;
    /** Tokens longer than this are refused before any parsing, so a header cannot exhaust memory. */
    static final int MAX_TOKEN_CHARS = 16 * 1024;
    static final List<String> ALGORITHMS = List.of(
            AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384, AlgorithmIdentifiers.RSA_USING_SHA512,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA256, AlgorithmIdentifiers.RSA_PSS_USING_SHA384,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
            AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
            AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512,
            AlgorithmIdentifiers.EDDSA);

    private final JwtConsumer consumer;
    private final long clockSkewSeconds;
    private final List<String> algorithms;
    private final Cache<String, TokenPrincipal> cache;

    /**
     * @param algorithms the accepted signature algorithms (a subset of {@link #ALGORITHMS})
     * @param audiences  accepted audiences; empty means {@code aud} is not checked
     */
    TokenCheck(TokenKeys keys, String issuer, Set<String> audiences, long clockSkewSeconds, List<String> algorithms,
               long cacheSize) {
        this.clockSkewSeconds = clockSkewSeconds;
        this.algorithms = List.copyOf(algorithms);
        JwtConsumerBuilder b = new JwtConsumerBuilder()
                .setVerificationKeyResolver(keys)
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(ConstraintType.PERMIT, algorithms.toArray(String[]::new)))
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds((int) Math.min(Integer.MAX_VALUE, clockSkewSeconds))
                .setExpectedIssuer(true, issuer);
        if (audiences.isEmpty()) {
            b.setSkipDefaultAudienceValidation();
        } else {
            b.setExpectedAudience(true, audiences.toArray(String[]::new));
        }
        this.consumer = b.build();
        this.cache = cacheSize <= 0 ? null : Caffeine.newBuilder().maximumSize(cacheSize)
                .expireAfter(Expiry.<String, TokenPrincipal>creating((token, p) -> lifetime(p))).build();
    }

    /** The principal of a valid token. */
    TokenPrincipal verify(String token) throws TokenRejected {
        if (cache != null) {
            TokenPrincipal p = cache.getIfPresent(token);
            // Caffeine may hand out an entry in the instant it expires; the exp check keeps that exact.
            if (p != null && Instant.now().getEpochSecond() <= p.expiresAtEpochSecond() + clockSkewSeconds) {
                return p;
            }
        }
        TokenPrincipal p = check(token);
        if (cache != null) {
            cache.put(token, p);
        }
        return p;
    }

    /** How many verified tokens the cache holds (for tests and diagnostics). */
    long cachedTokens() {
        if (cache == null) {
            return 0;
        }
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private TokenPrincipal check(String token) throws TokenRejected {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new TokenRejected("the token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        JwtContext context;
        try {
            context = consumer.process(token);
        } catch (InvalidJwtException e) {
            throw rejected(e);
        }
        try (JsonReader r = JSON.createReader(new StringReader(context.getJwtClaims().getRawJson()))) {
            JsonObject claims = r.readObject();
            return TokenPrincipal.of(claims, token);
        } catch (RuntimeException e) {
            throw new TokenRejected("the token's claims are malformed");
        }
    }

    private Duration lifetime(TokenPrincipal p) {
        long seconds = p.expiresAtEpochSecond() + clockSkewSeconds - Instant.now().getEpochSecond();
        return Duration.ofSeconds(Math.max(0, Math.min(seconds, CACHE_MAX_SECONDS)));
    }

    /** The {@code alg} header of the outermost JOSE object jose4j parsed, or null. */
    private static String algorithm(JwtContext context) {
        if (context == null || context.getJoseObjects() == null || context.getJoseObjects().isEmpty()) {
            return null;
        }
        JsonWebStructure outer = context.getJoseObjects().get(context.getJoseObjects().size() - 1);
        return outer.getAlgorithmHeaderValue();
    }

    /** A client-safe reason: the failed rule, never jose4j's message (it can quote the whole token). */
    private TokenRejected rejected(InvalidJwtException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof KeysUnavailable k) {
                throw k;
            }
        }
        String alg = algorithm(e.getJwtContext());
        if (AlgorithmIdentifiers.NONE.equals(alg)) {
            return new TokenRejected("unsigned tokens (alg none) are not accepted");
        }
        if (alg != null && !algorithms.contains(alg)) {
            return new TokenRejected("the token's signature algorithm is not accepted (" + String.join(", ", algorithms) + ")");
        }
        if (e.hasExpired()) {
            return new TokenRejected("the token has expired");
        }
        if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
            return new TokenRejected("the token is not valid yet (nbf)");
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
            return new TokenRejected("the token has no expiry (exp)");
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID) || e.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return new TokenRejected("the token's issuer is not accepted");
        }
        if (e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return new TokenRejected("the token has no audience (aud); this server requires one");
        }
        if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID)) {
            return new TokenRejected("the token's audience is not accepted");
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
            return new TokenRejected("unsigned tokens (alg none) are not accepted");
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
            return new TokenRejected("the token's signature does not verify with the configured key");
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof InvalidAlgorithmException) {
                return new TokenRejected("the token's signature algorithm is not accepted (" + String.join(", ", algorithms) + ")");
            }
            String m = String.valueOf(c.getMessage());
            if (m.contains("marked as critical")) {
                return new TokenRejected("the token marks a header critical (crit) that this server does not understand");
            }
            if (m.contains("Unable to find a suitable verification key")) {
                return new TokenRejected("the token's signature does not verify with the configured key");
            }
        }
        return new TokenRejected("the token is malformed or its signature does not verify");
    }
}
