package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.it.app.ExampleGate;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * The HTTP contract (HTTP-API.md: Common, Append, Read, Operations) end to end against the real WAR
 * on Payara Micro, plus the test beans deployed with it: a gate, CDI observers and a Reactive
 * Messaging consumer and producer. One deployment for the whole class; entities are unique per run.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HttpContractIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @ArquillianResource
    URL baseUrl;
    private Http http;

    @Deployment(testable = false)
    static WebArchive deployment() {
        File war = new File(System.getProperty("batpak.war", "../web-module/target/batpak.war"));
        assertTrue(war.isFile(), "the WAR under test is missing: " + war + " (build web-module first)");
        return ShrinkWrap.createFromZipFile(WebArchive.class, war).addPackage(ExampleGate.class.getPackage());
    }

    @BeforeEach
    void client() throws Exception {
        http = new Http(baseUrl.toURI().resolve("api/v1/"), Http.adminToken(Http.arquillianDataDir()));
    }

    private static String body(String entity, int kind, String payload) {
        return "{\"entity\":\"" + entity + "\",\"scope\":\"it:" + RUN + "\",\"kind\":" + kind + ",\"payload\":" + payload
                + "}";
    }

    private static String entity(String name) {
        return name + ":" + RUN;
    }

    @Test
    void appendThenReadBack() {
        String e = entity("player-alice");
        Http.Reply r = http.post("events", body(e, 0xF001, "{\"x\":10}"));
        assertEquals(201, r.status(), () -> "append: " + r);
        JsonObject receipt = r.json();
        String id = receipt.getString("eventId");
        assertEquals(0, receipt.getJsonNumber("sequence").longValue());
        assertTrue(receipt.getJsonNumber("globalSequence").longValue() >= 1);
        assertEquals(64, receipt.getString("hash").length());
        assertTrue(r.header("Location").endsWith("/api/v1/events/" + id), () -> "Location: " + r.header("Location"));

        Http.Reply got = http.get("events/" + id);
        assertEquals(200, got.status(), got::toString);
        JsonObject ev = got.json();
        assertEquals(e, ev.getString("entity"));
        assertEquals(0xF001, ev.getInt("kind"));
        assertEquals(10, ev.getJsonObject("payload").getInt("x"));
        assertEquals(receipt.getString("hash"), ev.getString("hash"));
        assertEquals("0".repeat(64), ev.getString("prevHash"));
    }

    @Test
    void errorsAreProblemsWithStableCodes() {
        assertProblem(http.get("events/" + UUID.randomUUID()), 404, "not-found");
        assertProblem(http.get("events/not-a-uuid"), 400, "invalid-request");
        assertProblem(http.post("events", "{\"entity\":"), 400, "invalid-request");
        assertProblem(http.post("events", "[1,2]"), 400, "invalid-request");
        assertProblem(http.post("events", "{\"entity\":\"a\",\"scope\":\"b\",\"kind\":\"x\"}"), 400, "invalid-request");
        assertProblem(http.post("events", body(entity("k"), 0x0001, "1")), 400, "reserved-kind");
        assertProblem(http.post("events", body(entity("k"), 0xD001, "1")), 400, "reserved-kind");
        assertProblem(http.post("events", body("", 0xF001, "1")), 400, "invalid-coordinate");
        assertProblem(http.post("events", "x".getBytes(StandardCharsets.UTF_8), "text/plain"), 415,
                "unsupported-media-type");
        assertProblem(http.get("events?limit=abc"), 400, "invalid-request");
        assertProblem(http.get("nothing-here"), 404, "not-found");
        String big = "\"" + "a".repeat((1 << 20) + 10) + "\"";
        assertProblem(http.post("events", body(entity("big"), 0xF001, big)), 413, "payload-too-large");
        byte[] huge = new byte[5 << 20];
        java.util.Arrays.fill(huge, (byte) ' ');
        assertProblem(http.post("events", huge, "application/json"), 413, "payload-too-large");
        assertEquals(0, http.get("entities/" + entity("big") + "/events").json().getJsonArray("events").size(),
                "a refused append must store nothing");
    }

    @Test
    void compareAndSwapConflictsWith409() {
        String e = entity("cas");
        assertEquals(201, http.post("events", withExpected(body(e, 0xF001, "1"), -1)).status());
        Http.Reply conflict = http.post("events", withExpected(body(e, 0xF001, "2"), 5));
        JsonObject p = assertProblem(conflict, 409, "sequence-mismatch");
        assertEquals(5, p.getInt("expected"));
        assertEquals(0, p.getInt("actual"));
        JsonObject fresh = assertProblem(http.post("events", withExpected(body(entity("cas-none"), 0xF001, "2"), 3)),
                409, "sequence-mismatch");
        assertEquals(-1, fresh.getInt("actual"), "actual is -1 for an entity with no events");
        assertEquals(201, http.post("events", withExpected(body(e, 0xF001, "3"), 0)).status());
    }

    private static String withExpected(String body, long expected) {
        return body.substring(0, body.length() - 1) + ",\"expectedSequence\":" + expected + "}";
    }

    @Test
    void idempotencyKeyReplaysTheOriginalReceipt() {
        String e = entity("idem");
        String key = "order-" + RUN;
        Http.Reply first = http.post("events", body(e, 0xF001, "{\"n\":1}"), "Idempotency-Key", key);
        assertEquals(201, first.status(), first::toString);
        Http.Reply again = http.post("events", body(e, 0xF001, "{\"n\":1}"), "Idempotency-Key", key);
        assertEquals(200, again.status(), again::toString);
        assertEquals("true", again.header("Idempotent-Replayed"));
        assertEquals(first.json().getString("eventId"), again.json().getString("eventId"));
        assertProblem(http.post("events", body(e, 0xF001, "{\"n\":2}"), "Idempotency-Key", key), 422,
                "idempotency-key-reused");
        assertEquals(1, http.get("entities/" + e + "/events").json().getJsonArray("events").size());
        String longKey = RUN + "k".repeat(255 - RUN.length()); // unique per run: the data directory may outlive one
        assertEquals(201, http.post("events", body(e, 0xF001, "{\"n\":3}"), "Idempotency-Key", longKey).status());
        assertEquals(200, http.post("events", body(e, 0xF001, "{\"n\":3}"), "Idempotency-Key", longKey).status(),
                "a 255-character key replays too");
        assertProblem(http.post("events", body(e, 0xF001, "1"), "Idempotency-Key", "k".repeat(256)), 400,
                "invalid-request");
    }

    @Test
    void batchesAreAtomic() {
        String a = entity("batch-a");
        String b = entity("batch-b");
        String ok = "{\"events\":[" + body(a, 0xF001, "1") + "," + body(a, 0xF001, "2") + "," + body(b, 0xF002, "3")
                + "]}";
        Http.Reply r = http.post("batches", ok);
        assertEquals(201, r.status(), r::toString);
        JsonArray receipts = r.json().getJsonArray("receipts");
        assertEquals(3, receipts.size());
        assertEquals(0, receipts.getJsonObject(0).getInt("sequence"));
        assertEquals(1, receipts.getJsonObject(1).getInt("sequence"));
        assertEquals(0, receipts.getJsonObject(2).getInt("sequence"));

        String bad = "{\"events\":[" + body(b, 0xF001, "4") + "," + withExpected(body(a, 0xF001, "5"), 0) + "]}";
        assertProblem(http.post("batches", bad), 409, "sequence-mismatch");
        assertEquals(1, http.get("entities/" + b + "/events").json().getJsonArray("events").size(),
                "a rejected batch must not store any of its events");
        String denied = "{\"events\":[" + body(b, 0xF001, "4") + "," + body(entity("forbidden:x"), 0xF001, "5") + "]}";
        assertProblem(http.post("batches", denied), 422, "denied");
        assertEquals(1, http.get("entities/" + b + "/events").json().getJsonArray("events").size());
    }

    /** HTTP-API.md "Conditional appends across entities": query, then append only if nothing matching came since. */
    @Test
    void conditionalAppendsAcrossEntities() {
        String course = entity("course");
        String student = entity("student");
        String itemList = "[{\"entityPrefix\":\"" + course + "\",\"kinds\":[61441]},"
                + "{\"entityPrefix\":\"" + student + "\",\"categories\":[15]}]";
        String items = "{\"items\":" + itemList + "}";
        http.post("events", body(course, 0xF001, "{\"seat\":1}"));
        http.post("events", body(course, 0xF002, "\"not a seat\""));
        Http.Reply q = http.post("events/query", "{\"items\":" + itemList + ",\"limit\":10}");
        assertEquals(200, q.status(), q::toString);
        JsonArray found = q.json().getJsonArray("events");
        assertEquals(1, found.size(), "only the kind the item names matches: " + q);
        long head = q.json().getJsonNumber("head").longValue();
        assertTrue(head >= found.getJsonObject(0).getJsonNumber("globalSequence").longValue(), "head covers the read: " + q);
        assertTrue(q.json().isNull("next"), "one page: " + q);

        String condition = ",\"condition\":{\"failIfEventsMatch\":" + items + ",\"after\":" + head + "}}";
        String enrol = body(student, 0xF001, "{\"enrol\":1}");
        Http.Reply ok = http.post("events", enrol.substring(0, enrol.length() - 1) + condition);
        assertEquals(201, ok.status(), () -> "nothing matched since the query, so the append commits: " + ok);
        long committed = ok.json().getJsonNumber("globalSequence").longValue();

        // The same decision again, on the old position: the enrolment above now matches.
        Http.Reply late = http.post("events", enrol.substring(0, enrol.length() - 1) + condition);
        JsonObject p = assertProblem(late, 409, "condition-failed");
        assertEquals(committed, p.getJsonNumber("matched").longValue(), "matched names the first matching event: " + p);
        String batch = "{\"events\":[" + body(student, 0xF001, "1") + "," + body(course, 0xF001, "2") + "]" + condition;
        assertProblem(http.post("batches", batch), 409, "condition-failed");
        assertEquals(1, http.get("entities/" + student + "/events").json().getJsonArray("events").size(),
                "a failed condition stores nothing, in a single append or a batch");
        String fresh = "{\"events\":[" + body(student, 0xF001, "1") + "]" + condition.replace("\"after\":" + head,
                "\"after\":" + committed);
        assertEquals(201, http.post("batches", fresh).status(), "a batch conditional on the newest position commits");
        assertProblem(http.post("events/query", "{\"items\":[]}"), 400, "invalid-request");
        assertProblem(http.post("events/query", "{\"items\":[{\"categories\":[16]}]}"), 400, "invalid-request");
    }

    @Test
    void queriesPageByGlobalSequence() {
        String prefix = "q-" + RUN + ":";
        for (int i = 0; i < 7; i++) {
            assertEquals(201, http.post("events", body(prefix + (i % 3), i % 2 == 0 ? 0xF010 : 0xF011, "" + i)).status());
        }
        List<Long> seen = new ArrayList<>();
        String after = "";
        for (int page = 0; page < 10; page++) {
            JsonObject p = http.get("events?entityPrefix=" + prefix + "&limit=3" + after).json();
            p.getJsonArray("events").forEach(v -> seen.add(((JsonObject) v).getJsonNumber("globalSequence").longValue()));
            if (p.isNull("next")) {
                break;
            }
            after = "&after=" + p.getJsonNumber("next").longValue();
        }
        assertEquals(7, seen.size(), () -> "paged query returned " + seen);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) > seen.get(i - 1), () -> "not ascending: " + seen);
        }
        assertEquals(4, http.get("events?entityPrefix=" + prefix + "&kind=" + 0xF010).json().getJsonArray("events").size());
        assertEquals(7, http.get("events?entityPrefix=" + prefix + "&category=15").json().getJsonArray("events").size());
        assertEquals(7, http.get("events?scope=it:" + RUN + "&entityPrefix=" + prefix).json().getJsonArray("events").size());

        JsonObject entityPage = http.get("entities/" + prefix + "0/events?from=1&limit=1").json();
        assertEquals(1, entityPage.getJsonArray("events").getJsonObject(0).getInt("sequence"));
        assertEquals(2, entityPage.getInt("next"));
        JsonObject none = http.get("entities/" + entity("nobody") + "/events").json();
        assertEquals(0, none.getJsonArray("events").size());
        assertTrue(none.isNull("next"));
    }

    @Test
    void ancestorsAndVerify() {
        String e = entity("chain");
        String last = null;
        for (int i = 0; i < 4; i++) {
            last = http.post("events", body(e, 0xF001, "" + i)).json().getString("eventId");
        }
        JsonArray chain = http.get("events/" + last + "/ancestors").json().getJsonArray("events");
        assertEquals(3, chain.size());
        assertEquals(2, chain.getJsonObject(0).getInt("sequence"), "parent first");
        assertEquals(0, chain.getJsonObject(2).getInt("sequence"));
        JsonObject v = http.get("entities/" + e + "/verify").json();
        assertTrue(v.getBoolean("valid"), v::toString);
        assertEquals(4, v.getInt("events"));
        assertTrue(v.isNull("firstInvalidSequence"));
    }

    /**
     * Retention over HTTP: a scope rule and a truncate hide events from entity reads, get-by-id and
     * verify (which then starts at the first kept event); removing the rule keeps the truncate; the
     * next append continues the sequence.
     */
    @Test
    void retentionRulesAndTruncate() {
        String scope = "ret-" + RUN;
        String e = entity("kept");
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String b = "{\"entity\":\"" + e + "\",\"scope\":\"" + scope + "\",\"kind\":61441,\"payload\":" + i + "}";
            ids.add(http.post("events", b).json().getString("eventId"));
        }
        assertProblem(put("retention/" + scope, "{}"), 400, "invalid-request");
        Http.Reply set = put("retention/" + scope, "{\"maxCount\":2}");
        assertEquals(200, set.status(), set::toString);
        assertEquals(2, set.json().getInt("maxCount"));
        JsonObject rule = http.get("retention/" + scope).json();
        assertEquals(2, rule.getInt("maxCount"), rule::toString);
        assertTrue(rule.isNull("maxAgeMs"), rule::toString);
        assertEquals(List.of(3, 4), sequences(http.get("entities/" + e + "/events?scope=" + scope).json()));
        JsonObject v = http.get("entities/" + e + "/verify?scope=" + scope).json();
        assertTrue(v.getBoolean("valid"), v::toString);
        assertEquals(3, v.getInt("from"), v::toString);
        assertEquals(404, http.get("events/" + ids.get(0)).status(), "an event past retention is not found");
        Http.Reply cut = http.post("entities/" + e + "/truncate?scope=" + scope, "{\"before\":4}");
        assertEquals(200, cut.status(), cut::toString);
        assertEquals(4, cut.json().getInt("before"));
        assertProblem(http.post("entities/" + e + "/truncate?scope=" + scope, "{\"before\":99}"), 400, "invalid-request");
        Http.Reply removed = http.send(java.net.http.HttpRequest.newBuilder(http.uri("retention/" + scope)).DELETE());
        assertEquals(204, removed.status(), removed::toString);
        assertEquals(404, http.get("retention/" + scope).status(), "the rule is gone");
        assertEquals(List.of(4), sequences(http.get("entities/" + e + "/events?scope=" + scope).json()),
                "the truncate stays after the rule is removed");
        String next = "{\"entity\":\"" + e + "\",\"scope\":\"" + scope + "\",\"kind\":61441,\"payload\":5}";
        assertEquals(5, http.post("events", next).json().getInt("sequence"), "sequences are never reused");

        Http.Reply started = http.post("admin/scavenge", "");
        assertEquals(202, started.status(), started::toString);
        long job = started.json().getJsonNumber("job").longValue();
        assertTrue(job > 0, started::toString);
        assertEventually(() -> !http.get("admin/scavenge").json().getString("state").equals("running"),
                "the scavenge job ends");
        JsonObject status = http.get("admin/scavenge").json();
        assertEquals("done", status.getString("state"), "the scavenge job did not finish in 30 s: " + status);
        assertEquals(job, status.getJsonNumber("job").longValue(), status::toString);
        assertEquals(status.getInt("segmentsTotal"), status.getInt("segmentsDone"), status::toString);
        assertTrue(status.getJsonNumber("bytesReclaimed").longValue() >= 0, status::toString);
        assertEquals(List.of(4, 5), sequences(http.get("entities/" + e + "/events?scope=" + scope).json()),
                "a scavenge changes no kept event");
    }

    private Http.Reply put(String path, String json) {
        return http.send(java.net.http.HttpRequest.newBuilder(http.uri(path)).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json)));
    }

    private static List<Integer> sequences(JsonObject page) {
        return page.getJsonArray("events").stream().map(x -> x.asJsonObject().getInt("sequence")).toList();
    }

    @Test
    void messagePackInAndOut() throws Exception {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packMapHeader(4).packString("entity").packString(entity("mp")).packString("scope").packString("it:" + RUN)
                .packString("kind").packInt(0xF001).packString("payload").packMapHeader(1).packString("v").packInt(7);
        Http.Reply r = http.post("events", p.toByteArray(), "application/msgpack", "Accept", "application/msgpack");
        assertEquals(201, r.status(), r::toString);
        assertEquals("application/msgpack", r.header("Content-Type"));
        String id;
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(r.body())) {
            int n = u.unpackMapHeader();
            String found = null;
            for (int i = 0; i < n; i++) {
                String k = u.unpackString();
                if (k.equals("eventId")) {
                    found = u.unpackString();
                } else {
                    u.skipValue();
                }
            }
            id = found;
        }
        assertNotNull(id);
        assertEquals(7, http.get("events/" + id).json().getJsonObject("payload").getInt("v"));
    }

    @Test
    void cloudEventsStructuredAndBinary() {
        String ce = "{\"specversion\":\"1.0\",\"id\":\"ce-1-" + RUN + "\",\"source\":\"urn:it:" + RUN
                + "\",\"type\":\"com.example.created\",\"subject\":\"" + entity("ce") + "\",\"kind\":61441,"
                + "\"datacontenttype\":\"application/json\",\"data\":{\"a\":1}}";
        Http.Reply r = http.post("events", ce.getBytes(StandardCharsets.UTF_8), "application/cloudevents+json");
        assertEquals(201, r.status(), r::toString);
        String id = r.json().getString("eventId");
        Http.Reply replay = http.post("events", ce.getBytes(StandardCharsets.UTF_8), "application/cloudevents+json");
        assertEquals(200, replay.status(), "the same (source, id) is an idempotent replay: " + replay);
        assertEquals(id, replay.json().getString("eventId"));

        Http.Reply bin = http.post("events", "{\"b\":2}".getBytes(StandardCharsets.UTF_8), "application/json",
                "ce-specversion", "1.0", "ce-id", "ce-2-" + RUN, "ce-source", "urn:it:" + RUN, "ce-type",
                "com.example.updated", "ce-subject", entity("ce"), "ce-kind", "61442");
        assertEquals(201, bin.status(), bin::toString);
        assertEquals(1, bin.json().getInt("sequence"));

        Http.Reply asCe = http.get("events/" + id, "Accept", "application/cloudevents+json");
        assertEquals(200, asCe.status(), asCe::toString);
        JsonObject c = asCe.json();
        assertEquals(id, c.getString("id"));
        assertEquals("urn:it:" + RUN, c.getString("source"));
        assertEquals(entity("ce"), c.getString("subject"));
        assertEquals(61441, c.getInt("kind"));
        assertEquals("com.example.created", c.getString("type"), "the original CloudEvents type is given back");
        assertEquals(1, c.getJsonObject("data").getInt("a"));

        assertProblem(http.post("events", "{}".getBytes(StandardCharsets.UTF_8), "application/json", "ce-specversion",
                "1.0", "ce-id", "x"), 400, "invalid-request");
        assertProblem(http.post("events", ce.replace(",\"kind\":61441", "").getBytes(StandardCharsets.UTF_8),
                "application/cloudevents+json"), 400, "invalid-request");
    }

    @Test
    void gateDenialStoresNothing() {
        String e = "forbidden:" + RUN;
        JsonObject p = assertProblem(http.post("events", body(e, 0xF001, "1")), 422, "denied");
        assertEquals("no-forbidden-entities", p.getString("gate"));
        assertEquals("entity-forbidden", p.getString("gateCode"));
        assertEquals(0, http.get("entities/" + e + "/events").json().getJsonArray("events").size());
        JsonObject first = assertProblem(http.post("events", body("forbidden:first-" + RUN, 0xF001, "1")), 422, "denied");
        assertEquals("first-gate", first.getString("gate"), "gates run in ascending @Priority, first denial wins");
    }

    @Test
    void sseCatchesUpThenResumesFromLastEventId() throws Exception {
        String e = entity("sse");
        List<Long> gseqs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            gseqs.add(http.post("events", body(e, 0xF001, "" + i)).json().getJsonNumber("globalSequence").longValue());
        }
        List<Long> first = readSse("subscribe?entityPrefix=" + e + "&after=0", null, 3);
        assertEquals(gseqs.subList(0, 3), first, "catch-up from after=0");
        for (int i = 5; i < 8; i++) {
            gseqs.add(http.post("events", body(e, 0xF001, "" + i)).json().getJsonNumber("globalSequence").longValue());
        }
        List<Long> resumed = readSse("subscribe?entityPrefix=" + e + "&after=0", String.valueOf(first.get(2)), 5);
        assertEquals(gseqs.subList(3, 8), resumed, "resume after Last-Event-ID, which wins over after");
    }

    /** Opens an SSE stream and returns the ids of the first {@code n} events; every read has a deadline. */
    private List<Long> readSse(String path, String lastEventId, int n) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (SseStream sse = SseStream.open(http.client(), http.uri(path), http.authorization(), lastEventId, Duration.ofSeconds(60))) {
            assertEquals(200, sse.status());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (ids.size() < n) {
                SseStream.Message m = sse.next(deadline, path + " after " + ids);
                if (m.id() != null) {
                    ids.add(Long.parseLong(m.id()));
                }
            }
        }
        return ids;
    }

    @Test
    void cdiObserversAndMessagingSeeEveryEventInOrder() {
        String e = entity("fanout");
        List<Long> mine = new ArrayList<>();
        List<Long> kindA = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int kind = i % 4 == 0 ? 0xF00A : 0xF00B;
            long g = http.post("events", body(e, kind, "" + i)).json().getJsonNumber("globalSequence").longValue();
            mine.add(g);
            if (kind == 0xF00A) {
                kindA.add(g);
            }
        }
        assertEventually(() -> containsInOrder(probe("cdi"), mine), "CDI observer saw every event in order");
        assertEventually(() -> containsInOrder(probe("cdi-kind-a"), kindA), "kind-filtered observer saw its events");
        assertFalse(probe("cdi-kind-a").contains(mine.get(1)), "kind filter let another kind through");
        assertEventually(() -> containsInOrder(probe("messaging"), mine), "batpak-events consumer saw every event");
        for (List<Long> seen : List.of(probe("cdi"), probe("messaging"))) {
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) > seen.get(i - 1), "global order broken: " + seen);
            }
        }
    }

    @Test
    void reactiveMessagingAppendsAckAndNack() {
        String e = entity("rm");
        Http.Reply ok = http.post("_probe/append", body(e, 0xF001, "{\"via\":\"rm\"}")
                .getBytes(StandardCharsets.UTF_8), "text/plain");
        assertEquals("ack", ok.text());
        assertEquals(1, http.get("entities/" + e + "/events").json().getJsonArray("events").size());
        Http.Reply denied = http.post("_probe/append", body("forbidden:rm" + RUN, 0xF001, "1")
                .getBytes(StandardCharsets.UTF_8), "text/plain");
        assertTrue(denied.text().startsWith("nack"), denied::toString);
        Http.Reply conflict = http.post("_probe/append", withExpected(body(e, 0xF001, "2"), 7)
                .getBytes(StandardCharsets.UTF_8), "text/plain");
        assertTrue(conflict.text().startsWith("nack"), conflict::toString);
        assertEquals(1, http.get("entities/" + e + "/events").json().getJsonArray("events").size());
    }

    /** Watermarks: {@code Prefer: wait=…} on appends, and the positions in {@code GET /stats}. */
    @Test
    void appendsWaitForTheLevelTheyPreferAndStatsShowTheWatermarks() {
        String e = entity("wait");
        Http.Reply durable = http.post("events", body(e, 0xF001, "1"), "Prefer", "wait=durable");
        assertEquals(201, durable.status(), durable::toString);
        assertEquals("wait=durable", durable.header("Preference-Applied"), "the wait was applied: " + durable);
        long g = durable.json().getJsonNumber("globalSequence").longValue();
        Http.Reply batch = http.post("batches", "{\"events\":[" + body(e, 0xF001, "2") + "]}", "Prefer",
                "return=minimal, wait=visible");
        assertEquals("wait=visible", batch.header("Preference-Applied"), "a batch waits too: " + batch);
        JsonObject w = http.get("stats").json().getJsonObject("watermarks");
        assertTrue(w.getJsonNumber("durable").longValue() >= g && w.getJsonNumber("visible").longValue() > g
                && w.getJsonNumber("accepted").longValue() > g, "watermarks past the waited appends: " + w);
        assertProblem(http.post("events", body(e, 0xF001, "3"), "Prefer", "wait=soon"), 400, "invalid-request");
        assertEquals(2, http.get("entities/" + e + "/events").json().getJsonArray("events").size(),
                "a refused Prefer stores nothing");
    }

    @Test
    void operationsEndpoints() throws Exception {
        JsonObject stats = http.get("stats").json();
        for (String f : List.of("events", "entities", "segments", "bytes", "globalSequence")) {
            assertTrue(stats.containsKey(f), "stats lacks " + f + ": " + stats);
        }
        URI root = baseUrl.toURI();
        Http ops = new Http(root.resolve("/"));
        Http.Reply ready = ops.get("health/ready");
        assertEquals(200, ready.status(), ready::toString);
        assertEquals("UP", ready.json().getString("status"));
        assertEquals(200, ops.get("health/live").status());
        Http.Reply openapi = ops.get("openapi");
        assertEquals(200, openapi.status());
        assertTrue(openapi.text().contains("/events"), "OpenAPI does not document /events");
        Http.Reply metrics = ops.get("metrics");
        assertEquals(200, metrics.status());
        assertTrue(metrics.text().contains("batpak_events_total"), "metrics lack batpak_events_total");
    }

    private List<Long> probe(String name) {
        List<Long> out = new ArrayList<>();
        for (JsonValue v : (JsonArray) http.get("_probe/" + name).structure()) {
            out.add(((jakarta.json.JsonNumber) v).longValue());
        }
        return out;
    }

    private static boolean containsInOrder(List<Long> seen, List<Long> expected) {
        List<Long> filtered = new ArrayList<>(seen);
        filtered.retainAll(expected);
        return filtered.equals(expected);
    }

    private static void assertEventually(Supplier<Boolean> condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("not within 30 s: " + what);
    }

    private static JsonObject assertProblem(Http.Reply r, int status, String code) {
        assertEquals(status, r.status(), () -> "expected " + status + " " + code + ", got " + r);
        assertTrue(r.header("Content-Type").startsWith("application/problem+json"), () -> "not a problem: " + r);
        JsonObject p = r.json();
        assertEquals(code, p.getString("code"), () -> "problem code: " + r);
        assertEquals(status, p.getInt("status"));
        return p;
    }

    /**
     * Audit exports over HTTP: an entity's and a scope's export verify offline with the public key
     * the server generated under its data directory, and the entity export's trailer names the chain
     * head the reads show.
     */
    @Test
    void auditExportsVerifyWithTheServersPublicKey() throws Exception {
        String e = entity("audited");
        String last = null;
        for (int i = 0; i < 3; i++) {
            Http.Reply r = http.post("events", body(e, 0xF001, "{\"i\":" + i + "}"));
            assertEquals(201, r.status(), r::toString);
            last = r.json().getString("hash");
        }
        Http.Reply one = http.get("entities/" + e + "/export?scope=it:" + RUN);
        assertEquals(200, one.status(), one::toString);
        assertTrue(one.header("Content-Type").startsWith("application/x-ndjson"), one::toString);
        String[] lines = one.text().split("\n");
        assertEquals(4, lines.length, "three event lines and the trailer: " + one.text());
        assertTrue(lines[3].contains("\"seq\":2,\"hash\":\"" + last + "\""), "the trailer's head is the last append: "
                + lines[3]);
        java.security.PublicKey key = io.batpak.engine.audit.AuditKey.readPublicKey(
                Http.arquillianDataDir().resolve("audit/ed25519.pub.pem"));
        io.batpak.engine.audit.ExportVerifier.Report r = new io.batpak.engine.audit.ExportVerifier(key)
                .verify(new java.io.ByteArrayInputStream(one.body()));
        assertEquals("OK 3 events, 1 entities", r.toString(), "the entity export must verify offline");

        Http.Reply scope = http.get("export?scope=it:" + RUN);
        assertEquals(200, scope.status(), scope::toString);
        io.batpak.engine.audit.ExportVerifier.Report s = new io.batpak.engine.audit.ExportVerifier(key)
                .verify(new java.io.ByteArrayInputStream(scope.body()));
        assertTrue(s.ok() && s.events() >= 3, "the scope export must verify offline: " + s);
        assertProblem(http.get("entities/" + e + "/export", "Accept", "application/x-ndjson", "Authorization", null),
                401, "unauthenticated");
    }

    /**
     * Upcasters over HTTP: the test beans of {@code GreetingUpcasters} (kind 0xF0A1, v1 → v2 → v3)
     * are installed at start; events appended at versions 1, 2 (event) and 3 (batch) read at version
     * 3 through the event, entity, region, query, ancestors and SSE paths, while verify and the
     * audit export see the stored bytes and hashes.
     */
    @Test
    void upcastersDeliverTheCurrentPayloadVersionOnEveryReadPath() throws Exception {
        String e = entity("greeting");
        int kind = io.batpak.it.app.GreetingUpcasters.KIND;
        Http.Reply v1 = http.post("events", body(e, kind, "{\"name\":\"ada\"}"));
        assertEquals(201, v1.status(), v1::toString);
        String v2Body = body(e, kind, "{\"v2\":{\"name\":\"bob\"}}");
        Http.Reply v2 = http.post("events", v2Body.substring(0, v2Body.length() - 1) + ",\"payloadVersion\":2}");
        assertEquals(201, v2.status(), v2::toString);
        String v3Body = body(e, kind, "{\"v3\":{\"v2\":{\"name\":\"cy\"}}}");
        Http.Reply v3 = http.post("batches", "{\"events\":[" + v3Body.substring(0, v3Body.length() - 1)
                + ",\"payloadVersion\":3}]}");
        assertEquals(201, v3.status(), v3::toString);
        List<String> current = List.of("{\"v3\":{\"v2\":{\"name\":\"ada\"}}}", "{\"v3\":{\"v2\":{\"name\":\"bob\"}}}",
                "{\"v3\":{\"v2\":{\"name\":\"cy\"}}}");

        JsonObject one = http.get("events/" + v1.json().getString("eventId")).json();
        assertEquals(3, one.getInt("payloadVersion"), "GET /events/{id}: " + one);
        assertEquals(current.get(0), one.getJsonObject("payload").toString(), "GET /events/{id} payload");
        assertEquals(v1.json().getString("hash"), one.getString("hash"), "the hash stays the stored one");
        assertCurrentEvents(current, http.get("entities/" + e + "/events").json(), "GET /entities/{e}/events");
        assertCurrentEvents(current, http.get("events?entityPrefix=" + e).json(), "GET /events?entityPrefix");
        assertCurrentEvents(current, http.post("events/query", "{\"items\":[{\"entityPrefix\":\"" + e + "\"}],\"limit\":10}")
                .json(), "POST /events/query");
        JsonObject anc = http.get("events/" + v3.json().getJsonArray("receipts").getJsonObject(0).getString("eventId")
                + "/ancestors?limit=10").json();
        assertEquals(2, anc.getJsonArray("events").size(), "ancestors: " + anc);
        anc.getJsonArray("events").forEach(v -> assertEquals(3, v.asJsonObject().getInt("payloadVersion"),
                "ancestors deliver the current version: " + v));

        List<String> sse = new ArrayList<>();
        try (SseStream stream = SseStream.open(http.client(), http.uri("subscribe?entityPrefix=" + e + "&after=0"),
                http.authorization(), null, Duration.ofSeconds(60))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sse.size() < 3) {
                SseStream.Message m = stream.next(deadline, "subscribe " + e);
                if (m.id() != null) {
                    sse.add(m.data());
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            JsonObject ev = jakarta.json.Json.createReader(new java.io.StringReader(sse.get(i))).readObject();
            assertEquals(3, ev.getInt("payloadVersion"), "SSE event " + i + ": " + ev);
            assertEquals(current.get(i), ev.getJsonObject("payload").toString(), "SSE event " + i);
        }

        assertTrue(http.get("entities/" + e + "/verify").json().getBoolean("valid"), "verify after upcasting");
        Http.Reply export = http.get("entities/" + e + "/export?scope=it:" + RUN);
        assertEquals(200, export.status(), export::toString);
        assertTrue(export.text().contains("\"pver\":2") && export.text().contains("\"pver\":3"),
                "the export carries the stored versions: " + export.text());
        java.security.PublicKey key = io.batpak.engine.audit.AuditKey.readPublicKey(
                Http.arquillianDataDir().resolve("audit/ed25519.pub.pem"));
        assertEquals("OK 3 events, 1 entities", new io.batpak.engine.audit.ExportVerifier(key)
                .verify(new java.io.ByteArrayInputStream(export.body())).toString(), "the export of stored bytes verifies");
        assertProblem(http.post("events", v2Body.substring(0, v2Body.length() - 1) + ",\"payloadVersion\":0}"), 400,
                "invalid-request");
    }

    private static void assertCurrentEvents(List<String> current, JsonObject page, String api) {
        jakarta.json.JsonArray events = page.getJsonArray("events");
        assertEquals(current.size(), events.size(), api + ": " + page);
        for (int i = 0; i < current.size(); i++) {
            JsonObject ev = events.getJsonObject(i);
            assertEquals(3, ev.getInt("payloadVersion"), api + " event " + i + ": " + ev);
            assertEquals(current.get(i), ev.getJsonObject("payload").toString(), api + " event " + i);
        }
    }
}
