package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The server keeps every acknowledged event across restarts: a graceful stop (SIGTERM) and a
 * SIGKILL, each followed by a start on the same data directory. Checks every event's hash, the
 * per-entity sequences and the hash chains after each restart, and that the generated admin token
 * (mode 600, like the private key) is reused by later starts.
 */
class RestartIT {
    @Test
    void everyAcknowledgedEventSurvivesStopAndKill() throws Exception {
        Path data = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "restart-" + UUID.randomUUID());
        Map<String, String> hashById = new LinkedHashMap<>();
        try (PayaraProcess server = new PayaraProcess(data)) {
            server.start();
            Http http = server.http();
            appendSome(http, hashById, "before-stop");
            server.stop();

            String token = Http.adminToken(data);
            assertOwnerOnly(data.resolve("auth/admin.token"));
            assertOwnerOnly(data.resolve("auth/signing-key.pem"));

            server.start();
            assertEquals(token, Http.adminToken(data), "a restart must reuse the generated admin token");
            assertAllPresent(server.http(), hashById, "after a graceful stop");
            appendSome(server.http(), hashById, "before-kill");
            server.kill();

            server.start();
            assertAllPresent(server.http(), hashById, "after SIGKILL");
        }
    }

    private static void assertOwnerOnly(Path file) throws java.io.IOException {
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(file)), file + " must be readable by its owner only");
    }

    private static void appendSome(Http http, Map<String, String> hashById, String phase) {
        for (int i = 0; i < 20; i++) {
            String body = "{\"entity\":\"restart:" + phase + ":" + (i % 4) + "\",\"scope\":\"it\",\"kind\":61441,"
                    + "\"payload\":{\"i\":" + i + "}}";
            Http.Reply r = http.post("events", body);
            assertEquals(201, r.status(), () -> phase + " append: " + r);
            hashById.put(r.json().getString("eventId"), r.json().getString("hash"));
        }
        StringBuilder batch = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 10; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"entity\":\"restart:").append(phase)
                    .append(":batch\",\"scope\":\"it\",\"kind\":61442,\"payload\":").append(i).append('}');
        }
        Http.Reply r = http.post("batches", batch.append("]}").toString());
        assertEquals(201, r.status(), () -> phase + " batch: " + r);
        for (var v : r.json().getJsonArray("receipts")) {
            JsonObject o = (JsonObject) v;
            hashById.put(o.getString("eventId"), o.getString("hash"));
        }
    }

    private static void assertAllPresent(Http http, Map<String, String> hashById, String when) {
        for (Map.Entry<String, String> e : hashById.entrySet()) {
            Http.Reply r = http.get("events/" + e.getKey());
            assertEquals(200, r.status(), () -> "acknowledged event " + e.getKey() + " missing " + when + ": " + r);
            assertEquals(e.getValue(), r.json().getString("hash"), "event " + e.getKey() + " altered " + when);
        }
        JsonArray all = http.get("events?entityPrefix=restart:&limit=10000").json().getJsonArray("events");
        assertEquals(hashById.size(), all.size(), "events stored " + when + " (no more, no fewer than acknowledged)");
        for (String entity : all.stream().map(v -> ((JsonObject) v).getString("entity")).distinct().toList()) {
            JsonObject v = http.get("entities/" + entity + "/verify").json();
            assertTrue(v.getBoolean("valid"), () -> "hash chain of " + entity + " broken " + when + ": " + v);
            JsonArray events = http.get("entities/" + entity + "/events?limit=1000").json().getJsonArray("events");
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i, events.getJsonObject(i).getInt("sequence"), "sequence gap in " + entity + " " + when);
            }
        }
    }
}
