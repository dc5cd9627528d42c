package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.junit.jupiter.api.Test;

/**
 * The two other ways to run authentication, each on its own server: an external issuer configured
 * with MP Config only (a JWKS file with RSA, EC P-256 and Ed25519 keys at
 * {@code mp.jwt.verify.publickey.location}, {@code mp.jwt.verify.issuer} and
 * {@code mp.jwt.verify.audiences}), which replaces the generated key, accepts RS256, PS256, ES256
 * and EdDSA tokens, refuses a missing or other audience, {@code alg: none} and an unknown
 * {@code crit}, ends an SSE stream when its token expires and caps SSE streams store-wide; and
 * {@code batpak.auth.mode=none}, which lets every request through with all roles, logs a warning at
 * start, and still limits SSE connections per principal.
 */
class AuthModesIT {
    private static final String APPEND = "{\"entity\":\"modes:1\",\"scope\":\"ext\",\"kind\":61441,\"payload\":{}}";
    private static final int SSE_TOTAL = 2;

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
        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ec = ecGen.generateKeyPair();
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path data = dataDir("external");
        Files.createDirectories(data);
        Path jwks = data.resolveSibling(data.getFileName() + "-jwks.json");
        Files.writeString(jwks, jwks(Map.of("idp-rsa", idp, "idp-ec", ec, "idp-ed", ed)));
        String issuer = "https://idp.example/realms/batpak";
        try (PayaraProcess server = new PayaraProcess(data, log(data), List.of(
                "-Dmp.jwt.verify.publickey.location=" + jwks.toUri(), "-Dmp.jwt.verify.issuer=" + issuer,
                "-Dmp.jwt.verify.audiences=batpak-api", "-Dmp.jwt.verify.clock.skew=1",
                "-Dbatpak.limits.sse-total=" + SSE_TOTAL, "-Dbatpak.metrics.require-token=true"))) {
            server.start();
            assertFalse(Files.exists(data.resolve("auth")), "with a configured key no key pair or admin token is generated");
            Tokens external = Tokens.of(idp.getPrivate(), issuer).signedWith("RS256", idp.getPrivate(), "idp-rsa")
                    .forAudience("batpak-api");
            List<String> rw = List.of("writer", "reader");
            List<String> ext = List.of("ext");
            Http http = new Http(server.base(), external.token("alice", rw, ext));
            assertEquals(201, http.post("events", APPEND).status(), "a token of the configured issuer is accepted");
            for (Tokens t : List.of(external.signedWith("PS256", idp.getPrivate(), "idp-rsa"),
                    external.signedWith("ES256", ec.getPrivate(), "idp-ec"),
                    external.signedWith("EdDSA", ed.getPrivate(), "idp-ed"),
                    external.signedWith("PS256", idp.getPrivate(), null))) {
                Http.Reply r = http.post("events", APPEND, "Authorization", "Bearer " + t.token("alice", rw, ext));
                assertEquals(201, r.status(), () -> "a token signed with another accepted algorithm: " + r);
            }

            Map<String, String> refused = new LinkedHashMap<>();
            refused.put("the default issuer", Tokens.of(idp.getPrivate(), "batpak").signedWith("RS256", idp.getPrivate(),
                    "idp-rsa").forAudience("batpak-api").token("alice", rw, ext));
            refused.put("another key", external.otherKey("mallory", rw, ext));
            refused.put("no aud while audiences are configured", external.forAudience(null).token("alice", rw, ext));
            refused.put("another audience", external.forAudience("some-other-api").token("alice", rw, ext));
            refused.put("alg none", external.unsigned("alice", rw, ext));
            refused.put("a crit header the server does not know", external.unknownCritical("alice", rw, ext));
            refused.put("ES256 header on the RSA key's kid", external.signedWith("ES256", ec.getPrivate(), "idp-rsa")
                    .token("alice", rw, ext));
            for (Map.Entry<String, String> c : refused.entrySet()) {
                Http.Reply r = http.post("events", APPEND, "Authorization", "Bearer " + c.getValue());
                assertEquals(401, r.status(), () -> c.getKey() + " must be refused: " + r);
                assertEquals("unauthenticated", r.json().getString("code"), () -> c.getKey() + ": " + r);
                assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"), () -> c.getKey() + ": " + r);
            }
            assertEquals(1 + 4, events(http), "only the accepted appends were stored");

            Http ops = new Http(server.base().resolve("/"));
            Http.Reply anonymousMetrics = ops.get("metrics");
            assertEquals(401, anonymousMetrics.status(), () -> "batpak.metrics.require-token: " + anonymousMetrics);
            assertEquals("unauthenticated", anonymousMetrics.json().getString("code"));
            Http.Reply narrowMetrics = ops.get("metrics", "Authorization", "Bearer " + external.token("alice", rw, ext));
            assertEquals(403, narrowMetrics.status(), () -> "metrics with grants short of *: " + narrowMetrics);
            Http.Reply metrics = ops.get("metrics", "Authorization", "Bearer "
                    + external.token("scraper", List.of("reader"), List.of("*")));
            assertEquals(200, metrics.status(), () -> "metrics with a whole-store reader token: " + metrics);
            assertTrue(new String(metrics.body(), StandardCharsets.UTF_8).contains("batpak_events_total"), "store metrics");
            assertEquals(200, ops.get("health/ready").status(), "health stays open");

            streamEndsWhenItsTokenExpires(server, external.token("alice", rw, ext),
                    external.expiringAt(Instant.now().plusSeconds(6), "brief", List.of("reader"), ext));
            storeWideSseCapAnswers503(server, external);
        }
    }

    private static int events(Http http) {
        return http.get("entities/modes:1/events?limit=1000").json().getJsonArray("events").size();
    }

    /** A stream opened with a token that expires in a few seconds delivers events, then ends by itself. */
    private static void streamEndsWhenItsTokenExpires(PayaraProcess server, String writerToken, String briefToken)
            throws Exception {
        Http writer = new Http(server.base(), writerToken);
        Http brief = new Http(server.base(), briefToken);
        HttpRequest sse = HttpRequest.newBuilder(brief.uri("subscribe?entityPrefix=modes:")).header("Accept", "text/event-stream")
                .header("Authorization", brief.authorization()).timeout(Duration.ofSeconds(90)).GET().build();
        HttpResponse<InputStream> r = brief.client().send(sse, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode(), "a stream with a valid token opens");
        long started = System.nanoTime();
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertEquals(201, writer.post("events", APPEND).status(), "live append while the stream is open");
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("data:")), () -> "the live event arrived first: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(":") && l.contains("token expired")),
                () -> "the stream says why it ends: " + lines);
        assertTrue(seconds >= 3 && seconds < 60, "the stream ended soon after the token's expiry (about 7 s"
                + " after it opened), took " + seconds + " s");
        Http.Reply again = brief.get("subscribe", "Accept", "text/event-stream");
        assertEquals(401, again.status(), () -> "the expired token cannot reopen it: " + again);
    }

    /** One stream past batpak.limits.sse-total is 503 unavailable with Retry-After, whoever asks. */
    private static void storeWideSseCapAnswers503(PayaraProcess server, Tokens external) throws Exception {
        List<InputStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < SSE_TOTAL; i++) {
                Http reader = new Http(server.base(), external.token("reader-" + i, List.of("reader"), List.of("ext")));
                HttpResponse<InputStream> r = null;
                // The expired stream's slot is given back just after its connection closes: allow a moment.
                for (int attempt = 0; attempt < 20 && (r == null || r.statusCode() == 503); attempt++) {
                    if (r != null) {
                        r.body().close();
                        Thread.sleep(250);
                    }
                    r = reader.client().send(HttpRequest.newBuilder(reader.uri("subscribe")).header("Accept",
                            "text/event-stream").header("Authorization", reader.authorization())
                            .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                }
                assertEquals(200, r.statusCode(), "stream " + i + " of " + SSE_TOTAL + " opens");
                open.add(r.body());
            }
            Http other = new Http(server.base(), external.token("someone-new", List.of("reader"), List.of("ext")));
            Http.Reply full = other.get("subscribe", "Accept", "text/event-stream");
            assertEquals(503, full.status(), () -> "past the store-wide cap, for a principal with no stream open: " + full);
            assertEquals("unavailable", full.json().getString("code"), () -> "problem code: " + full);
            assertNotNull(full.header("Retry-After"), "503 carries Retry-After");
        } finally {
            for (InputStream in : open) {
                in.close();
            }
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

    /** A JWK Set file as an identity provider publishes it: one public signing key per kid. */
    private static String jwks(Map<String, KeyPair> keys) throws Exception {
        JsonWebKeySet set = new JsonWebKeySet();
        for (Map.Entry<String, KeyPair> k : new TreeMap<>(keys).entrySet()) {
            PublicJsonWebKey jwk = PublicJsonWebKey.Factory.newPublicJwk(k.getValue().getPublic());
            jwk.setKeyId(k.getKey());
            jwk.setUse("sig");
            set.addJsonWebKey(jwk);
        }
        return set.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }
}
