package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Far more concurrent clients than the writer queue holds (the shared server's queue takes 8).
 * The contract (config/README.md: "callers block when full") is back-pressure by waiting, so the
 * test proves that overload was reached — {@code /stats} showed the writer queue full — and that
 * the wait was bounded (every request answered, the slowest well within the client timeout);
 * every answer is a 2xx or a 503 with Retry-After, none is a 500 or missing; the server's memory
 * (which must be readable) stays bounded; and the store holds exactly the acknowledged events,
 * unchanged: nothing refused or unanswered was stored.
 */
class OverloadIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** The slowest answer allowed: a wait far beyond this under a full queue means callers are starved, not queued. */
    private static final Duration BOUNDED_WAIT = Duration.ofSeconds(60);

    @Test
    void moreClientsThanTheWriterQueueHoldsAreServedOrToldToRetry() throws Exception {
        boolean longRun = Boolean.getBoolean("batpak.longTests");
        int clients = longRun ? 400 : 128;
        int perClient = longRun ? 100 : 15;
        PayaraProcess server = SharedServer.get();
        Http http = server.http();
        String prefix = "overload-" + Long.toHexString(System.nanoTime()) + ":";
        List<Long> latenciesMs = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger maxQueueDepth = new AtomicInteger();
        Map<String, String> hashById = new ConcurrentHashMap<>();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> bad = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger retriesAdvised = new AtomicInteger();
        AtomicLong maxRssKiB = new AtomicLong(server.rssKiB());
        long rssBefore = maxRssKiB.get();
        assertTrue(rssBefore > 0, "the server's RSS cannot be read from /proc/" + "<pid>/status: the memory bound would go unchecked");
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int me = c;
            Thread t = new Thread(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(30)).build();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perClient; i++) {
                    String body = i % 5 == 4
                            ? "{\"events\":[" + event(prefix, me, i, 0) + "," + event(prefix, me, i, 1) + "]}"
                            : event(prefix, me, i, 0);
                    HttpRequest.Builder b = HttpRequest.newBuilder(http.uri(i % 5 == 4 ? "batches" : "events")).timeout(TIMEOUT)
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
                    if (http.bearerToken() != null) {
                        b.header("Authorization", "Bearer " + http.bearerToken());
                    }
                    HttpResponse<String> r;
                    long sent = System.nanoTime();
                    try {
                        r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    } catch (Exception e) {
                        bad.add("no answer within " + TIMEOUT + ": " + e);
                        continue;
                    }
                    latenciesMs.add((System.nanoTime() - sent) / 1_000_000);
                    synchronized (byStatus) {
                        byStatus.merge(r.statusCode(), 1, Integer::sum);
                    }
                    if (r.statusCode() == 201) {
                        JsonObject o = Json.createReader(new StringReader(r.body())).readObject();
                        if (o.containsKey("receipts")) {
                            o.getJsonArray("receipts").forEach(v -> hashById.put(v.asJsonObject().getString("eventId"),
                                    v.asJsonObject().getString("hash")));
                        } else {
                            hashById.put(o.getString("eventId"), o.getString("hash"));
                        }
                    } else if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()) {
                        retriesAdvised.incrementAndGet();
                    } else {
                        bad.add(r.statusCode() + " " + r.headers().firstValue("Retry-After").orElse("(no Retry-After)") + " "
                                + r.body());
                    }
                }
            }, "overload-" + c);
            t.start();
            threads.add(t);
        }
        Thread sampler = new Thread(() -> {
            // /stats is answered without the writer, so it shows the queue while appends wait for it.
            HttpClient statsClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            for (int n = 0; !Thread.currentThread().isInterrupted(); n++) {
                if (n % 10 == 0) {
                    maxRssKiB.accumulateAndGet(server.rssKiB(), Math::max);
                }
                try {
                    HttpRequest.Builder b = HttpRequest.newBuilder(http.uri("stats")).timeout(Duration.ofSeconds(10)).GET();
                    if (http.bearerToken() != null) {
                        b.header("Authorization", "Bearer " + http.bearerToken());
                    }
                    HttpResponse<String> r = statsClient.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        int depth = Json.createReader(new StringReader(r.body())).readObject().getInt("writerQueueDepth");
                        maxQueueDepth.accumulateAndGet(depth, Math::max);
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // a sample lost to the overload itself; the next one counts
                }
            }
        }, "stats-sampler");
        sampler.start();
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join(TIMEOUT.toMillis() * perClient);
            assertTrue(!t.isAlive(), t.getName() + " still waiting: a request hangs");
        }
        sampler.interrupt();
        sampler.join(30_000);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        List<Long> sorted = new ArrayList<>(latenciesMs);
        java.util.Collections.sort(sorted);
        long p50 = sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2);
        long p99 = sorted.isEmpty() ? -1 : sorted.get(sorted.size() * 99 / 100);
        long slowest = sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1);
        System.out.println("overload: " + clients + " clients x " + perClient + " requests against a writer queue of "
                + SharedServer.WRITER_QUEUE_CAPACITY + " in " + millis + " ms: statuses " + byStatus + ", events acknowledged "
                + hashById.size() + ", 503 with Retry-After " + retriesAdvised.get() + ", server RSS " + rssBefore / 1024
                + " MiB before, " + maxRssKiB.get() / 1024 + " MiB at most; writer queue depth at most " + maxQueueDepth.get()
                + "; latency p50 " + p50 + " ms, p99 " + p99 + " ms, max " + slowest + " ms");
        assertTrue(bad.isEmpty(), "answers other than 2xx or 503 with Retry-After (" + bad.size() + "): "
                + bad.subList(0, Math.min(5, bad.size())));
        assertTrue(hashById.size() > 0, "overload acknowledged nothing");
        assertEquals(SharedServer.WRITER_QUEUE_CAPACITY, maxQueueDepth.get(), "the writer queue never filled up: the test did not"
                + " overload the writer (" + clients + " clients)");
        assertEquals(latenciesMs.size(), clients * perClient - bad.size(), "every request sent got an answer");
        assertTrue(slowest < BOUNDED_WAIT.toMillis(), "a caller waited " + slowest + " ms for a full writer queue: the wait must be"
                + " bounded (below " + BOUNDED_WAIT + ")");
        // -Xmx512m bounds the heap; RSS adds metaspace, code cache and thread stacks. Unbounded buffering would OOM first.
        assertTrue(maxRssKiB.get() < 1_600_000, "server RSS grew to " + maxRssKiB.get() / 1024 + " MiB");
        assertEquals(hashById.keySet(), storedIds(http, prefix), "the store must hold exactly the acknowledged events: nothing"
                + " refused with a 503 (or left unanswered) may have been stored");
        for (Map.Entry<String, String> e : hashById.entrySet()) {
            Http.Reply r = http.get("events/" + e.getKey());
            assertEquals(200, r.status(), () -> "acknowledged event " + e.getKey() + " missing after the overload: " + r);
            assertEquals(e.getValue(), r.json().getString("hash"), "event " + e.getKey() + " altered");
        }
    }

    /** The ids of every stored event whose entity starts with {@code prefix}, paging through {@code GET /events}. */
    private static java.util.Set<String> storedIds(Http http, String prefix) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        String after = "0";
        while (true) {
            Http.Reply r = http.get("events?entityPrefix=" + java.net.URLEncoder.encode(prefix, java.nio.charset.StandardCharsets.UTF_8)
                    + "&after=" + after + "&limit=1000");
            assertEquals(200, r.status(), r::toString);
            JsonObject page = r.json();
            page.getJsonArray("events").forEach(v -> assertTrue(ids.add(v.asJsonObject().getString("eventId")),
                    "event listed twice: " + v));
            if (page.isNull("next")) {
                return ids;
            }
            after = page.getJsonNumber("next").toString();
        }
    }

    private static String event(String prefix, int client, int i, int part) {
        return "{\"entity\":\"" + prefix + client % 50 + "\",\"scope\":\"o\",\"kind\":61441,\"payload\":{\"c\":" + client
                + ",\"i\":" + i + ",\"p\":" + part + ",\"pad\":\"" + "o".repeat(200) + "\"}}";
    }
}
