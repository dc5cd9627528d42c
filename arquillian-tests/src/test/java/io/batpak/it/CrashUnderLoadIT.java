package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Durable appends survive SIGKILL under load: 16 HTTP clients append with {@code expectedSequence}
 * to 300 entities (default sync mode), the server is killed at a random moment and restarted on the
 * same data directory, and every acknowledged (2xx) event must be back unchanged, per-entity
 * sequences gap-free and every hash chain valid. Requests in flight at the kill may or may not have
 * committed. 10 kills by default (CI), 100 with {@code -Dbatpak.longTests=true} ({@code benchmarks/soak.sh}),
 * or {@code -Dbatpak.crashKills=N}.
 */
class CrashUnderLoadIT {
    private static final int CLIENTS = 16;
    private static final int ENTITIES = 300;
    private static final int KIND = 61441;

    /** An acknowledged event as its receipt and request described it. */
    private record Acked(String eventId, String entity, long sequence, JsonValue payload, String hash) {
    }

    private final Map<String, Map<Long, Acked>> ackedByEntity = new ConcurrentHashMap<>();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong serverErrors = new AtomicLong();
    private final List<String> serverErrorSamples = java.util.Collections.synchronizedList(new ArrayList<>());

    @Test
    void everyAcknowledgedEventSurvivesRepeatedSigkillUnderLoad() throws Exception {
        boolean longRun = Boolean.getBoolean("batpak.longTests");
        int kills = Integer.getInteger("batpak.crashKills", longRun ? 100 : 10);
        long seed = Long.getLong("batpak.crashSeed", System.nanoTime());
        Random random = new Random(seed);
        Path data = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "crash-" + UUID.randomUUID());
        long lost = 0;
        long corrupt = 0;
        int crashes = 0;
        // Each client owns the entities i with i % CLIENTS == its number, so expectedSequence never races.
        long[] lastSequence = new long[ENTITIES];
        java.util.Arrays.fill(lastSequence, -1);
        try (PayaraProcess server = new PayaraProcess(data)) {
            server.start();
            for (int round = 1; round <= kills; round++) {
                Http http = server.http();
                runLoadThenKill(server, http, lastSequence, 1500 + random.nextInt(3500));
                crashes++;
                server.start();
                long[] damage = check(server.http(), lastSequence, "after kill " + round + " (seed " + seed + ")");
                lost += damage[0];
                corrupt += damage[1];
                if (longRun) {
                    System.out.println("after kill " + round + ": acked " + acked.get() + ", lost " + lost + ", corrupt " + corrupt);
                }
            }
        }
        // One line in a stable form: benchmarks/soak.sh prints it as the crash run's summary.
        System.out.println("CRASH SUMMARY kills " + crashes + ", acked " + acked.get() + ", lost " + lost + ", corrupt " + corrupt
                + ", 5xx " + serverErrors.get() + " (seed " + seed + ")");
        assertEquals(0, serverErrors.get(), "5xx answers under load (seed " + seed + "): " + serverErrorSamples);
        assertTrue(acked.get() > crashes * 10L, "the load acknowledged too few appends to prove anything: " + acked.get());
        assertEquals(0, lost, "acknowledged events lost across " + crashes + " SIGKILLs (seed " + seed + ")");
        assertEquals(0, corrupt, "acknowledged events altered or chains broken across " + crashes + " SIGKILLs (seed " + seed + ")");
    }

    private void runLoadThenKill(PayaraProcess server, Http http, long[] lastSequence, long loadMillis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int me = c;
            Thread t = new Thread(() -> appendUntilStopped(client, http, me, lastSequence, stop), "crash-client-" + c);
            t.start();
            threads.add(t);
        }
        Thread.sleep(loadMillis);
        server.kill(); // mid-load: requests in flight get no answer
        stop.set(true);
        for (Thread t : threads) {
            t.join(60_000);
            assertTrue(!t.isAlive(), t.getName() + " still running a minute after the kill: a request hangs");
        }
    }

    private void appendUntilStopped(HttpClient client, Http http, int me, long[] lastSequence, AtomicBoolean stop) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (!stop.get()) {
            int e = me + CLIENTS * rnd.nextInt(ENTITIES / CLIENTS + (me < ENTITIES % CLIENTS ? 1 : 0));
            String entity = "crash:" + e;
            String payload = "{\"client\":" + me + ",\"n\":" + rnd.nextLong() + ",\"text\":\"" + "é∑😀".repeat(rnd.nextInt(8))
                    + "\",\"pad\":\"" + "p".repeat(rnd.nextInt(400)) + "\"}";
            String body = "{\"entity\":\"" + entity + "\",\"scope\":\"crash\",\"kind\":" + KIND + ",\"payload\":" + payload
                    + ",\"expectedSequence\":" + lastSequence[e] + "}";
            HttpRequest.Builder b = HttpRequest.newBuilder(http.uri("events")).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
            if (http.bearerToken() != null) {
                b.header("Authorization", "Bearer " + http.bearerToken());
            }
            HttpResponse<String> r;
            try {
                r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception killed) {
                return; // the server is gone: this request may or may not have committed
            }
            if (r.statusCode() == 201) {
                JsonObject receipt = parse(r.body()).asJsonObject();
                long seq = receipt.getJsonNumber("sequence").longValue();
                Acked a = new Acked(receipt.getString("eventId"), entity, seq, parse(payload), receipt.getString("hash"));
                ackedByEntity.computeIfAbsent(entity, k -> new ConcurrentHashMap<>()).put(seq, a);
                acked.incrementAndGet();
                lastSequence[e] = seq;
            } else if (r.statusCode() == 409) {
                lastSequence[e] = parse(r.body()).asJsonObject().getJsonNumber("actual").longValue();
            } else if (r.statusCode() >= 500) {
                serverErrors.incrementAndGet();
                if (serverErrorSamples.size() < 5) {
                    serverErrorSamples.add(r.statusCode() + " " + r.body());
                }
            }
        }
    }

    /**
     * Reads every entity back; returns {lost, corrupt} and resynchronises {@code lastSequence} with
     * what the server holds (an unanswered append may have committed).
     */
    private long[] check(Http http, long[] lastSequence, String when) {
        long lost = 0;
        long corrupt = 0;
        for (int e = 0; e < ENTITIES; e++) {
            String entity = "crash:" + e;
            Map<Long, Acked> mine = ackedByEntity.getOrDefault(entity, Map.of());
            List<JsonObject> stored = new ArrayList<>();
            long from = 0;
            while (true) {
                Http.Reply r = http.get("entities/" + entity + "/events?from=" + from + "&limit=1000");
                assertEquals(200, r.status(), () -> "reading " + entity + " " + when + ": " + r);
                JsonObject page = r.json();
                page.getJsonArray("events").forEach(v -> stored.add(v.asJsonObject()));
                if (page.isNull("next")) {
                    break;
                }
                from = page.getJsonNumber("next").longValue();
            }
            for (int i = 0; i < stored.size(); i++) {
                if (stored.get(i).getJsonNumber("sequence").longValue() != i) {
                    System.out.println("sequence gap in " + entity + " " + when + " at index " + i + ": " + stored.get(i));
                    corrupt++;
                }
            }
            for (Acked a : mine.values()) {
                JsonObject s = a.sequence() < stored.size() ? stored.get((int) a.sequence()) : null;
                if (s == null || !a.eventId().equals(s.getString("eventId"))) {
                    System.out.println("LOST " + when + ": " + a + " (stored: " + s + ")");
                    lost++;
                } else if (!entity.equals(s.getString("entity")) || s.getInt("kind") != KIND
                        || !a.hash().equals(s.getString("hash")) || !a.payload().equals(s.get("payload"))) {
                    System.out.println("ALTERED " + when + ": " + a + " stored as " + s);
                    corrupt++;
                }
            }
            if (!stored.isEmpty()) {
                JsonObject v = http.get("entities/" + entity + "/verify").json();
                if (!v.getBoolean("valid")) {
                    System.out.println("CHAIN BROKEN " + when + ": " + v);
                    corrupt++;
                }
            }
            lastSequence[e] = stored.size() - 1L;
        }
        return new long[] {lost, corrupt};
    }

    private static JsonValue parse(String json) {
        try (var r = Json.createReader(new StringReader(json))) {
            return r.readValue();
        }
    }
}
