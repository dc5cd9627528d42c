package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.it.app.flow.CountsDerivation;
import io.batpak.it.app.flow.PoisonedDerivation;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * A derivation on a real Payara Micro (one child server, SIGKILLed once under load and started
 * again on the same data): the CDI bean {@link CountsDerivation} (four shards over streams
 * {@code clicks} and {@code buys}, per-key counts and sums, one derived event per source event)
 * starts with the application. Checks {@code GET /derivations} and health before and after, and
 * that once its lag is 0 after the restart every key's state equals a recomputation from scratch
 * over the source streams as read back over HTTP, and the derived stream holds exactly one event
 * per source event. Last, a second bean whose apply throws on a poisoned event is {@code failed}
 * and makes readiness DOWN with its name.
 */
class DerivationsIT {
    private static final int KIND = 4097;
    private static final int KEYS = 24;
    private static final int THREADS = 4;
    private static final int BATCH = 8;
    private static final List<String> SOURCES = List.of("clicks", "buys");

    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

    private static Path war(Path dir) throws Exception {
        File war = new File(System.getProperty("batpak.war", "../web-module/target/batpak.war"));
        assertTrue(war.isFile(), "the WAR under test is missing: " + war + " (build web-module first)");
        Path out = dir.resolve("derivations-it.war");
        Files.createDirectories(dir);
        ShrinkWrap.createFromZipFile(WebArchive.class, war).addPackage(CountsDerivation.class.getPackage())
                .as(ZipExporter.class).exportTo(out.toFile(), true);
        return out;
    }

    @Test
    void fourShardsOverTwoStreamsApplyEachEventOnceAcrossASigkill() throws Exception {
        Path root = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "derivations-" + UUID.randomUUID());
        try (PayaraProcess server = new PayaraProcess(root.resolve("data"), root.resolve("payara.log"),
                List.of("-Dbatpak.derivations.batch-size=64", "-Dbatpak.derivations.idle-wait-ms=100"), war(root))) {
            server.start();
            Http http = server.http();
            // Started with the application, before its sources exist: waiting, and the server stays ready.
            JsonObject waiting = derivation(http);
            assertEquals(CountsDerivation.NAME, waiting.getString("name"));
            assertEquals(List.of("clicks", "buys"), strings(waiting.getJsonArray("sources")), waiting.toString());
            assertEquals(4, waiting.getInt("shards"), waiting.toString());
            ok(put(http, "streams/clicks", "{\"partitions\":3}"), 201);
            ok(put(http, "streams/buys", "{\"partitions\":2}"), 201);
            ok(put(http, "streams/" + CountsDerivation.OUT, "{\"partitions\":2}"), 201);
            assertEquals("not-found", problem(http.get("derivations/none/state/k1"), 404));

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger published = new AtomicInteger();
            List<Thread> load = load(http, stop, published);
            long until = System.nanoTime() + 8_000_000_000L;
            while (published.get() < 1600 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            JsonObject during = derivation(http);
            server.kill(); // under load: the publishers are still sending
            stop.set(true);
            for (Thread t : load) {
                t.join();
            }
            assertTrue(published.get() >= 200, "too little load before the kill: " + published.get());

            server.start();
            http = server.http();
            publish(http, new Random(7), 5); // the derivation goes on with new events after the restart
            JsonObject done = awaitCaughtUp(http, 90);
            assertEquals("running", done.getString("state"), done.toString());
            assertTrue(done.getJsonNumber("commits").longValue() > 0, done.toString());
            Map<String, long[]> truth = new TreeMap<>();
            List<String> sourceIds = new ArrayList<>();
            for (String s : SOURCES) {
                JsonObject heads = ok(http.get("streams/" + s), 200);
                JsonArray cp = done.getJsonObject("checkpoint").getJsonArray(s);
                for (JsonValue h : heads.getJsonArray("heads")) {
                    JsonObject o = h.asJsonObject();
                    assertEquals(o.getJsonNumber("head").longValue(), cp.getJsonNumber(o.getInt("partition")).longValue(),
                            "caught up: the checkpoint of " + s + " is its heads " + heads + ": " + done);
                }
                for (JsonObject d : readAll(http, s)) {
                    JsonObject e = d.getJsonObject("event");
                    String key = e.getJsonObject("attributes").getString("stream.key");
                    long[] cs = truth.computeIfAbsent(key, k -> new long[2]);
                    cs[0]++;
                    cs[1] += e.getJsonObject("payload").getJsonNumber("v").longValue();
                    sourceIds.add(e.getString("entity") + "#" + e.getJsonNumber("sequence").longValue());
                }
            }
            // Every acknowledged publish is durable (sync mode every-commit); some in flight at the kill may be too.
            assertTrue(sourceIds.size() >= published.get() + 5 * BATCH, "source events read back: " + sourceIds.size()
                    + ", acknowledged: " + published.get() + " + " + 5 * BATCH + " after the restart");
            for (Map.Entry<String, long[]> e : truth.entrySet()) {
                JsonObject state = ok(http.get("derivations/counts/state/" + e.getKey()), 200);
                assertEquals("json", state.getString("encoding"), state.toString());
                JsonObject v = state.getJsonObject("value");
                assertEquals(e.getValue()[0], v.getJsonNumber("count").longValue(), "count of " + e.getKey() + ": " + state);
                assertEquals(e.getValue()[1], v.getJsonNumber("sum").longValue(), "sum of " + e.getKey() + ": " + state);
            }
            assertEquals("not-found", problem(http.get("derivations/counts/state/no-such-key"), 404));

            List<String> derived = new ArrayList<>();
            for (JsonObject d : readAll(http, CountsDerivation.OUT)) {
                derived.add(d.getJsonObject("event").getJsonObject("payload").getString("src"));
            }
            TreeSet<String> unique = new TreeSet<>(derived);
            assertEquals(derived.size(), unique.size(), "a derived event was duplicated");
            assertEquals(new TreeSet<>(sourceIds), unique, "derived events are exactly one per source event");

            JsonObject ready = ok(new Http(server.base().resolve("/")).get("health/ready"), 200);
            JsonObject check = check(ready, "batpak-derivations");
            assertEquals("UP", check.getString("status"), ready.toString());
            assertEquals("running", check.getJsonObject("data").getString("counts"), ready.toString());
            JsonArray stats = ok(http.get("stats"), 200).getJsonArray("derivations");
            assertEquals(2, stats.size(), stats.toString());
            for (JsonValue v : stats) {
                if (v.asJsonObject().getString("name").equals(CountsDerivation.NAME)) {
                    assertEquals(0, v.asJsonObject().getJsonNumber("lag").longValue(), stats.toString());
                }
            }
            assertEquals(List.of(), failures, "publisher failures before the kill");
            metrics(server);
            aFailingDerivationIsReported(server, http); // last: readiness stays DOWN
            System.out.println("DerivationsIT: " + sourceIds.size() + " source events, " + truth.size()
                    + " keys; status during the load " + during);
        }
    }

