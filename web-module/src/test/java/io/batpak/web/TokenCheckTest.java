package io.batpak.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verification rules and the token cache, with real keys of every accepted family (RSA for RS
 * and PS, EC P-256, Ed25519) and tokens signed by jose4j as an identity provider would sign them.
 */
class TokenCheckTest {
    private static final String ISSUER = "https://idp.example/realms/batpak";
    private static KeyPair rsa;
    private static KeyPair ec;
    private static KeyPair ed;
    private static KeyPair stranger;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
        r.initialize(2048);
        rsa = r.generateKeyPair();
        stranger = r.generateKeyPair();
        KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
        e.initialize(new ECGenParameterSpec("secp256r1"));
        ec = e.generateKeyPair();
        ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    private static String jwks(KeyPair... pairs) throws Exception {
        JsonWebKeySet set = new JsonWebKeySet();
        int i = 0;
        for (KeyPair p : pairs) {
            PublicJsonWebKey k = PublicJsonWebKey.Factory.newPublicJwk(p.getPublic());
            k.setKeyId("k" + i++);
            k.setUse("sig");
            set.addJsonWebKey(k);
        }
        return set.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    private static TokenCheck check(Set<String> audiences, long cacheSize) throws Exception {
        return new TokenCheck(TokenKeys.fixed(TokenKeys.parse(jwks(rsa, ec, ed))), ISSUER, audiences, 0,
                TokenCheck.ALGORITHMS, cacheSize);
    }

    private static JwtClaims claims(String name, Consumer<JwtClaims> change) {
        JwtClaims c = new JwtClaims();
        c.setIssuer(ISSUER);
        c.setSubject(name);
        c.setStringListClaim("groups", List.of("reader"));
        c.setStringListClaim("batpak_scopes", List.of("*"));
        c.setAudience("batpak");
        c.setExpirationTimeMinutesInTheFuture(10);
        change.accept(c);
        return c;
    }

    static String sign(JwtClaims claims, java.security.Key key, String alg, Consumer<JsonWebSignature> header) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setAlgorithmHeaderValue(alg);
            jws.setKey(key);
            header.accept(jws);
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String sign(JwtClaims claims, java.security.Key key, String alg) {
        return sign(claims, key, alg, h -> { });
    }

    private static String reason(TokenCheck check, String token) {
        return assertThrows(TokenRejected.class, () -> check.verify(token)).getMessage();
    }

    @Test
    void tokensOfEveryAcceptedAlgorithmFamilyVerifyFromAJwks() throws Exception {
        TokenCheck check = check(Set.of("batpak"), 0);
        String[][] cases = {{"RS256", "rsa"}, {"RS512", "rsa"}, {"PS256", "rsa"}, {"PS384", "rsa"}, {"ES256", "ec"},
                {"EdDSA", "ed"}};
        for (String[] c : cases) {
            KeyPair pair = switch (c[1]) {
                case "rsa" -> rsa;
                case "ec" -> ec;
                default -> ed;
            };
            TokenPrincipal p = check.verify(sign(claims("u-" + c[0], x -> { }), pair.getPrivate(), c[0]));
            assertEquals("u-" + c[0], p.getName(), c[0]);
            assertTrue(p.roles().contains("reader"), c[0]);
        }
    }

    @Test
    void refusesWhatTheRulesForbid() throws Exception {
        TokenCheck check = check(Set.of("batpak"), 100);
        assertTrue(reason(check, sign(claims("x", c -> c.unsetClaim("aud")), rsa.getPrivate(), "RS256"))
                .contains("no audience"), "a token without aud when audiences are configured");
        assertTrue(reason(check, sign(claims("x", c -> c.setAudience("someone-else")), rsa.getPrivate(), "RS256"))
                .contains("audience"), "another audience");
        assertTrue(reason(check, sign(claims("x", c -> c.setIssuer("other")), rsa.getPrivate(), "RS256"))
                .contains("issuer"), "another issuer");
        assertTrue(reason(check, sign(claims("x", c -> c.setExpirationTime(NumericDate.fromSeconds(
                Instant.now().getEpochSecond() - 5))), rsa.getPrivate(), "RS256")).contains("expired"), "expired");
        assertTrue(reason(check, sign(claims("x", c -> c.setNotBeforeMinutesInThePast(-5)), rsa.getPrivate(), "RS256"))
                .contains("not valid yet"), "nbf in the future");
        assertTrue(reason(check, sign(claims("x", c -> c.unsetClaim("exp")), rsa.getPrivate(), "RS256"))
                .contains("expiry"), "no exp");
        assertTrue(reason(check, sign(claims("x", c -> { }), stranger.getPrivate(), "RS256")).contains("signature"),
                "another key");

        // jose4j will not sign with none (an attacker writes it by hand): header {"alg":"none"}, empty signature.
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String unsigned = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims("x", c -> { }).toJson().getBytes(StandardCharsets.UTF_8)) + ".";
        assertTrue(reason(check, unsigned).contains("none"), () -> "alg none: " + reason(check, unsigned));
        String hmac = sign(claims("x", c -> { }), new HmacKey(new byte[32]), "HS256");
        assertTrue(reason(check, hmac).contains("algorithm"), () -> "HS256: " + reason(check, hmac));
        String crit = sign(claims("x", c -> { }), rsa.getPrivate(), "RS256", h -> {
            h.setHeader("exp-policy", "strict");
            h.setCriticalHeaderNames("exp-policy");
        });
        assertTrue(reason(check, crit).contains("crit"), () -> "unknown crit: " + reason(check, crit));
        // A PS256 token must not verify with an RSA key used as RS256 and vice versa: the signature differs.
        String ps = sign(claims("x", c -> { }), rsa.getPrivate(), "PS256");
        String tampered = "eyJhbGciOiJSUzI1NiJ9" + ps.substring(ps.indexOf('.'));
        assertTrue(reason(check, tampered).contains("signature"), "an algorithm swapped in the header");
        assertTrue(reason(check, "not.a-token").contains("malformed"), "garbage");
        assertTrue(reason(check, "x".repeat(TokenCheck.MAX_TOKEN_CHARS + 1)).contains("longer"), "too long");
        for (String t : List.of(unsigned, hmac, crit, tampered)) {
            assertTrue(!reason(check, t).contains(t.substring(0, 20)), "a reason never quotes the token");
        }
        assertEquals(0, check.cachedTokens(), "refused tokens are never cached");
    }

