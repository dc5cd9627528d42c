package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.it.app.streams.StreamProbe;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Streams, consumer groups and transactions over HTTP (HTTP-API.md "Streams, consumer groups,
 * transactions") against the real WAR, and the {@code batpak} Reactive Messaging connector through
 * the test beans of {@code io.batpak.it.app.streams}. One deployment; stream names are unique per run
 * except the connector's, which its configuration fixes.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StreamsIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    /** Guard against a hang only; never a performance expectation. */
    private static final long HANG_GUARD_MS = 120_000;

    @ArquillianResource
    URL baseUrl;
    private Http http;

    @Deployment(testable = false)
    static WebArchive deployment() {
        File war = new File(System.getProperty("batpak.war", "../web-module/target/batpak.war"));
        assertTrue(war.isFile(), "the WAR under test is missing: " + war + " (build web-module first)");
        return ShrinkWrap.createFromZipFile(WebArchive.class, war).addPackage(StreamProbe.class.getPackage())
                .addAsResource("streams/microprofile-config.properties", "META-INF/microprofile-config.properties");
    }

    @BeforeEach
    void client() throws Exception {
        http = new Http(baseUrl.toURI().resolve("api/v1/"), Http.adminToken(Http.arquillianDataDir()));
    }

    private static String stream(String name) {
        return name + "-" + RUN;
    }

    private Http.Reply put(String path, String json) {
        return http.send(HttpRequest.newBuilder(http.uri(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    private Http.Reply delete(String path) {
        return http.send(HttpRequest.newBuilder(http.uri(path)).DELETE());
    }

    private void createStream(String s, int partitions) {
        Http.Reply r = put("streams/" + s, "{\"partitions\":" + partitions + "}");
        assertTrue(r.status() == 201 || r.status() == 200, () -> "create stream " + s + ": " + r);
    }

    private JsonObject publish(String s, String key, String payload) {
        Http.Reply r = http.post("streams/" + s + "/events", "{\"key\":\"" + key + "\",\"kind\":61441,\"payload\":"
                + payload + "}");
        assertEquals(201, r.status(), () -> "publish: " + r);
        return r.json();
    }

    private JsonArray poll(String s, String group, String consumer, int max, long waitMs) {
        Http.Reply r = http.post("streams/" + s + "/groups/" + group + "/poll", "{\"consumer\":\"" + consumer
                + "\",\"max\":" + max + ",\"waitMs\":" + waitMs + "}");
        assertEquals(200, r.status(), () -> "poll: " + r);
        return r.json().getJsonArray("deliveries");
    }

    private static String ids(List<String> ids) {
        return "{\"deliveryIds\":[" + String.join(",", ids.stream().map(i -> "\"" + i + "\"").toList()) + "]}";
    }

    private static List<String> idsOf(JsonArray deliveries) {
        List<String> out = new ArrayList<>();
        deliveries.forEach(d -> out.add(d.asJsonObject().getString("deliveryId")));
        return out;
    }

    private static String place(JsonObject d) {
        return d.getInt("partition") + "/" + d.getJsonNumber("offset").longValue();
    }

    private static JsonObject assertProblem(Http.Reply r, int status, String code) {
        assertEquals(status, r.status(), () -> "expected " + status + " " + code + ", got " + r);
        assertTrue(r.header("Content-Type").startsWith("application/problem+json"), () -> "not a problem: " + r);
        assertEquals(code, r.json().getString("code"), () -> "problem code: " + r);
        return r.json();
    }

    /**
     * 200 long polls at once are suspended, not parked on request threads: all of them answer (the
     * 50 events published meanwhile each to exactly one poll, the others empty when their wait
     * ends), and the server's live threads (MP Metrics base thread_count) do not grow by anything
     * near 200 while they wait. The polls are sent in waves of 20, so that the request pool never
     * needs to grow for a burst of arrivals: what is measured is what waiting itself costs.
     */
    @Test
    void twoHundredSimultaneousLongPollsAllAnswerWithoutAThreadEach() throws Exception {
        String s = stream("many-polls");
        createStream(s, 4);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)).build();
        assertEquals(0, poll(s, "many", "first", 1, 0).size()); // creates the group
        long before = threadCount();
        List<CompletableFuture<HttpResponse<String>>> waiting = polls(client, s, 20_000);
        Thread.sleep(2_000); // let the last wave reach the server and suspend (a settle, not a measurement)
        long during = threadCount();
        StringBuilder events = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 50; i++) {
            events.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"kind\":61441,\"payload\":")
                    .append(i).append('}');
        }
        Http.Reply published = http.post("streams/" + s + "/events", events.append("]}").toString());
        assertEquals(201, published.status(), () -> "publish: " + published);
        Set<String> delivered = new HashSet<>();
        int answered = 0;
        for (CompletableFuture<HttpResponse<String>> f : waiting) {
            HttpResponse<String> r = f.get(HANG_GUARD_MS, TimeUnit.MILLISECONDS);
            assertEquals(200, r.statusCode(), () -> "a long poll: " + r.body());
            try (jakarta.json.JsonReader reader = jakarta.json.Json.createReader(new java.io.StringReader(r.body()))) {
                for (JsonValue d : reader.readObject().getJsonArray("deliveries")) {
                    assertTrue(delivered.add(place(d.asJsonObject())), () -> "delivered twice: " + d);
                }
            }
            answered++;
        }
        assertEquals(200, answered);
        assertEquals(50, delivered.size(), "each event published while the polls waited went to one of them");
        long grown = during - before;
        System.out.println("StreamsIT: server threads " + before + " before 200 long polls, " + during + " while they waited");
        assertTrue(grown < 100, "server threads grew by " + grown + " (from " + before + " to " + during
                + ") while 200 polls waited");
    }

    /** 200 polls of group "many", each by its own consumer waiting up to {@code waitMs}, in waves of 20. */
    private List<CompletableFuture<HttpResponse<String>>> polls(HttpClient client, String s, long waitMs)
            throws InterruptedException {
        List<CompletableFuture<HttpResponse<String>>> out = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            if (i > 0 && i % 20 == 0) {
                Thread.sleep(250);
            }
            HttpRequest req = HttpRequest.newBuilder(http.uri("streams/" + s + "/groups/many/poll"))
                    .header("Content-Type", "application/json").header("Authorization", http.authorization())
                    .timeout(Duration.ofMillis(HANG_GUARD_MS))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"consumer\":\"c" + i + "\",\"max\":1,\"waitMs\":"
                            + waitMs + "}")).build();
            out.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
        }
        return out;
    }

    /** The server JVM's live threads from MP Metrics (base scope), in either naming of the metric. */
    private long threadCount() {
        Http.Reply r = http.get(baseUrl.toString().replaceFirst("^(https?://[^/]+).*$", "$1") + "/metrics?scope=base");
        assertEquals(200, r.status(), () -> "metrics: " + r);
        for (String line : r.text().split("\n")) {
            if (line.startsWith("base_thread_count") || line.startsWith("thread_count")) {
                String[] parts = line.trim().split("\\s+");
                return (long) Double.parseDouble(parts[parts.length - 1]);
            }
        }
        throw new AssertionError("no thread count in /metrics: " + r.text());
    }

    @Test
    void keysGoToOnePartitionWithGapFreeOffsets() {
        String s = stream("keys");
        createStream(s, 4);
        JsonObject a = publish(s, "order-17", "1");
        JsonObject b = publish(s, "order-17", "2");
        assertEquals(a.getInt("partition"), b.getInt("partition"), "one key, two partitions");
        assertEquals(a.getJsonNumber("offset").longValue() + 1, b.getJsonNumber("offset").longValue(),
                "offsets of one partition have a gap");
        Http.Reply batch = http.post("streams/" + s + "/events", "{\"events\":[{\"key\":\"x\",\"kind\":61441,"
                + "\"payload\":1},{\"key\":\"y\",\"kind\":61441,\"payload\":2}]}");
        assertEquals(201, batch.status(), batch::toString);
        assertEquals(2, batch.json().getJsonArray("events").size(), "batch answer");
        assertEquals(200, put("streams/" + s, "{\"partitions\":6}").status(), "grow");
        assertProblem(put("streams/" + s, "{\"partitions\":2}"), 400, "invalid-request");
        assertProblem(http.post("streams/nope-" + RUN + "/events", "{\"key\":\"k\",\"kind\":61441,\"payload\":1}"), 404,
                "not-found");
        assertProblem(http.post("streams/" + s + "/events", "{\"key\":\"k\",\"kind\":1,\"payload\":1}"), 400,
                "reserved-kind");
        assertProblem(http.get("streams/" + s + "/groups/none"), 404, "not-found");
    }

    @Test
    void threeCompetingConsumersOneNeverAcks() throws Exception {
        String s = stream("compete");
        createStream(s, 4);
        Http.Reply cfg = put("streams/" + s + "/groups/g", "{\"ackTimeoutMs\":1500,\"maxInFlight\":5,"
                + "\"start\":\"earliest\"}");
        assertEquals(200, cfg.status(), cfg::toString);
        StringBuilder events = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 40; i++) {
            events.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"kind\":61441,\"payload\":")
                    .append(i).append('}');
        }
        assertEquals(201, http.post("streams/" + s + "/events", events.append("]}").toString()).status());

        // the member that never acks takes its share first, then goes silent
        JsonArray lost = poll(s, "g", "silent", 5, 0);
        assertEquals(5, lost.size(), "the silent member's first poll");

        Map<String, Integer> acked = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        List<CompletableFuture<Void>> members = new ArrayList<>();
        for (String c : List.of("c1", "c2")) {
            members.add(CompletableFuture.runAsync(() -> {
                long giveUp = System.currentTimeMillis() + HANG_GUARD_MS;
                while (!done.get() && System.currentTimeMillis() < giveUp) {
                    JsonArray got = poll(s, "g", c, 5, 1000);
                    if (got.isEmpty()) {
                        continue;
                    }
                    Http.Reply r = http.post("streams/" + s + "/groups/g/ack", ids(idsOf(got)));
                    assertEquals(200, r.status(), r::toString);
                    Set<String> unknown = new HashSet<>();
                    r.json().getJsonArray("unknown").forEach(u -> unknown.add(((jakarta.json.JsonString) u).getString()));
                    for (JsonValue d : got) {
                        if (!unknown.contains(d.asJsonObject().getString("deliveryId"))) {
                            acked.merge(place(d.asJsonObject()), 1, Integer::sum);
                        }
                    }
                }
            }));
        }
        long giveUp = System.currentTimeMillis() + HANG_GUARD_MS;
        while (acked.size() < 40 && System.currentTimeMillis() < giveUp) {
            Thread.sleep(100);
        }
        done.set(true);
        for (CompletableFuture<Void> m : members) {
            m.get(60, TimeUnit.SECONDS);
        }
        assertEquals(40, acked.size(), "events acked: " + acked.keySet());
        acked.forEach((p, n) -> assertEquals(1, n, "event " + p + " acked " + n + " times"));
        for (JsonValue d : lost) {
            assertTrue(acked.containsKey(place(d.asJsonObject())), "the silent member's delivery " + d
                    + " never went to another member");
        }
        JsonObject state = http.get("streams/" + s + "/groups/g").json();
        long committed = 0;
        for (JsonValue p : state.getJsonArray("partitions")) {
            JsonObject o = p.asJsonObject();
            assertEquals(0, o.getInt("lag"), "lag of partition " + o);
            assertEquals(0, o.getInt("inFlight"), "in flight of partition " + o);
            committed += o.getJsonNumber("committedOffset").longValue();
        }
        assertEquals(40, committed, "committed offsets over all partitions");
        Http.Reply late = http.post("streams/" + s + "/groups/g/ack", ids(idsOf(lost)));
        assertEquals(0, late.json().getInt("acked"), "a late ack of timed out deliveries settled something");
        assertEquals(5, late.json().getJsonArray("unknown").size(), "late ids are reported unknown");
    }

    @Test
    void nackRedeliversAndLongPollWakesOnPublish() throws Exception {
        String s = stream("nack");
        createStream(s, 2);
        CompletableFuture<JsonArray> waiting = CompletableFuture.supplyAsync(() -> poll(s, "g", "w", 10, 25_000));
        long giveUp = System.currentTimeMillis() + HANG_GUARD_MS;
        while (http.get("streams/" + s + "/groups/g").status() == 404 && System.currentTimeMillis() < giveUp) {
            Thread.sleep(20); // until the waiting poll has created the group
        }
        publish(s, "k", "\"wake\"");
        JsonArray got = waiting.get(60, TimeUnit.SECONDS);
        assertEquals(1, got.size(), "the waiting poll did not return the published event");
        Http.Reply nack = http.post("streams/" + s + "/groups/g/nack", ids(idsOf(got)));
        assertEquals(1, nack.json().getInt("nacked"), nack::toString);
        JsonArray again = poll(s, "g", "other", 10, 0);
        assertEquals(1, again.size(), "nacked event redelivered");
        assertEquals(place(got.getJsonObject(0)), place(again.getJsonObject(0)), "redelivered another event");
        assertFalse(got.getJsonObject(0).getString("deliveryId").equals(again.getJsonObject(0).getString("deliveryId")),
                "a redelivery reuses the delivery id");
        assertEquals("wake", again.getJsonObject(0).getJsonObject("event").getString("payload"), "delivered event");
    }

    @Test
    void aPoisonEventIsParkedListedAndReplayed() {
        String s = stream("park");
        createStream(s, 1);
        Http.Reply configured = put("streams/" + s + "/groups/g", "{\"ackTimeoutMs\":60000,\"maxDeliveries\":2}");
        assertEquals(200, configured.status(), configured::toString);
        assertEquals(2, configured.json().getInt("maxDeliveries"), "maxDeliveries is part of the group's configuration");
        publish(s, "k", "\"good\"");
        publish(s, "k", "\"poison\"");
        publish(s, "k", "\"good too\"");
        JsonArray all = poll(s, "g", "w", 10, 0);
        assertEquals(3, all.size(), "three events delivered");
        http.post("streams/" + s + "/groups/g/ack", ids(List.of(all.getJsonObject(0).getString("deliveryId"),
                all.getJsonObject(2).getString("deliveryId"))));
        String nackBody = "{\"deliveryIds\":[\"%s\"],\"reason\":\"cannot parse \\\"poison\\\"\"}";
        http.post("streams/" + s + "/groups/g/nack", String.format(nackBody, all.getJsonObject(1).getString("deliveryId")));
        JsonArray again = poll(s, "g", "w", 10, 0);
        assertEquals(1, again.size(), "the first nack redelivers");
        Http.Reply second = http.post("streams/" + s + "/groups/g/nack",
                String.format(nackBody, again.getJsonObject(0).getString("deliveryId")));
        assertEquals(1, second.json().getInt("nacked"), second::toString);
        assertEquals(0, poll(s, "g", "w", 10, 0).size(), "a parked event is not delivered");

        JsonObject part = http.get("streams/" + s + "/groups/g").json().getJsonArray("partitions").getJsonObject(0);
        assertEquals(3, part.getJsonNumber("committedOffset").longValue(), "the parked event does not hold back the group: " + part);
        assertEquals(1, part.getInt("parked"), "group state counts the parked event: " + part);
        Http.Reply listed = http.get("streams/" + s + "/groups/g/parked?limit=10");
        assertEquals(200, listed.status(), listed::toString);
        JsonObject p = listed.json().getJsonArray("parked").getJsonObject(0);
        assertEquals(1, p.getJsonNumber("offset").longValue(), "the parked offset: " + p);
        assertEquals(2, p.getInt("deliveries"), "deliveries without an ack: " + p);
        assertEquals("cannot parse \"poison\"", p.getString("lastReason"), "the nack's reason: " + p);
        assertEquals("poison", p.getJsonObject("event").getString("payload"), "the parked event: " + p);
        assertTrue(listed.json().isNull("next"), "one page: " + listed);
        assertProblem(http.get("streams/" + s + "/groups/g/parked?after=bogus"), 400, "invalid-request");

        Http.Reply replay = http.post("streams/" + s + "/groups/g/parked/replay", "{\"offsets\":[{\"partition\":0,\"offset\":1}]}");
        assertEquals(1, replay.json().getInt("replayed"), replay::toString);
        JsonArray revived = poll(s, "g", "w", 10, 0);
        assertEquals(1, revived.size(), "the replayed event is delivered again");
        assertEquals("poison", revived.getJsonObject(0).getJsonObject("event").getString("payload"), "the replayed event");
        http.post("streams/" + s + "/groups/g/ack", ids(idsOf(revived)));
        part = http.get("streams/" + s + "/groups/g").json().getJsonArray("partitions").getJsonObject(0);
        assertEquals(0, part.getInt("parked"), "nothing parked after the replay was acked: " + part);
        assertEquals(0, part.getJsonNumber("lag").longValue(), "no lag: " + part);
    }

    @Test
    void transactionCommitsEventsAndAckTogether() {
        String in = stream("tx-in");
        String out = stream("tx-out");
        createStream(in, 1);
        createStream(out, 2);
        publish(in, "k", "1");
        JsonArray got = poll(in, "g", "c", 1, 0);
        String tx = http.post("transactions", "{}").json().getString("txId");
        assertEquals(200, http.post("transactions/" + tx + "/events", "{\"stream\":\"" + out + "\",\"key\":\"k\","
                + "\"kind\":61441,\"payload\":{\"n\":1}}").status());
        assertEquals(200, http.post("transactions/" + tx + "/events", "{\"entity\":\"order:" + RUN + "\",\"scope\":\""
                + out + "\",\"kind\":61441,\"payload\":1}").status());
        Http.Reply commit = http.post("transactions/" + tx + "/commit", "{\"ack\":{\"stream\":\"" + in
                + "\",\"group\":\"g\",\"deliveryIds\":[\"" + got.getJsonObject(0).getString("deliveryId") + "\"]}}");
        assertEquals(200, commit.status(), commit::toString);
        assertEquals(1, commit.json().getInt("acked"), commit::toString);
        assertEquals(2, commit.json().getJsonArray("receipts").size(), commit::toString);
        JsonArray receipts = commit.json().getJsonArray("receipts");
        long first = receipts.getJsonObject(0).getJsonNumber("globalSequence").longValue();
        assertEquals(first + 1, receipts.getJsonObject(1).getJsonNumber("globalSequence").longValue(),
                "statements of one transaction are not consecutive");
        assertEquals(1, http.get("streams/" + in + "/groups/g").json().getJsonArray("partitions").getJsonObject(0)
                .getInt("committedOffset"), "the ack committed with the transaction");
        assertEquals(1, poll(out, "g", "c", 10, 0).size(), "the published statement");
        assertEquals(1, http.get("entities/order:" + RUN + "/events").json().getJsonArray("events").size(),
                "the append statement");
        assertProblem(http.post("transactions/" + tx + "/commit", "{}"), 404, "not-found");
    }

    @Test
    void ackOfAnExpiredDeliveryIs409AndCommitsNothing() throws Exception {
        String in = stream("exp-in");
        String out = stream("exp-out");
        createStream(in, 1);
        createStream(out, 1);
        assertEquals(200, put("streams/" + in + "/groups/g", "{\"ackTimeoutMs\":300}").status());
        publish(in, "k", "1");
        JsonArray got = poll(in, "g", "c", 1, 0);
        Thread.sleep(600); // let the delivery time out
        String tx = http.post("transactions", "").json().getString("txId");
        http.post("transactions/" + tx + "/events", "{\"stream\":\"" + out + "\",\"key\":\"k\",\"kind\":61441,"
                + "\"payload\":1}");
        assertProblem(http.post("transactions/" + tx + "/commit", "{\"ack\":{\"stream\":\"" + in + "\",\"group\":\"g\","
                + "\"deliveryIds\":[\"" + got.getJsonObject(0).getString("deliveryId") + "\"]}}"), 409, "delivery-expired");
        assertEquals(0, http.get("streams/" + out).json().getJsonArray("heads").getJsonObject(0).getInt("head"),
                "a statement of the failed transaction was committed");
        assertProblem(http.post("transactions/" + tx + "/events", "{\"stream\":\"" + out + "\",\"kind\":61441,"
                + "\"payload\":1}"), 404, "not-found");
    }

    @Test
    void abortedAndIdleTransactionsAre404() throws Exception {
        String s = stream("abort");
        createStream(s, 1);
        String tx = http.post("transactions", "").json().getString("txId");
        http.post("transactions/" + tx + "/events", "{\"stream\":\"" + s + "\",\"kind\":61441,\"payload\":1}");
        assertEquals(204, delete("transactions/" + tx).status(), "abort");
        assertProblem(http.post("transactions/" + tx + "/commit", ""), 404, "not-found");
        assertProblem(delete("transactions/" + tx), 404, "not-found");
        String idle = http.post("transactions", "").json().getString("txId");
        http.post("transactions/" + idle + "/events", "{\"stream\":\"" + s + "\",\"kind\":61441,\"payload\":1}");
        Thread.sleep(2_500); // past batpak.streams.tx-idle-timeout-ms=2000 of this deployment
        assertProblem(http.post("transactions/" + idle + "/commit", ""), 404, "not-found");
        assertEquals(0, http.get("streams/" + s).json().getJsonArray("heads").getJsonObject(0).getInt("head"),
                "an aborted or expired transaction wrote its statement");
    }

    @Test
    void connectorConsumesAGroupAndPublishesToAStream() throws Exception {
        createStream("conn-in", 2);
        createStream("conn-out", 2);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String payload = "\"" + RUN + "-" + i + (i == 2 ? "-nack-once" : "") + "\"";
            publish("conn-in", "k" + i, payload);
            sent.add(payload);
        }
        long giveUp = System.currentTimeMillis() + HANG_GUARD_MS;
        Map<String, Integer> seen = new HashMap<>();
        while (System.currentTimeMillis() < giveUp) {
            seen.clear();
            JsonArray received = (JsonArray) http.get("_streams-probe/received").structure();
            for (JsonValue v : received) {
                String d = ((jakarta.json.JsonString) v).getString();
                seen.merge(d.substring(0, d.indexOf('@')), 1, Integer::sum);
            }
            if (sent.stream().allMatch(p -> seen.containsKey(p)) && seen.getOrDefault(sent.get(2), 0) >= 2) {
                break;
            }
            Thread.sleep(100);
        }
        for (String p : sent) {
            assertEquals(p.contains("nack-once") ? 2 : 1, seen.getOrDefault(p, 0), "deliveries of " + p + ": " + seen);
        }
        long lag = Long.MAX_VALUE;
        while (lag != 0 && System.currentTimeMillis() < giveUp) {
            lag = 0;
            for (JsonValue p : http.get("streams/conn-in/groups/probe").json().getJsonArray("partitions")) {
                lag += p.asJsonObject().getJsonNumber("lag").longValue();
            }
            Thread.sleep(lag == 0 ? 0 : 100);
        }
        assertEquals(0, lag, "the connector's acks did not reach the group");

        Http.Reply r = http.post("_streams-probe/publish?key=out-" + RUN, "{\"via\":\"connector\"}");
        assertEquals("ack", r.text(), () -> "outgoing channel: " + r);
        JsonArray out = poll("conn-out", "check-" + RUN, "c", 100, 0);
        boolean found = false;
        for (JsonValue d : out) {
            JsonObject e = d.asJsonObject().getJsonObject("event");
            if (e.containsKey("attributes") && ("out-" + RUN).equals(e.getJsonObject("attributes")
                    .getString("stream.key", null))) {
                assertEquals("connector", e.getJsonObject("payload").getString("via"), "published payload");
                found = true;
            }
        }
        if (!found) {
            fail("the connector's message is not in conn-out: " + out);
        }
    }

    @Test
    void connectorMembersCompeteAndTheSilentOnesDeliveriesGoToTheOthers() throws Exception {
        createStream("conn-compete", 3);
        Http.Reply cfg = put("streams/conn-compete/groups/workers", "{\"ackTimeoutMs\":5000,\"maxInFlight\":5}");
        assertEquals(200, cfg.status(), cfg::toString);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String payload = "\"" + RUN + "-c" + i + "\""; // the connector hands over the payload's JSON text
            publish("conn-compete", "k" + i, payload);
            sent.add(payload);
        }
        long giveUp = System.currentTimeMillis() + HANG_GUARD_MS;
        long lag = Long.MAX_VALUE;
        while (lag != 0 && System.currentTimeMillis() < giveUp) {
            Thread.sleep(200);
            lag = 0;
            for (JsonValue p : http.get("streams/conn-compete/groups/workers").json().getJsonArray("partitions")) {
                lag += p.asJsonObject().getJsonNumber("lag").longValue();
            }
        }
        assertEquals(0, lag, "the group did not ack everything through the connector");
        Map<String, Integer> acking = new HashMap<>();
        Set<String> silent = new HashSet<>();
        for (JsonValue v : (JsonArray) http.get("_streams-probe/competing").structure()) {
            String[] d = ((jakarta.json.JsonString) v).getString().split(":", 2);
            if (d[0].equals("silent")) {
                silent.add(d[1]);
            } else {
                acking.merge(d[1], 1, Integer::sum);
            }
        }
        for (String p : sent) {
            assertEquals(1, acking.getOrDefault(p, 0), "deliveries of " + p + " to the acking members " + acking);
        }
        assertFalse(silent.stream().noneMatch(sent::contains), "the silent member got none of the events: " + silent);
    }
}
