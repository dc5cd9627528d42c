package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The two other ways to run authentication, each on its own server: an external issuer configured
 * with MP Config only (a JWKS document at {@code mp.jwt.verify.publickey.location} and
 * {@code mp.jwt.verify.issuer}), which replaces the generated key; and
 * {@code batpak.auth.mode=none}, which lets every request through with all roles, logs a warning at
 * start, and still limits SSE connections per principal.
 */
class AuthModesIT {
    private static final String APPEND = "{\"entity\":\"modes:1\",\"scope\":\"ext\",\"kind\":61441,\"payload\":{}}";

    private static Path dataDir(String name) {
        return Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), name + "-" + UUID.randomUUID());
    }

    private static Path log(Path data) {
        return data.resolveSibling(data.getFileName() + "-payara.log");
    }

    @Test
    void anExternalIssuerConfiguredWithMpConfigReplacesTheGeneratedKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair idp = g.generateKeyPair();
        Path data = dataDir("external");
        Files.createDirectories(data);
        Path jwks = data.resolveSibling(data.getFileName() + "-jwks.json");
        Files.writeString(jwks, jwks((RSAPublicKey) idp.getPublic()));
        String issuer = "https://idp.example/realms/batpak";
        try (PayaraProcess server = new PayaraProcess(data, log(data), List.of(
                "-Dmp.jwt.verify.publickey.location=" + jwks.toUri(), "-Dmp.jwt.verify.issuer=" + issuer))) {
            server.start();
            assertFalse(Files.exists(data.resolve("auth")), "with a configured key no key pair or admin token is generated");
            Tokens external = Tokens.of(idp.getPrivate(), issuer);
            Http http = new Http(server.base(), external.token("alice", List.of("writer", "reader"), List.of("ext")));
            assertEquals(201, http.post("events", APPEND).status(), "a token of the configured issuer is accepted");
            Http.Reply wrongIssuer = http.get("stats", "Authorization",
                    "Bearer " + Tokens.of(idp.getPrivate(), "batpak").token("alice", List.of("reader"), List.of("*")));
            assertEquals(401, wrongIssuer.status(), () -> "the default issuer no longer applies: " + wrongIssuer);
            Http.Reply otherKey = http.get("stats", "Authorization",
                    "Bearer " + external.otherKey("mallory", List.of("reader"), List.of("*")));
            assertEquals(401, otherKey.status(), () -> "a token of another key: " + otherKey);
        }
    }

    @Test
    void modeNoneLetsEveryRequestThroughWarnsAndStillLimitsSse() throws Exception {
        Path data = dataDir("open");
        try (PayaraProcess server = new PayaraProcess(data, log(data), List.of("-Dbatpak.auth.mode=none",
                "-Dbatpak.limits.sse-per-principal=1"))) {
            server.start();
            Http http = new Http(server.base());
            assertEquals(201, http.post("events", APPEND).status(), "mode none: an append without a token");
            assertEquals(200, http.get("stats").status(), "mode none: a read without a token");
            String log = Files.readString(server.log());
            assertTrue(log.contains("batpak.auth.mode=none: authentication is OFF"), "mode none must log its warning");
            assertFalse(Files.exists(data.resolve("auth/admin.token")), "mode none generates no admin token");

            HttpRequest sse = HttpRequest.newBuilder(http.uri("subscribe")).header("Accept", "text/event-stream")
                    .timeout(Duration.ofSeconds(30)).GET().build();
            HttpResponse<InputStream> first = http.client().send(sse, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream ignored = first.body()) {
                assertEquals(200, first.statusCode(), "the first subscription is allowed");
                Http.Reply second = http.get("subscribe", "Accept", "text/event-stream");
                assertEquals(429, second.status(), () -> "a second subscription past the limit of 1: " + second);
                JsonObject p = second.json();
                assertEquals("too-many-subscriptions", p.getString("code"), "problem code");
                assertTrue(second.header("Retry-After") != null, "429 carries Retry-After");
            }
        }
    }

    private static String jwks(RSAPublicKey key) {
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        return Json.createObjectBuilder().add("keys", Json.createArrayBuilder().add(Json.createObjectBuilder()
                .add("kty", "RSA").add("use", "sig").add("alg", "RS256").add("kid", "idp-1")
                .add("n", e.encodeToString(unsigned(key.getModulus())))
                .add("e", e.encodeToString(unsigned(key.getPublicExponent()))))).build().toString();
    }

    private static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        return b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }
}
