package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.it.app.pipelines.ChargeStage;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Pipelines on a real Payara Micro (one child server, SIGKILLed once and started again on the same
 * data): the diamond validate → (charge, email) → ship over stream {@code orders}, with validate and
 * ship worked by HTTP consumers in this test, charge by a CDI {@code @PipelineStage} bean and email
 * by a {@code batpak} connector stage channel (both in the test WAR, {@code app.pipelines}). Checks
 * the definition codes, an ack without output, parking of a poisoned stage and its replay, a manual
 * trigger, and that after the kill every instance completes with every output written once and
 * unchanged and every shipment published exactly once.
 */
class PipelinesIT {
    private static final int ORDER = 61441;
    private static final int NOISE = 61442;
    private static final int ORDERS = 24;
    private static final String DIAMOND = "\"stages\":[{\"name\":\"validate\"},{\"name\":\"charge\",\"dependsOn\":[\"validate\"]},"
            + "{\"name\":\"email\",\"dependsOn\":[\"validate\"]},{\"name\":\"ship\",\"dependsOn\":[\"charge\",\"email\"]}]";
    private static final String FULFIL = "{\"input\":\"orders\",\"triggers\":[" + ORDER + "],\"maxDeliveries\":3,"
            + "\"ackTimeoutMs\":5000," + DIAMOND + "}";

    /** (instance/stage) → the output an HTTP worker acked successfully; a second success fails the test. */
    private final Map<String, String> acked = new ConcurrentHashMap<>();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

    private static Path war(Path dir) throws Exception {
        File war = new File(System.getProperty("batpak.war", "../web-module/target/batpak.war"));
        assertTrue(war.isFile(), "the WAR under test is missing: " + war + " (build web-module first)");
        Path out = dir.resolve("pipelines-it.war");
        Files.createDirectories(dir);
        ShrinkWrap.createFromZipFile(WebArchive.class, war).addPackage(ChargeStage.class.getPackage())
                .addAsResource("pipelines/microprofile-config.properties", "META-INF/microprofile-config.properties")
                .as(ZipExporter.class).exportTo(out.toFile(), true);
        return out;
    }