    @Test
    void anyAudienceWhenNoneIsConfigured() throws Exception {
        TokenCheck check = check(Set.of(), 0);
        assertEquals("a", check.verify(sign(claims("a", c -> c.unsetClaim("aud")), rsa.getPrivate(),
                "RS256")).getName());
        assertEquals("b", check.verify(sign(claims("b", c -> c.setAudience("anything")), ec.getPrivate(), "ES256"))
                .getName());
    }

    @Test
    void theCacheAnswersRepeatsIsBoundedAndNeverOutlivesExp() throws Exception {
        TokenCheck check = check(Set.of("batpak"), 3);
        String token = sign(claims("cached", c -> { }), rsa.getPrivate(), "RS256");
        TokenPrincipal first = check.verify(token);
        assertSame(first, check.verify(token), "a repeat is answered from the cache");
        for (int i = 0; i < 20; i++) {
            check.verify(sign(claims("n" + i, c -> { }), ec.getPrivate(), "ES256"));
        }
        assertTrue(check.cachedTokens() <= 3, () -> "bounded: " + check.cachedTokens());

        long soon = Instant.now().getEpochSecond() + 2;
        String shortLived = sign(claims("brief", c -> c.setExpirationTime(NumericDate.fromSeconds(soon))),
                rsa.getPrivate(), "RS256");
        assertEquals("brief", check.verify(shortLived).getName());
        while (Instant.now().getEpochSecond() <= soon) {
            Thread.sleep(200);
        }
        assertTrue(reason(check, shortLived).contains("expired"), "a cached token is refused once it expires");
    }

    @Test
    void aKeyFileIsReadAgainWhenItChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, jwks(rsa));
        TokenCheck check = new TokenCheck(TokenKeys.at(file.toString()), ISSUER, Set.of(), 0, TokenCheck.ALGORITHMS, 0);
        String byEc = sign(claims("rotated", c -> { }), ec.getPrivate(), "ES256");
        assertTrue(reason(check, byEc).contains("signature"), "the EC key is not in the file yet");
        Files.writeString(file, jwks(ec));
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        Thread.sleep(TokenKeys.FILE_CHECK_SECONDS * 1000 + 200);
        assertEquals("rotated", check.verify(byEc).getName(), "after the file changed, the new key verifies");
        Files.writeString(file, "{ broken");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 10000));
        Thread.sleep(TokenKeys.FILE_CHECK_SECONDS * 1000 + 200);
        assertEquals("rotated", check.verify(byEc).getName(), "a file that stops parsing keeps the last good keys");
    }

    @Test
    void pemKeysOfEachFamilyParse() throws Exception {
        for (KeyPair p : List.of(rsa, ec, ed)) {
            String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(p.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            assertEquals(1, TokenKeys.parse(pem).size(), p.getPublic().getAlgorithm());
        }
        assertThrows(IllegalArgumentException.class, () -> TokenKeys.parse("no key here"));
    }

    @Test
    void aJwksUrlIsCachedAndFetchedAgainForAnUnknownKid() throws Exception {
        AtomicInteger fetches = new AtomicInteger();
        AtomicReference<String> published = new AtomicReference<>(jwks(rsa));
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.createContext("/certs", exchange -> {
            fetches.incrementAndGet();
            byte[] body = published.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        idp.start();
        try {
            String url = "http://127.0.0.1:" + idp.getAddress().getPort() + "/certs";
            TokenCheck check = new TokenCheck(TokenKeys.at(url, 0), ISSUER, Set.of(), 0, TokenCheck.ALGORITHMS, 0);
            String first = sign(claims("a", c -> { }), rsa.getPrivate(), "RS256", h -> h.setKeyIdHeaderValue("k0"));
            assertEquals("a", check.verify(first).getName());
            assertEquals("a", check.verify(first).getName());
            assertEquals(1, fetches.get(), "the key set is cached between tokens");
            // The issuer rotates: the new key set holds an EC key under a new kid.
            published.set(jwks(rsa, ec));
            String rotated = sign(claims("b", c -> { }), ec.getPrivate(), "ES256", h -> h.setKeyIdHeaderValue("k1"));
            assertEquals("b", check.verify(rotated).getName(), "an unknown kid fetches the key set again");
            assertEquals(2, fetches.get());
            idp.stop(0);
            assertEquals("a", check.verify(first).getName(), "the cached keys serve while the issuer is down");
        } finally {
            idp.stop(0);
        }
    }

    @Test
    void unreachableKeysAreTheServersTroubleNotTheTokens() {
        TokenCheck check = new TokenCheck(TokenKeys.at("http://127.0.0.1:9/jwks"), ISSUER, Set.of(), 0,
                TokenCheck.ALGORITHMS, 0);
        assertThrows(KeysUnavailable.class, () -> check.verify(sign(claims("x", c -> { }), rsa.getPrivate(), "RS256")));
    }
}
