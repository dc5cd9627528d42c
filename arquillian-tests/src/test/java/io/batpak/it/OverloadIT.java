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
 * Far more concurrent clients than the writer queue holds (the shared server's queue takes 8):
 * every answer is a 2xx or a 503 with Retry-After, none is a 500 or missing, the server's memory
 * stays bounded, and every acknowledged event is there afterwards.
 */
class OverloadIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Test
    void moreClientsThanTheWriterQueueHoldsAreServedOrToldToRetry() throws Exception {
        boolean longRun = Boolean.getBoolean("batpak.longTests");
        int clients = longRun ? 400 : 128;
        int perClient = longRun ? 100 : 15;
        PayaraProcess server = SharedServer.get();
        Http http = server.http();
        Map<String, String> hashById = new ConcurrentHashMap<>();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> bad = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger retriesAdvised = new AtomicInteger();
        AtomicLong maxRssKiB = new AtomicLong(server.rssKiB());
        long rssBefore = maxRssKiB.get();
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
                            ? "{\"events\":[" + event(me, i, 0) + "," + event(me, i, 1) + "]}"
                            : event(me, i, 0);
                    HttpRequest.Builder b = HttpRequest.newBuilder(http.uri(i % 5 == 4 ? "batches" : "events")).timeout(TIMEOUT)
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
                    if (http.bearerToken() != null) {
                        b.header("Authorization", "Bearer " + http.bearerToken());
                    }
                    HttpResponse<String> r;
                    try {
                        r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                    } catch (Exception e) {
                        bad.add("no answer within " + TIMEOUT + ": " + e);
                        continue;
                    }
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
            while (!Thread.currentThread().isInterrupted()) {
                maxRssKiB.accumulateAndGet(server.rssKiB(), Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.start();
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join(TIMEOUT.toMillis() * perClient);
            assertTrue(!t.isAlive(), t.getName() + " still waiting: a request hangs");
        }
        sampler.interrupt();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("overload: " + clients + " clients x " + perClient + " requests against a writer queue of "
                + SharedServer.WRITER_QUEUE_CAPACITY + " in " + millis + " ms: statuses " + byStatus + ", events acknowledged "
                + hashById.size() + ", 503 with Retry-After " + retriesAdvised.get() + ", server RSS " + rssBefore / 1024
                + " MiB before, " + maxRssKiB.get() / 1024 + " MiB at most");
        assertTrue(bad.isEmpty(), "answers other than 2xx or 503 with Retry-After (" + bad.size() + "): "
                + bad.subList(0, Math.min(5, bad.size())));
        assertTrue(hashById.size() > 0, "overload acknowledged nothing");
        // -Xmx512m bounds the heap; RSS adds metaspace, code cache and thread stacks. Unbounded buffering would OOM first.
        assertTrue(maxRssKiB.get() < 1_600_000 || maxRssKiB.get() < 0, "server RSS grew to " + maxRssKiB.get() / 1024 + " MiB");
        for (Map.Entry<String, String> e : hashById.entrySet()) {
            Http.Reply r = http.get("events/" + e.getKey());
            assertEquals(200, r.status(), () -> "acknowledged event " + e.getKey() + " missing after the overload: " + r);
            assertEquals(e.getValue(), r.json().getString("hash"), "event " + e.getKey() + " altered");
        }
    }

    private static String event(int client, int i, int part) {
        return "{\"entity\":\"overload:" + client % 50 + "\",\"scope\":\"o\",\"kind\":61441,\"payload\":{\"c\":" + client
                + ",\"i\":" + i + ",\"p\":" + part + ",\"pad\":\"" + "o".repeat(200) + "\"}}";
    }
}