    @Test
    void aDiamondCompletesOnceAcrossASigkillWithHttpCdiAndChannelWorkers() throws Exception {
        Path root = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "pipelines-" + UUID.randomUUID());
        Path data = root.resolve("data");
        try (PayaraProcess server = new PayaraProcess(data, root.resolve("payara.log"), List.of(), war(root))) {
            server.start();
            Http http = server.http();
            ok(put(http, "streams/orders", "{\"partitions\":2}"), 201);
            ok(put(http, "streams/shipments", "{\"partitions\":1}"), 201);
            definitions(http);
            for (int i = 0; i < ORDERS; i++) {
                ok(http.post("streams/orders/events", "{\"key\":\"o-" + i + "\",\"kind\":" + ORDER + ",\"payload\":\"o-" + i
                        + (i == 3 ? "-poison" : "") + "\"}"), 201);
            }
            JsonObject noise = ok(http.post("streams/orders/events", "{\"key\":\"n\",\"kind\":" + NOISE + ",\"payload\":\"n\"}"), 201);

            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> workers = workers(http, stop);
            String poison = parkAndReplayThePoison(http);
            awaitDone(http, ORDERS / 3, 120);
            Map<String, JsonObject> before = doneInstances(http);
            stop.set(true);
            for (Thread t : workers) {
                t.join();
            }
            server.kill();

            server.start();
            http = server.http();
            stop.set(false);
            workers = workers(http, stop);
            JsonObject manual = ok(http.post("pipelines/fulfil/trigger", "{\"partition\":" + noise.getInt("partition")
                    + ",\"offset\":" + noise.getJsonNumber("offset").longValue() + "}"), 201);
            assertEquals("instance-exists", problem(http.post("pipelines/fulfil/trigger", "{\"partition\":"
                    + noise.getInt("partition") + ",\"offset\":" + noise.getJsonNumber("offset").longValue() + "}"), 409));
            awaitDone(http, ORDERS + 1, 180);
            stop.set(true);
            for (Thread t : workers) {
                t.join();
            }
            assertEquals(List.of(), failures, "worker failures");

            JsonObject summary = ok(http.get("pipelines/fulfil"), 200);
            assertEquals(ORDERS + 1, summary.getInt("instances"), "one instance per trigger plus the manual one: " + summary);
            assertEquals(ORDERS + 1, summary.getInt("done"), summary.toString());
            Map<String, JsonObject> after = doneInstances(http);
            for (Map.Entry<String, JsonObject> e : before.entrySet()) {
                assertEquals(e.getValue().getJsonObject("stages").toString().replaceAll("\"deliveries\":\\d+", ""),
                        after.get(e.getKey()).getJsonObject("stages").toString().replaceAll("\"deliveries\":\\d+", ""),
                        "the outputs of " + e.getKey() + " changed across the kill");
            }
            for (JsonObject i : after.values()) {
                JsonObject stages = i.getJsonObject("stages");
                assertEquals("cdi", stages.getJsonObject("charge").getJsonObject("output").getString("by"), i.toString());
                assertEquals("channel", stages.getJsonObject("email").getJsonObject("output").getString("by"), i.toString());
                assertEquals(acked.get(i.getString("instanceId") + "/ship"),
                        stages.getJsonObject("ship").get("output").toString(), "ship output of " + i);
            }
            assertTrue(after.containsKey(poison) && after.containsKey(manual.getString("instanceId")));
            // Each ship ack published one shipment atomically with its output: exactly one per instance.
            JsonObject shipments = ok(http.get("streams/shipments"), 200);
            assertEquals(ORDERS + 1, shipments.getJsonArray("heads").getJsonObject(0).getInt("head"),
                    "shipments published: " + shipments);
        }
    }

    private void definitions(Http http) {
        ok(put(http, "pipelines/fulfil", FULFIL), 201);
        ok(put(http, "pipelines/fulfil", FULFIL), 200);
        assertEquals("pipeline-exists", problem(put(http, "pipelines/fulfil", FULFIL.replace("\"maxDeliveries\":3",
                "\"maxDeliveries\":4")), 409));
        assertEquals("invalid-pipeline", problem(put(http, "pipelines/cyclic", "{\"input\":\"orders\",\"stages\":["
                + "{\"name\":\"a\",\"dependsOn\":[\"b\"]},{\"name\":\"b\",\"dependsOn\":[\"a\"]}]}"), 400));
        assertEquals("invalid-pipeline", problem(put(http, "pipelines/empty", "{\"input\":\"orders\",\"stages\":[]}"), 400));
        assertEquals("invalid-pipeline", problem(put(http, "pipelines/unknown", "{\"input\":\"orders\",\"stages\":["
                + "{\"name\":\"a\",\"dependsOn\":[\"zz\"]}]}"), 400));
    }

    /**
     * Validates by hand until the poisoned order's validate is parked (nacked 3 times), checks the
     * parked state, an ack without output (400, counted), then replays it; the workers take it from there.
     */
    private String parkAndReplayThePoison(Http http) throws InterruptedException {
        String poison = null;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonObject state = poisonState(http);
            if (state != null && state.getJsonObject("stages").getJsonObject("validate").getString("state").equals("parked")) {
                poison = state.getString("instanceId");
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(poison != null, "the poisoned order's validate stage was not parked");
        JsonObject validate = ok(http.get("pipelines/fulfil/instances/" + poison), 200).getJsonObject("stages")
                .getJsonObject("validate");
        assertEquals(3, validate.getInt("deliveries"), validate.toString());
        assertEquals("bad card", validate.getString("lastReason"), validate.toString());
        assertTrue(ok(http.get("pipelines/fulfil"), 200).getInt("parked") >= 1);
        assertEquals(1, ok(http.post("pipelines/fulfil/replay", "{\"instanceId\":\"" + poison + "\"}"), 200).getInt("replayed"));
        poisonHealed.set(true);
        return poison;
    }

    private final AtomicBoolean poisonHealed = new AtomicBoolean();
    private volatile String poisonId;

    private JsonObject poisonState(Http http) {
        String id = poisonId;
        return id == null ? null : ok(http.get("pipelines/fulfil/instances/" + id), 200);
    }

    private List<Thread> workers(Http http, AtomicBoolean stop) {
        List<Thread> ts = new ArrayList<>();
        for (String stage : List.of("validate", "ship")) {
            Thread t = new Thread(() -> work(http, stage, stop), "pipelines-it-" + stage);
            t.start();
            ts.add(t);
        }
        return ts;
    }

    /** An HTTP consumer of one stage; the poisoned order fails validate (once with no output, then nacks) until replayed. */
    private void work(Http http, String stage, AtomicBoolean stop) {
        try {
            while (!stop.get()) {
                Http.Reply r = http.post("pipelines/fulfil/stages/" + stage + "/poll",
                        "{\"consumer\":\"it-" + stage + "\",\"max\":5,\"waitMs\":300}");
                if (r.status() != 200) {
                    failures.add(stage + " poll: " + r);
                    return;
                }
                for (JsonValue v : r.json().getJsonArray("deliveries")) {
                    JsonObject d = v.asJsonObject();
                    String id = d.getString("instanceId");
                    String order = d.getJsonObject("trigger").getString("payload");
                    if (stage.equals("validate") && order.endsWith("-poison") && !poisonHealed.get()) {
                        poisonId = id;
                        boolean first = ok(http.get("pipelines/fulfil/instances/" + id), 200).getJsonObject("stages")
                                .getJsonObject("validate").getInt("deliveries") == 1;
                        if (first) {
                            assertEquals("invalid-request", problem(http.post("pipelines/fulfil/stages/validate/ack",
                                    "{\"deliveryId\":\"" + d.getString("deliveryId") + "\"}"), 400));
                        } else {
                            ok(http.post("pipelines/fulfil/stages/validate/nack", "{\"deliveryId\":\""
                                    + d.getString("deliveryId") + "\",\"reason\":\"bad card\"}"), 200);
                        }
                        continue;
                    }
                    ack(http, stage, d, order);
                }
            }
        } catch (AssertionError | RuntimeException e) {
            failures.add(stage + ": " + e);
        }
    }

    private void ack(Http http, String stage, JsonObject d, String order) {
        String id = d.getString("instanceId");
        String output;
        String events = "";
        if (stage.equals("validate")) {
            output = "{\"valid\":true,\"order\":\"" + order + "\"}";
        } else {
            JsonObject inputs = d.getJsonObject("inputs");
            if (!inputs.containsKey("charge") || !inputs.containsKey("email")) {
                failures.add("ship of " + id + " without its inputs: " + inputs);
            }
            output = "{\"shipped\":\"" + order + "\",\"charged\":" + inputs.getJsonObject("charge").getString("by").equals("cdi") + "}";
            events = ",\"events\":[{\"stream\":\"shipments\",\"key\":\"" + order + "\",\"kind\":" + ORDER
                    + ",\"payload\":\"" + id + "\"}]";
        }
        JsonObject r = ok(http.post("pipelines/fulfil/stages/" + stage + "/ack", "{\"deliveryId\":\"" + d.getString("deliveryId")
                + "\",\"output\":" + output + events + "}"), 200);
        if (r.getInt("acked") == 1 && acked.putIfAbsent(id + "/" + stage, output) != null) {
            failures.add(stage + " of " + id + " acked twice");
        }
    }

    private static void awaitDone(Http http, int done, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        JsonObject s = null;
        while (System.nanoTime() < deadline) {
            s = ok(http.get("pipelines/fulfil"), 200);
            if (s.getInt("done") >= done) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("fewer than " + done + " instances done within " + seconds + " s: " + s);
    }

    /** Every done instance, by id, read over HTTP (positions 0..head of each partition). */
    private static Map<String, JsonObject> doneInstances(Http http) {
        Map<String, JsonObject> out = new java.util.TreeMap<>();
        JsonObject orders = ok(http.get("streams/orders"), 200);
        for (JsonValue h : orders.getJsonArray("heads")) {
            int p = h.asJsonObject().getInt("partition");
            for (long o = 0; o < h.asJsonObject().getJsonNumber("head").longValue(); o++) {
                Http.Reply r = http.get("pipelines/fulfil/instances/" + p + ":" + o);
                if (r.status() == 200 && r.json().getBoolean("done")) {
                    out.put(p + ":" + o, r.json());
                }
            }
        }
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
