package io.batpak.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A small HTTP client for the contract tests: JSON in, status + headers + body out. Built with a
 * bearer token, it sends {@code Authorization: Bearer <token>} on every request that does not set
 * its own Authorization header.
 */
final class Http {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    /** Bearer token sent with every request, or null when the server does not require one. */
    private final String token;

    Http(URI base) {
        this(base, null);
    }

    Http(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The admin token the server generated under {@code <dataDir>/auth/admin.token}. */
    static String adminToken(Path dataDir) {
        Path file = dataDir.resolve("auth").resolve("admin.token");
        try {
            return Files.readString(file).trim();
        } catch (java.io.IOException e) {
            throw new AssertionError("no admin token at " + file + " (did the server start on this data directory?)", e);
        }
    }

    /** The data directory the Arquillian container runs on (arquillian.xml passes the same path to Payara). */
    static Path arquillianDataDir() {
        return Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "arquillian");
    }

    /** The Authorization header value this client sends, or null. */
    String authorization() {
        return token == null ? null : "Bearer " + token;
    }

    /** The token for the {@code Authorization} header, or null; for tests that build their own requests. */
    String bearerToken() {
        return token;
    }

    URI uri(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    Reply get(String path, String... headers) {
        return send(HttpRequest.newBuilder(uri(path)).GET(), headers);
    }

    Reply post(String path, String json, String... headers) {
        return post(path, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json", headers);
    }

    Reply post(String path, byte[] body, String contentType, String... headers) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)), headers);
    }

    Reply send(HttpRequest.Builder b, String... headers) {
        boolean authorizationGiven = false;
        for (int i = 0; i < headers.length; i += 2) {
            authorizationGiven |= headers[i].equalsIgnoreCase("Authorization");
            if (headers[i + 1] != null) { // a null value sends nothing: ("Authorization", null) means no token
                b.header(headers[i], headers[i + 1]);
            }
        }
        if (token != null && !authorizationGiven) {
            b.header("Authorization", authorization());
        }
        try {
            HttpResponse<byte[]> r = client.send(b.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (Exception e) {
            throw new AssertionError("HTTP request failed: " + e, e);
        }
    }

    HttpClient client() {
        return client;
    }

    record Reply(int status, java.net.http.HttpHeaders headers, byte[] body) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        JsonObject json() {
            return (JsonObject) structure();
        }

        JsonStructure structure() {
            try (JsonReader r = Json.createReader(new StringReader(text()))) {
                return r.read();
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + header("Content-Type") + " " + text();
        }
    }
}