    /** Publishers on several threads, each posting batches of keyed events until stopped or the server goes away. */
    private List<Thread> load(Http http, AtomicBoolean stop, AtomicInteger published) {
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Random r = new Random(i);
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        published.addAndGet(publish(http, r, 1));
                    } catch (AssertionError e) {
                        if (!stop.get() && e.getMessage() != null && !e.getMessage().startsWith("HTTP request failed")) {
                            failures.add(e.toString());
                        }
                        return; // the server was killed
                    }
                }
            }, "derivations-it-load-" + i);
            t.start();
            ts.add(t);
        }
        return ts;
    }

    /** Posts {@code batches} batches of {@link #BATCH} events to random sources; returns the events acknowledged. */
    private static int publish(Http http, Random r, int batches) {
        int n = 0;
        for (int b = 0; b < batches; b++) {
            StringBuilder body = new StringBuilder("{\"events\":[");
            for (int i = 0; i < BATCH; i++) {
                body.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(r.nextInt(KEYS)).append("\",\"kind\":")
                        .append(KIND).append(",\"payload\":{\"v\":").append(1 + r.nextInt(100)).append("}}");
            }
            Http.Reply reply = http.post("streams/" + SOURCES.get(r.nextInt(2)) + "/events", body.append("]}").toString());
            if (reply.status() != 201) {
                throw new AssertionError("publish: " + reply);
            }
            n += BATCH;
        }
        return n;
    }

    private static JsonObject derivation(Http http) {
        return derivation(http, CountsDerivation.NAME);
    }

    /** Derivation {@code name} in GET /derivations, which lists the test WAR's two beans with every field. */
    private static JsonObject derivation(Http http, String name) {
        Http.Reply r = http.get("derivations");
        assertEquals(200, r.status(), r.toString());
        JsonArray all = (JsonArray) r.structure();
        assertEquals(2, all.size(), "two derivations, the test WAR's beans: " + all);
        JsonObject found = null;
        for (JsonValue v : all) {
            JsonObject d = v.asJsonObject();
            for (String field : List.of("name", "sources", "shards", "checkpoint", "lag", "state")) {
                assertTrue(d.containsKey(field), "GET /derivations lacks " + field + ": " + d);
            }
            found = d.getString("name").equals(name) ? d : found;
        }
        assertTrue(found != null, "no derivation " + name + " in " + all);
        return found;
    }

    /** Per derivation lag and commits in /metrics, tagged with its name (Prometheus text). */
    private static void metrics(PayaraProcess server) {
        Http.Reply r = new Http(server.base().resolve("/")).get("metrics");
        assertEquals(200, r.status(), r.toString());
        String lag = null;
        String commits = null;
        for (String line : r.text().split("\n")) {
            if (line.contains("derivation=\"counts\"")) {
                lag = line.startsWith("batpak_derivation_lag") ? line : lag;
                commits = line.startsWith("batpak_derivation_commits_total") ? line : commits;
            }
        }
        assertTrue(lag != null && lag.matches(".*\\}\\s+0(\\.0)?$"), "lag metric of counts is 0: " + lag);
        assertTrue(commits != null && !commits.matches(".*\\}\\s+0(\\.0)?$"), "commits metric of counts: " + commits);
    }

    /** A derivation whose apply throws is failed in GET /derivations, and readiness is DOWN naming it. */
    private static void aFailingDerivationIsReported(PayaraProcess server, Http http) throws InterruptedException {
        ok(put(http, "streams/poison", "{\"partitions\":1}"), 201);
        // One batch, so the derivation's first step reads both and fails at the second.
        ok(http.post("streams/poison/events", "{\"events\":[{\"key\":\"a\",\"kind\":" + KIND + ",\"payload\":\"fine\"},"
                + "{\"key\":\"a\",\"kind\":" + KIND + ",\"payload\":\"poison\"}]}"), 201);
        Http ops = new Http(server.base().resolve("/"));
        long deadline = System.nanoTime() + 30_000_000_000L;
        Http.Reply ready = null;
        while (System.nanoTime() < deadline) {
            ready = ops.get("health/ready");
            if (ready.status() == 503) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(503, ready.status(), "readiness with a failed derivation: " + ready);
        JsonObject check = check(ready.json(), "batpak-derivations");
        assertEquals("DOWN", check.getString("status"), ready.toString());
        String said = check.getJsonObject("data").getString(PoisonedDerivation.NAME);
        assertTrue(said.startsWith("failed") && !said.contains("offset"), "failed, named by type only: " + said);
        assertEquals("running", check.getJsonObject("data").getString(CountsDerivation.NAME), ready.toString());
        JsonObject d = derivation(http, PoisonedDerivation.NAME);
        assertEquals("failed", d.getString("state"), d.toString());
        assertTrue(d.containsKey("failure"), d.toString());
        assertEquals(2, d.getJsonNumber("lag").longValue(), "the step with the poison commits nothing: " + d);
        assertEquals("not-found", problem(http.get("derivations/poisoned/state/a"), 404));
    }

    private static JsonObject awaitCaughtUp(Http http, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        JsonObject d = null;
        while (System.nanoTime() < deadline) {
            d = derivation(http);
            if (d.getJsonNumber("lag").longValue() == 0 && d.getString("state").equals("running")) {
                return d;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("derivation counts not caught up within " + seconds + " s: " + d);
    }

    /** Every event of {@code stream}, through a fresh consumer group from its start (acking as it goes). */
    private static List<JsonObject> readAll(Http http, String stream) {
        String group = "verify-" + UUID.randomUUID();
        List<JsonObject> out = new ArrayList<>();
        while (true) {
            JsonArray ds = ok(http.post("streams/" + stream + "/groups/" + group + "/poll",
                    "{\"consumer\":\"v\",\"max\":1000,\"waitMs\":0}"), 200).getJsonArray("deliveries");
            if (ds.isEmpty()) {
                return out;
            }
            List<String> ids = new ArrayList<>();
            for (JsonValue v : ds) {
                out.add(v.asJsonObject());
                ids.add("\"" + v.asJsonObject().getString("deliveryId") + "\"");
            }
            ok(http.post("streams/" + stream + "/groups/" + group + "/ack", "{\"deliveryIds\":[" + String.join(",", ids)
                    + "]}"), 200);
        }
    }

    private static JsonObject check(JsonObject health, String name) {
        for (JsonValue c : health.getJsonArray("checks")) {
            if (c.asJsonObject().getString("name").equals(name)) {
                return c.asJsonObject();
            }
        }
        throw new AssertionError("no health check " + name + ": " + health);
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(v -> out.add(((jakarta.json.JsonString) v).getString()));
        return out;
    }

    private static JsonObject ok(Http.Reply r, int status) {
        assertEquals(status, r.status(), r.toString());
        return r.json();
    }

    private static String problem(Http.Reply r, int status) {
        assertEquals(status, r.status(), r.toString());
        return r.json().getString("code");
    }

    private static Http.Reply put(Http http, String path, String json) {
        return http.send(java.net.http.HttpRequest.newBuilder(http.uri(path)).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json)));
    }
}
