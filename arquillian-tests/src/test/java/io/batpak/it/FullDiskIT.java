package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A full disk is a transient condition, not a crash: on a 48 MiB tmpfs data directory, appends
 * that no longer fit are answered 503 {@code unavailable} with Retry-After, nothing half-written is
 * served, and once space returns (a filler file beside the data is deleted) appends succeed again
 * without a restart and every earlier event is intact. Readiness follows the free-disk floor
 * (4 MiB here): UP at the start, DOWN while the disk is full, UP again once space returns. Needs
 * root to mount the tmpfs; skipped otherwise.
 */
class FullDiskIT {
    private static final int PAYLOAD_CHARS = 64 * 1024;
    private static final long FLOOR = 4L << 20;

    @Test
    void appendsFailWith503WhileTheDiskIsFullAndResumeWhenSpaceReturns() throws Exception {
        String uid = run("id", "-u");
        Assumptions.assumeTrue("0".equals(uid.trim()), "FullDiskIT needs root to mount a size-limited tmpfs (uid is "
                + uid.trim() + ")");
        Path root = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "fulldisk-" + UUID.randomUUID())
                .toAbsolutePath();
        Path mount = root.resolve("mnt");
        Files.createDirectories(mount);
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String mountOut = new String(m.getInputStream().readAllBytes());
        if (!m.waitFor(30, TimeUnit.SECONDS) || m.exitValue() != 0) {
            Assumptions.abort("FullDiskIT cannot mount a tmpfs at " + mount + " (" + mountOut.trim() + "); running in a"
                    + " container without CAP_SYS_ADMIN?");
        }
        try {
            Path filler = mount.resolve("filler");
            Files.write(filler, new byte[8 << 20]);
            // Payara's files and log stay off the small file system; the floor is below the 40 MiB free at the start.
            try (PayaraProcess server = new PayaraProcess(mount.resolve("data"), root.resolve("payara.log"),
                    List.of("-Dbatpak.health.min-free-disk-bytes=" + FLOOR))) {
                server.start();
                exercise(server, filler);
                server.stop();
            }
        } finally {
            String out = run("umount", mount.toString());
            if (Files.exists(mount.resolve("data"))) {
                run("umount", "-l", mount.toString());
                System.out.println("FullDiskIT: umount said " + out.trim() + "; lazily unmounted");
            }
        }
    }

    private static void exercise(PayaraProcess server, Path filler) throws IOException {
        Http http = server.http();
        Map<String, String> hashById = new LinkedHashMap<>();
        String pad = "f".repeat(PAYLOAD_CHARS);
        int refused = 0;
        Http.Reply firstRefusal = null;
        for (int i = 0; i < 2000 && refused < 20; i++) {
            String body = "{\"entity\":\"full:" + i % 7 + "\",\"scope\":\"disk\",\"kind\":61441,\"payload\":{\"i\":" + i
                    + ",\"pad\":\"" + pad + "\"}}";
            Http.Reply r = i % 5 == 4 ? http.post("batches", "{\"events\":[" + body + "," + body.replace("full:", "full:b")
                    + "]}") : http.post("events", body);
            if (r.status() == 201) {
                JsonObject j = r.json();
                if (j.containsKey("receipts")) {
                    j.getJsonArray("receipts").forEach(v -> hashById.put(v.asJsonObject().getString("eventId"),
                            v.asJsonObject().getString("hash")));
                } else {
                    hashById.put(j.getString("eventId"), j.getString("hash"));
                }
                continue;
            }
            Http.Reply refusal = r;
            assertEquals(503, refusal.status(), () -> "a full disk must be 503 unavailable (not a 500): " + refusal);
            assertEquals("unavailable", refusal.json().getString("code"), () -> "problem code: " + refusal);
            assertNotNull(refusal.header("Retry-After"), () -> "503 without Retry-After: " + refusal);
            firstRefusal = firstRefusal == null ? refusal : firstRefusal;
            refused++;
        }
        assertTrue(refused > 0, "48 MiB never filled up with " + hashById.size() + " events: the test did not fill the disk");
        System.out.println("FullDiskIT: " + hashById.size() + " events acknowledged before the disk was full; first refusal: "
                + firstRefusal.text());
        assertExactly(http, hashById, "while the disk is full");
        Http.Reply down = readiness(server);
        assertEquals(503, down.status(), () -> "readiness must be DOWN below the free-disk floor of " + FLOOR + " bytes: " + down);
        assertTrue(down.text().contains("freeDiskBytes"), () -> "readiness names the free space: " + down);

        Files.delete(filler);
        Http.Reply up = null;
        for (int attempt = 0; attempt < 60; attempt++) {
            up = readiness(server);
            if (up.status() == 200) {
                break;
            }
            sleep(500);
        }
        Http.Reply upAgain = up;
        assertEquals(200, upAgain.status(), () -> "readiness must be UP again above the floor once space returns: " + upAgain);
        Http.Reply after = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            after = http.post("events", "{\"entity\":\"full:0\",\"scope\":\"disk\",\"kind\":61441,\"payload\":{\"after\":"
                    + attempt + "}}");
            if (after.status() == 201) {
                break;
            }
        }
        Http.Reply resumed = after;
        assertEquals(201, resumed.status(), () -> "appends must resume without a restart once space is free: " + resumed);
        hashById.put(resumed.json().getString("eventId"), resumed.json().getString("hash"));
        assertExactly(http, hashById, "after space returned");
    }

    private static Http.Reply readiness(PayaraProcess server) {
        return new Http(server.base().resolve("/")).get("health/ready");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The server holds exactly the acknowledged events, unchanged, with gap-free sequences and valid chains. */
    private static void assertExactly(Http http, Map<String, String> hashById, String when) {
        for (Map.Entry<String, String> e : hashById.entrySet()) {
            Http.Reply r = http.get("events/" + e.getKey());
            assertEquals(200, r.status(), () -> "acknowledged event " + e.getKey() + " missing " + when + ": " + r);
            assertEquals(e.getValue(), r.json().getString("hash"), "event " + e.getKey() + " altered " + when);
        }
        List<String> entities = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < 7; i++) {
            entities.add("full:" + i);
            entities.add("full:b" + i);
        }
        for (String entity : entities) {
            JsonArray events = http.get("entities/" + entity + "/events?limit=10000").json().getJsonArray("events");
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i, events.getJsonObject(i).getInt("sequence"), "sequence gap in " + entity + " " + when);
            }
            total += events.size();
            JsonObject v = http.get("entities/" + entity + "/verify").json();
            assertTrue(v.getBoolean("valid"), () -> "chain of " + entity + " broken " + when + ": " + v);
        }
        assertEquals(hashById.size(), total, "events stored " + when + ": a refused append must leave nothing behind");
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
