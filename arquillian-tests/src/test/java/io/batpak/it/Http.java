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
import java.time.Duration;

/** A small HTTP client for the contract tests: JSON in, status + headers + body out. */
final class Http {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    /** Bearer token sent with every request, or null when the server does not require one. */
    private final String bearerToken;

    Http(URI base) {
        this(base, null);
    }

    Http(URI base, String bearerToken) {
        this.base = base;
        this.bearerToken = bearerToken;
    }

    /** The token for the {@code Authorization} header, or null; for tests that build their own requests. */
    String bearerToken() {
        return bearerToken;
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
        if (bearerToken != null) {
            b.setHeader("Authorization", "Bearer " + bearerToken);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
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
