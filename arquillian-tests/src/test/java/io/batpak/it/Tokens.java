package io.batpak.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * Signs test tokens with jose4j, as an identity provider would: with the server's generated private
 * key (the test runs on the same machine, so it reads {@code <dataDir>/auth/signing-key.pem}), with
 * an external issuer's key and algorithm (RS, PS, ES, EdDSA), or with a stranger's key; with any
 * roles, grants, issuer, audience and expiry, and the forgeries a verifier must refuse
 * ({@code alg: none}, an unknown {@code crit} header).
 */
final class Tokens {
    private final Key key;
    private final String algorithm;
    private final String keyId;
    private final PrivateKey strangerKey;
    private final String issuer;
    private final String audience;

    private Tokens(Key key, String algorithm, String keyId, PrivateKey strangerKey, String issuer, String audience) {
        this.key = key;
        this.algorithm = algorithm;
        this.keyId = keyId;
        this.strangerKey = strangerKey;
        this.issuer = issuer;
        this.audience = audience;
    }

    /** Tokens for the server running on {@code dataDir}, whose issuer is {@code issuer}. */
    static Tokens forServer(Path dataDir, String issuer) throws Exception {
        String pem = Files.readString(dataDir.resolve("auth").resolve("signing-key.pem"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        return of(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der)), issuer);
    }

    /** RS256 tokens signed with {@code key} (as an external issuer would), issued by {@code issuer}. */
    static Tokens of(PrivateKey key, String issuer) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return new Tokens(key, "RS256", null, g.generateKeyPair().getPrivate(), issuer, null);
    }

    /** The same tokens signed with {@code algorithm} under {@code key}, naming {@code keyId} (may be null). */
    Tokens signedWith(String algorithm, PrivateKey key, String keyId) {
        return new Tokens(key, algorithm, keyId, strangerKey, issuer, audience);
    }

    /** The same tokens with {@code aud} = {@code audience} (null: no claim). */
    Tokens forAudience(String audience) {
        return new Tokens(key, algorithm, keyId, strangerKey, issuer, audience);
    }

    /** A valid token for {@code name} with these roles and grants ({@code null} grants: no claim). */
    String token(String name, List<String> roles, List<String> grants) {
        return sign(claims(name, roles, grants, issuer, Instant.now().plusSeconds(3600)), key, h -> { });
    }

    /** A valid token that expires at {@code exp}. */
    String expiringAt(Instant exp, String name, List<String> roles, List<String> grants) {
        return sign(claims(name, roles, grants, issuer, exp), key, h -> { });
    }

    String expired(String name, List<String> roles, List<String> grants) {
        return sign(claims(name, roles, grants, issuer, Instant.now().minusSeconds(3600)), key, h -> { });
    }

    String otherIssuer(String name, List<String> roles, List<String> grants) {
        return sign(claims(name, roles, grants, "someone-else", Instant.now().plusSeconds(3600)), key, h -> { });
    }

    String otherKey(String name, List<String> roles, List<String> grants) {
        return new Tokens(strangerKey, "RS256", keyId, strangerKey, issuer, audience).token(name, roles, grants);
    }

    /** A correctly signed token whose header marks an extension critical that no server knows. */
    String unknownCritical(String name, List<String> roles, List<String> grants) {
        return sign(claims(name, roles, grants, issuer, Instant.now().plusSeconds(3600)), key, h -> {
            h.setHeader("urn:example:binding", "tls");
            h.setCriticalHeaderNames("urn:example:binding");
        });
    }

    /** The claims of a valid token, unsigned ({@code alg: none}): jose4j refuses to make one, so it is written out. */
    String unsigned(String name, List<String> roles, List<String> grants) {
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        return e.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + e.encodeToString(claims(name, roles, grants, issuer, Instant.now().plusSeconds(3600)).toJson()
                .getBytes(StandardCharsets.UTF_8)) + ".";
    }

    private JwtClaims claims(String name, List<String> roles, List<String> grants, String iss, Instant exp) {
        JwtClaims c = new JwtClaims();
        c.setIssuer(iss);
        c.setSubject(name);
        c.setClaim("upn", name);
        c.setStringListClaim("groups", roles);
        c.setIssuedAt(NumericDate.fromSeconds(Instant.now().getEpochSecond() - 10));
        c.setExpirationTime(NumericDate.fromSeconds(exp.getEpochSecond()));
        if (audience != null) {
            c.setAudience(audience);
        }
        if (grants != null) {
            c.setStringListClaim("batpak_scopes", grants);
        }
        return c;
    }

    private String sign(JwtClaims claims, Key signingKey, Consumer<JsonWebSignature> header) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(algorithm);
        jws.setHeader("typ", "JWT");
        if (keyId != null) {
            jws.setKeyIdHeaderValue(keyId);
        }
        jws.setKey(signingKey);
        header.accept(jws);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new AssertionError("cannot sign a test token with " + algorithm, e);
        }
    }
}
