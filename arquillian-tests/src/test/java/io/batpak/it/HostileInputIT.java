package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/**
 * Generated hostile requests against a real server: malformed and deeply nested JSON, huge strings,
 * invalid UTF-8, wrong types, unknown fields, oversized bodies, path tricks in entity names, bad
 * query parameters for reads and {@code /subscribe}, bad CloudEvents and bad MessagePack. Every
 * answer must come within the timeout and be below 500, and the stored data must change only by
 * the appends that were answered 2xx. About 1,500 requests; 20,000 with {@code -Dbatpak.longTests=true}.
 */
class HostileInputIT {
    private static final int TIMEOUT_MS = 30_000;
    private static final String API = "/api/v1/";
    private static final String VALID = "{\"entity\":\"hostile:gen\",\"scope\":\"h\",\"kind\":61441,\"payload\":{\"x\":1}}";

    /** One generated request. */
    private record Req(String label, String method, String target, List<String> headers, byte[] body) {
    }

    @Test
    void noHostileRequestGetsA5xxHangsOrChangesStoredData() throws Exception {
        PayaraProcess server = SharedServer.get();
        Http http = server.http();
        RawHttp raw = new RawHttp(server.base().getHost(), server.base().getPort(), http.bearerToken());
        for (int e = 0; e < 4; e++) {
            for (int i = 0; i < 3; i++) {
                Http.Reply r = http.post("events", "{\"entity\":\"hostile:seed-" + e + "\",\"scope\":\"h\",\"kind\":61441,"
                        + "\"payload\":{\"i\":" + i + "}}");
                assertEquals(201, r.status(), () -> "seeding: " + r);
            }
        }
        Map<String, String> before = snapshot(http);
        long eventsBefore = http.get("stats").json().getJsonNumber("events").longValue();

        int count = Boolean.getBoolean("batpak.longTests") ? 20_000 : 1_500;
        long seed = Long.getLong("batpak.hostileSeed", System.nanoTime());
        Random rnd = new Random(seed);
        int tried = 0;
        int serverErrors = 0;
        int hangs = 0;
        int closed = 0;
        long appended = 0;
        Map<Integer, Integer> byStatus = new java.util.TreeMap<>();
        Map<String, String> failures = new java.util.TreeMap<>();
        Map<String, Integer> failuresByKind = new java.util.TreeMap<>();
        for (int i = 0; i < count; i++) {
            Req q = generate(rnd, i);
            RawHttp.Answer a;
            try {
                a = raw.exchange(q.method(), q.target(), q.headers(), q.body(), TIMEOUT_MS);
            } catch (SocketTimeoutException e) {
                hangs++;
                failuresByKind.merge("hang: " + q.label(), 1, Integer::sum);
                failures.putIfAbsent("hang: " + q.label(), q.method() + " " + abbreviate(q.target()));
                continue;
            } finally {
                tried++;
            }
            byStatus.merge(a.status(), 1, Integer::sum);
            if (a.status() == 0) {
                closed++;
            } else if (a.status() >= 500) {
                serverErrors++;
                String kind = a.status() + ": " + q.label();
                failuresByKind.merge(kind, 1, Integer::sum);
                failures.putIfAbsent(kind, q.method() + " " + abbreviate(q.target()) + " body "
                        + abbreviate(q.body() == null ? "" : new String(q.body(), StandardCharsets.UTF_8)) + " -> "
                        + abbreviate(a.text()));
            } else if (a.status() / 100 == 2 && q.method().equals("POST")) {
                appended += appendedBy(q, a);
            }
        }
        System.out.println("hostile requests tried " + tried + ", 5xx " + serverErrors + ", hangs " + hangs
                + ", closed without answer " + closed + ", appended " + appended + ", by status " + byStatus + " (seed " + seed + ")");
        assertEquals(0, serverErrors + hangs, "hostile requests answered 5xx or not at all (seed " + seed + "): "
                + failuresByKind + "; one of each: " + failures);
        assertEquals(before, snapshot(http), "hostile requests changed the seeded entities");
        long eventsAfter = http.get("stats").json().getJsonNumber("events").longValue();
        assertEquals(eventsBefore + appended, eventsAfter, "the store changed by more than the " + appended
                + " appends answered 2xx (seed " + seed + ")");
        Http.Reply ready = new Http(server.base().resolve("/"), http.bearerToken()).get("health/ready");
        assertEquals(200, ready.status(), () -> "the server must still be ready after the hostile requests: " + ready);
    }

    /**
     * The streams and transactions endpoints under the same kinds of hostile input. Valid-looking
     * requests can legitimately create streams or groups here, so instead of counting events this
     * checks that nothing is a 5xx or hangs, that the seeded stream's published events and the seeded
     * entities are unchanged, and that the seeded stream still works afterwards.
     */
    @Test
    void noHostileStreamsOrTransactionsRequestGetsA5xxHangsOrChangesPublishedEvents() throws Exception {
        PayaraProcess server = SharedServer.get();
        Http http = server.http();
        RawHttp raw = new RawHttp(server.base().getHost(), server.base().getPort(), http.bearerToken());
        String stream = "hostile-s-" + Long.toHexString(System.nanoTime());
        Http.Reply created = http.send(java.net.http.HttpRequest.newBuilder(http.uri("streams/" + stream))
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"partitions\":2}")));
        assertEquals(201, created.status(), () -> "seeding the stream: " + created);
        for (int i = 0; i < 6; i++) {
            Http.Reply r = http.post("streams/" + stream + "/events", "{\"key\":\"k" + i + "\",\"kind\":61441,\"payload\":{\"i\":" + i + "}}");
            assertEquals(2, r.status() / 100, () -> "seeding the stream's events: " + r);
        }
        String before = streamSnapshot(http, stream);

        int count = Boolean.getBoolean("batpak.longTests") ? 5_000 : 400;
        long seed = Long.getLong("batpak.hostileSeed", System.nanoTime());
        Random rnd = new Random(seed);
        int tried = 0;
        int serverErrors = 0;
        Map<Integer, Integer> byStatus = new java.util.TreeMap<>();
        Map<String, String> failures = new java.util.TreeMap<>();
        for (int i = 0; i < count; i++) {
            Req q = hostileStreams(rnd, stream);
            tried++;
            RawHttp.Answer a;
            try {
                a = raw.exchange(q.method(), q.target(), q.headers(), q.body(), TIMEOUT_MS);
            } catch (SocketTimeoutException e) {
                serverErrors++;
                failures.putIfAbsent("hang: " + q.label(), q.method() + " " + abbreviate(q.target()));
                continue;
            }
            byStatus.merge(a.status(), 1, Integer::sum);
            if (a.status() >= 500) {
                serverErrors++;
                failures.putIfAbsent(a.status() + ": " + q.label(), q.method() + " " + abbreviate(q.target()) + " body "
                        + abbreviate(q.body() == null ? "" : new String(q.body(), StandardCharsets.UTF_8)) + " -> "
                        + abbreviate(a.text()));
            }
        }
        System.out.println("hostile streams/transactions requests tried " + tried + ", 5xx or hangs " + serverErrors
                + ", by status " + byStatus + " (seed " + seed + ")");
        assertEquals(0, serverErrors, "hostile streams/transactions requests answered 5xx or not at all (seed " + seed
                + "): " + failures);
        assertEquals(before, streamSnapshot(http, stream), "hostile requests changed the seeded stream's published events");
        Http.Reply publish = http.post("streams/" + stream + "/events", "{\"key\":\"after\",\"kind\":61441,\"payload\":{}}");
        assertEquals(2, publish.status() / 100, () -> "the seeded stream must still take events afterwards: " + publish);
    }

    /** The seeded stream's partition entities, event by event, and their verify answers. */
    private static String streamSnapshot(Http http, String stream) {
        StringBuilder b = new StringBuilder();
        for (int p = 0; p < 2; p++) {
            String entity = java.net.URLEncoder.encode("stream:" + stream + "/" + p, StandardCharsets.UTF_8).replace("+", "%20");
            b.append(http.get("entities/" + entity + "/events?limit=100").text()).append('\n');
            b.append(http.get("entities/" + entity + "/verify").text()).append('\n');
        }
        return b.toString();
    }

    /** Every seeded entity's events (as JSON text) and its verify answer. */
    private static Map<String, String> snapshot(Http http) {
        Map<String, String> s = new LinkedHashMap<>();
        for (int e = 0; e < 4; e++) {
            String entity = "hostile:seed-" + e;
            s.put(entity, http.get("entities/" + entity + "/events?limit=100").text());
            s.put(entity + "/verify", http.get("entities/" + entity + "/verify").text());
        }
        return s;
    }

    /** Events a 2xx POST appended, from its receipt(s): JSON or MessagePack, a replay counts 0. */
    private static long appendedBy(Req q, RawHttp.Answer a) throws IOException {
        if (a.status() != 201 || "true".equalsIgnoreCase(a.header("Idempotent-Replayed"))) {
            return 0;
        }
        String type = String.valueOf(a.header("Content-Type"));
        if (type.contains("msgpack")) {
            try (MessageUnpacker u = MessagePack.newDefaultUnpacker(a.body())) {
                Value v = u.unpackValue();
                Value receipts = v.asMapValue().map().get(org.msgpack.value.ValueFactory.newString("receipts"));
                return receipts == null ? 1 : receipts.asArrayValue().size();
            }
        }
        JsonObject o = Json.createReader(new StringReader(a.text())).readObject();
        if (o.containsKey("receipts")) {
            return o.getJsonArray("receipts").size();
        }
        if (o.containsKey("eventId")) {
            return 1;
        }
        throw new AssertionError("201 for " + q.label() + " without a receipt: " + a.text());
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "…(" + s.length() + " chars)" : s;
    }

    // ---- the generator ----

    private static final String[] PATH_TRICKS = {"..", "%2e%2e", "%2F", "a%2Fb", "%00", "a%00b", "%ZZ", "%", "..%2F..%2Fetc%2Fpasswd",
        "%C0%AF", "%FF%FE", "%E2%80%AE", "%20", ";x=1", "a;b", "%3B", "%23", "%3F", ".", "%2e", "~", "a%5Cb", "%0d%0aX-Evil:%201",
        "%F0%9F%98%80", "%ED%A0%80", "", "a/../../b", "CON", "x%25y"};
    private static final String[] BAD_NUMBERS = {"-1", "0", "abc", "1e3", "1.5", "99999999999999999999", "-9223372036854775808",
        "9223372036854775807", "", "%00", "0x10", "%205", "NaN", "Infinity", "2147483648"};
    private static final String[] WRONG_VALUES = {"null", "true", "\"str\"", "[]", "{}", "-1", "1.5", "1e400", "65536", "\"\"",
        "[1,2]", "{\"a\":1}", "9223372036854775808", "\"\\u0000\"", "\"\\ud800\""};

    private static Req generate(Random r, int i) {
        return switch (i % 14) {
            case 0 -> malformedJson(r);
            case 1 -> invalidUtf8(r);
            case 2 -> deepNesting(r, i);
            case 3 -> hugeStrings(r, i);
            case 4 -> wrongTypes(r);
            case 5 -> unknownFields(r);
            case 6 -> badBatches(r, i);
            case 7 -> pathTricks(r);
            case 8 -> badReadParams(r);
            case 9 -> badSubscribe(r);
            case 10 -> badCloudEventsBinary(r);
            case 11 -> badCloudEventsStructured(r);
            case 12 -> badMsgpack(r);
            default -> oddHeaders(r);
        };
    }

    private static Req post(String label, String path, String contentType, byte[] body, String... headers) {
        List<String> h = new ArrayList<>(List.of(headers));
        if (contentType != null) {
            h.add("Content-Type: " + contentType);
        }
        return new Req(label, "POST", API + path, h, body);
    }

    private static Req postJson(String label, String path, String json) {
        return post(label, path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static Req get(String label, String target, String... headers) {
        return new Req(label, "GET", API + target, List.of(headers), null);
    }

    private static final String JSON_NOISE = "{}[]\",:\\'x0-";

    private static Req malformedJson(Random r) {
        String body = r.nextBoolean() ? VALID : "{\"events\":[" + VALID + "," + VALID + "]}";
        String path = body.startsWith("{\"events\"") ? "batches" : "events";
        String m = switch (r.nextInt(5)) {
            case 0 -> body.substring(0, r.nextInt(body.length()));
            case 1 -> insert(body, r.nextInt(body.length()), String.valueOf(JSON_NOISE.charAt(r.nextInt(JSON_NOISE.length()))));
            case 2 -> body.replace(":", r.nextBoolean() ? "=" : "");
            case 3 -> body + "}".repeat(1 + r.nextInt(3)) + (r.nextBoolean() ? "garbage" : "");
            default -> randomAscii(r, r.nextInt(200));
        };
        return postJson("malformed json", path, m);
    }

    private static Req invalidUtf8(Random r) {
        byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {0}};
        byte[] body = VALID.replace("hostile:gen", "hostile:gen-" + r.nextInt(50)).getBytes(StandardCharsets.UTF_8);
        byte[] insert = bad[r.nextInt(bad.length)];
        // Inside the entity name, the payload, or anywhere.
        int at = switch (r.nextInt(3)) {
            case 0 -> 12;
            case 1 -> body.length - 4;
            default -> r.nextInt(body.length);
        };
        byte[] out = new byte[body.length + insert.length];
        System.arraycopy(body, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(body, at, out, at + insert.length, body.length - at);
        return r.nextInt(4) == 0 ? post("invalid utf-8 (msgpack type)", "events", "application/msgpack", out)
                : post("invalid utf-8", "events", "application/json", out);
    }

    private static Req deepNesting(Random r, int i) {
        int depth = new int[] {100, 1000, 10_000, 100_000}[i / 14 % 4];
        String open = r.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String nested = open.repeat(depth) + (r.nextBoolean() ? "1" + close.repeat(depth) : "");
        return switch (r.nextInt(3)) {
            case 0 -> postJson("deep nesting " + depth + " in the payload", "events", VALID.replace("{\"x\":1}", nested));
            case 1 -> postJson("deep nesting " + depth + " as the body", r.nextBoolean() ? "events" : "batches", nested);
            default -> postJson("deep nesting " + depth + " in a batch", "batches", "{\"events\":[" + nested + "]}");
        };
    }

    private static Req hugeStrings(Random r, int i) {
        boolean giant = i / 14 % 40 == 3; // a few bodies over the 16 MiB limit
        int len = giant ? 17 << 20 : new int[] {1025, 4096, 70_000, 1_100_000}[r.nextInt(4)];
        String s = "z".repeat(len);
        String json = switch (r.nextInt(4)) {
            case 0 -> VALID.replace("hostile:gen", s);
            case 1 -> VALID.replace("\"h\"", "\"" + s + "\"");
            case 2 -> VALID.replace("{\"x\":1}", "\"" + s + "\"");
            default -> VALID.replace("{\"x\":1}", "{\"" + s + "\":1}");
        };
        return r.nextInt(5) == 0 ? new Req("huge string in Idempotency-Key", "POST", API + "events",
                List.of("Content-Type: application/json", "Idempotency-Key: " + "k".repeat(Math.min(len, 60_000))),
                VALID.getBytes(StandardCharsets.UTF_8))
                : postJson("huge string (" + len + " chars)", "events", json);
    }

    private static Req wrongTypes(Random r) {
        String[] fields = {"entity", "scope", "kind", "payload", "expectedSequence", "correlationId", "causationId"};
        String field = fields[r.nextInt(fields.length)];
        String value = WRONG_VALUES[r.nextInt(WRONG_VALUES.length)];
        Map<String, String> m = new LinkedHashMap<>();
        m.put("entity", "\"hostile:wrong-" + r.nextInt(20) + "\"");
        m.put("scope", "\"h\"");
        m.put("kind", "61441");
        m.put("payload", "{\"x\":1}");
        if (r.nextInt(4) == 0) {
            m.remove(field);
        } else {
            m.put(field, value);
        }
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        String body = b.append('}').toString();
        return r.nextInt(3) == 0 ? postJson("wrong type of " + field + " in a batch", "batches", "{\"events\":[" + body + "]}")
                : postJson("wrong type of " + field + ": " + value, "events", body);
    }

    private static Req unknownFields(Random r) {
        String extra = "\"unknown" + r.nextInt(5) + "\":" + WRONG_VALUES[r.nextInt(WRONG_VALUES.length)] + ",";
        return postJson("unknown field", r.nextBoolean() ? "events" : "batches", r.nextBoolean()
                ? "{" + extra + VALID.substring(1) : "{" + extra + "\"events\":[{" + extra + VALID.substring(1) + "]}");
    }

    private static Req badBatches(Random r, int i) {
        if (i / 14 % 60 == 5) {
            StringBuilder many = new StringBuilder("{\"events\":[");
            for (int k = 0; k < 100_001; k++) {
                many.append(k == 0 ? "" : ",").append("{\"entity\":\"hostile:many\",\"scope\":\"h\",\"kind\":61441,\"payload\":0}");
            }
            return postJson("batch of 100001 events", "batches", many.append("]}").toString());
        }
        String[] bodies = {"{\"events\":{}}", "{\"events\":null}", "{\"events\":[]}", "{\"events\":[null]}", "{\"events\":[1,2]}",
            "{\"events\":[" + VALID + ",{}]}", "{\"events\":\"x\"}", "[]", "{}", "{\"events\":[" + VALID + ",{\"entity\":\"\"}]}",
            "{\"events\":[" + VALID.replace("61441", "4096") + "]}", "{\"events\":[" + VALID.replace("61441", "0") + "]}"};
        return postJson("bad batch", "batches", bodies[r.nextInt(bodies.length)]);
    }

    private static Req pathTricks(Random r) {
        String name = r.nextInt(8) == 0 ? "e".repeat(1 + r.nextInt(20_000)) : PATH_TRICKS[r.nextInt(PATH_TRICKS.length)];
        return switch (r.nextInt(5)) {
            case 0 -> get("path trick in entity events", "entities/" + name + "/events");
            case 1 -> get("path trick in verify", "entities/" + name + "/verify");
            case 2 -> get("path trick in event id", "events/" + name);
            case 3 -> get("path trick in ancestors", "events/" + name + "/ancestors?limit=5");
            default -> new Req("path trick in POST", "POST", API + "entities/" + name + "/events",
                    List.of("Content-Type: application/json"), VALID.getBytes(StandardCharsets.UTF_8));
        };
    }

    private static Req badReadParams(Random r) {
        String n = BAD_NUMBERS[r.nextInt(BAD_NUMBERS.length)];
        return switch (r.nextInt(8)) {
            case 0 -> get("bad limit", "events?limit=" + n);
            case 1 -> get("bad after", "events?after=" + n);
            case 2 -> get("bad kind", "events?kind=" + n);
            case 3 -> get("bad category", "events?category=" + n);
            case 4 -> get("bad from", "entities/hostile:seed-0/events?from=" + n + "&limit=" + BAD_NUMBERS[r.nextInt(BAD_NUMBERS.length)]);
            case 5 -> get("huge prefix", "events?entityPrefix=" + "p".repeat(r.nextInt(30_000)) + "&scope=%00");
            case 6 -> get("bad ancestors limit", "events/00000000-0000-7000-8000-000000000000/ancestors?limit=" + n);
            default -> get("bad accept", "events?limit=1", "Accept: " + new String[] {"application/xml", "*/*;q=x", "text/event-stream",
                "application/msgpack", ";;;", "application/cloudevents+json"}[r.nextInt(6)]);
        };
    }

    private static Req badSubscribe(Random r) {
        String n = BAD_NUMBERS[r.nextInt(BAD_NUMBERS.length)];
        String accept = "Accept: text/event-stream";
        return switch (r.nextInt(5)) {
            case 0 -> get("subscribe bad after", "subscribe?after=" + n, accept);
            case 1 -> get("subscribe bad Last-Event-ID", "subscribe", accept, "Last-Event-ID: " + n);
            case 2 -> get("subscribe bad kind/category", "subscribe?kind=" + n + "&category=" + BAD_NUMBERS[r.nextInt(BAD_NUMBERS.length)],
                    accept);
            case 3 -> get("subscribe bad accept", "subscribe?after=0", "Accept: application/json");
            default -> get("subscribe huge prefix", "subscribe?entityPrefix=" + "q".repeat(r.nextInt(20_000)) + "&after=" + n, accept);
        };
    }

    private static Req badCloudEventsBinary(Random r) {
        List<String> h = new ArrayList<>();
        String[][] options = {
            {"ce-specversion: 1.0", "ce-specversion: 2.0", "ce-specversion: ", "ce-specversion: 0.3", null},
            {"ce-id: id-" + r.nextInt(1_000_000), "ce-id: ", "ce-id: " + "i".repeat(5000), null},
            {"ce-source: /hostile", "ce-source: ", "ce-source: ::not a uri", null},
            {"ce-type: hostile.t", "ce-type: ", null},
            {"ce-subject: hostile:ce-" + r.nextInt(20), "ce-subject: ", "ce-subject: " + "s".repeat(3000), null},
            {"ce-kind: 61441", "ce-kind: abc", "ce-kind: -1", "ce-kind: 99999", "ce-kind: 4096", null},
            {"ce-time: not-a-time", "ce-time: 2026-01-01T00:00:00Z", null},
            {"Content-Type: application/json", "Content-Type: text/plain", "Content-Type: application/octet-stream",
                "Content-Type: application/json; charset=nope", null}};
        for (String[] o : options) {
            String pick = o[r.nextInt(o.length)];
            if (pick != null) {
                h.add(pick);
            }
        }
        byte[] body = r.nextBoolean() ? "{\"x\":1}".getBytes(StandardCharsets.UTF_8) : randomAscii(r, r.nextInt(100)).getBytes(StandardCharsets.UTF_8);
        return new Req("cloudevents binary " + h, "POST", API + "events", h, body);
    }

    private static Req badCloudEventsStructured(Random r) {
        String[] bodies = {
            "{\"specversion\":\"1.0\",\"id\":\"x" + r.nextInt(1_000_000) + "\",\"source\":\"/h\",\"type\":\"t\",\"subject\":\"hostile:ce\","
                + "\"kind\":61441,\"data\":{\"a\":1}}",
            "{\"specversion\":\"2.0\",\"id\":\"x\",\"source\":\"/h\",\"type\":\"t\",\"subject\":\"hostile:ce\",\"kind\":61441}",
            "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/h\",\"type\":\"t\",\"subject\":\"hostile:ce\",\"kind\":61441,"
                + "\"data_base64\":\"!!!not base64\"}",
            "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/h\",\"type\":\"t\",\"kind\":61441,\"data\":1,\"data_base64\":\"AA==\"}",
            "{\"specversion\":\"1.0\",\"kind\":{\"a\":1}}", "[]", "\"just a string\"", "{\"specversion\":1.0}",
            "{\"specversion\":\"1.0\",\"id\":null,\"source\":null,\"type\":null,\"subject\":null,\"kind\":null}",
            "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/h\",\"type\":\"t\",\"subject\":\"hostile:ce\",\"kind\":\"61441\","
                + "\"datacontenttype\":\"application/json\",\"data\":\"{not json\"}"};
        return post("cloudevents structured", r.nextInt(6) == 0 ? "batches" : "events",
                r.nextInt(5) == 0 ? "application/cloudevents-batch+json" : "application/cloudevents+json",
                bodies[r.nextInt(bodies.length)].getBytes(StandardCharsets.UTF_8));
    }

    private static Req badMsgpack(Random r) {
        byte[] body;
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            switch (r.nextInt(7)) {
                case 0 -> {
                    body = new byte[r.nextInt(200)];
                    r.nextBytes(body);
                }
                case 1 -> {
                    p.packMapHeader(4).packString("entity").packInt(5).packString("scope").packNil()
                            .packString("kind").packString("x").packString("payload").packBinaryHeader(2).writePayload(new byte[] {1, 2});
                    body = p.toByteArray();
                }
                case 2 -> {
                    p.packMapHeader(4).packString("entity").packString("hostile:mp").packString("scope").packString("h")
                            .packString("kind").packInt(61441).packString("payload").packMapHeader(1).packString("a").packInt(1);
                    byte[] full = p.toByteArray();
                    body = java.util.Arrays.copyOf(full, r.nextInt(full.length));
                }
                case 3 -> {
                    for (int k = 0; k < 5000; k++) {
                        p.packArrayHeader(1);
                    }
                    p.packInt(1);
                    body = p.toByteArray();
                }
                case 4 -> {
                    p.packMapHeader(1).packString("events").packArrayHeader(Integer.MAX_VALUE);
                    body = p.toByteArray();
                }
                case 5 -> {
                    // bin 32 / str 32 headers claiming up to 4 GiB with a few bytes behind them
                    body = new byte[] {(byte) 0x81, (byte) 0xA7, 'p', 'a', 'y', 'l', 'o', 'a', 'd',
                        (byte) (r.nextBoolean() ? 0xC6 : 0xDB), (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) r.nextInt(256), 1, 2, 3};
                }
                default -> {
                    p.packMapHeader(4).packString("entity").packString("hostile:mp-" + r.nextInt(10)).packString("scope")
                            .packString("h").packString("kind").packInt(61441).packString("payload").packBinaryHeader(0x7FFF_FFF0);
                    body = p.toByteArray();
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return post("bad msgpack", r.nextInt(3) == 0 ? "batches" : "events", "application/msgpack", body,
                r.nextBoolean() ? "Accept: application/msgpack" : "Accept: application/json");
    }

    private static Req oddHeaders(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> new Req("odd method", new String[] {"PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD"}[r.nextInt(6)],
                    API + "events", List.of("Content-Type: application/json"), VALID.getBytes(StandardCharsets.UTF_8));
            case 1 -> post("odd content type", "events", new String[] {"text/plain", "application/json; charset=latin1", ";;;",
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16"}[r.nextInt(6)],
                    VALID.getBytes(StandardCharsets.UTF_8));
            case 2 -> post("control chars in Idempotency-Key", "events", "application/json", VALID.getBytes(StandardCharsets.UTF_8),
                    "Idempotency-Key: a\u0001b\u007f" + r.nextInt(100));
            case 3 -> post("empty body", r.nextBoolean() ? "events" : "batches", "application/json", new byte[0]);
            case 4 -> get("unknown path", "no/such/" + PATH_TRICKS[r.nextInt(PATH_TRICKS.length)]);
            default -> post("no content type", "events", null, VALID.getBytes(StandardCharsets.UTF_8));
        };
    }

    private static final String[] BAD_WAITS = {"-1", "\"x\"", "1.5", "null", "[]", "{}", "0", "\"5000\"", "true"};

    /** A hostile request to the streams or transactions endpoints of {@code stream} (or of a tricky name). */
    private static Req hostileStreams(Random r, String stream) {
        String name = r.nextInt(3) == 0 ? PATH_TRICKS[r.nextInt(PATH_TRICKS.length)] : stream;
        String wrong = WRONG_VALUES[r.nextInt(WRONG_VALUES.length)];
        String base = "streams/" + name;
        return switch (r.nextInt(9)) {
            case 0 -> new Req("put stream", "PUT", API + base, List.of("Content-Type: application/json"),
                    (switch (r.nextInt(4)) {
                        case 0 -> "{\"partitions\":" + wrong + "}";
                        case 1 -> "{\"partitions\":" + BAD_NUMBERS[r.nextInt(BAD_NUMBERS.length)] + "}";
                        case 2 -> "{\"partitions\":1}";
                        default -> randomAscii(r, r.nextInt(40));
                    }).getBytes(StandardCharsets.UTF_8));
            // Some of these are valid publishes: they go to a sibling stream, so the seeded one stays as it was.
            case 1 -> postJson("publish", "streams/" + (name.equals(stream) ? stream + "-w" : name) + "/events", switch (r.nextInt(5)) {
                case 0 -> "{\"key\":" + wrong + ",\"kind\":61441,\"payload\":{}}";
                case 1 -> "{\"key\":\"k\",\"kind\":" + wrong + ",\"payload\":{}}";
                case 2 -> "{\"events\":" + wrong + "}";
                case 3 -> "{\"events\":[" + "[".repeat(2000) + "]}";
                default -> "{\"key\":\"k\",\"kind\":" + (r.nextBoolean() ? "1" : "53248") + ",\"payload\":{}}";
            });
            case 2 -> new Req("put group", "PUT", API + base + "/groups/" + (r.nextBoolean() ? "g" : PATH_TRICKS[r.nextInt(PATH_TRICKS.length)]),
                    List.of("Content-Type: application/json"), ("{\"" + (switch (r.nextInt(3)) {
                        case 0 -> "ackTimeoutMs";
                        case 1 -> "maxInFlight";
                        default -> "start";
                    }) + "\":" + wrong + "}").getBytes(StandardCharsets.UTF_8));
            case 3 -> postJson("poll", base + "/groups/g/poll", "{\"consumer\":" + (r.nextBoolean() ? wrong : "\"c\"")
                    + ",\"max\":" + (r.nextBoolean() ? wrong : "1") + ",\"waitMs\":" + BAD_WAITS[r.nextInt(BAD_WAITS.length)]
                    + (r.nextBoolean() ? ",\"start\":" + wrong : "") + "}");
            case 4 -> postJson(r.nextBoolean() ? "ack" : "nack", base + "/groups/g/" + (r.nextBoolean() ? "ack" : "nack"),
                    switch (r.nextInt(3)) {
                        case 0 -> "{\"deliveryIds\":" + wrong + "}";
                        case 1 -> "{\"deliveryIds\":[" + wrong + "," + wrong + "]}";
                        default -> "{\"deliveryIds\":[\"" + "x".repeat(r.nextInt(100_000)) + "\"]}";
                    });
            case 5 -> get("group state", base + "/groups/" + PATH_TRICKS[r.nextInt(PATH_TRICKS.length)]);
            case 6 -> postJson("tx statement", "transactions/" + (r.nextBoolean() ? PATH_TRICKS[r.nextInt(PATH_TRICKS.length)]
                    : java.util.UUID.randomUUID().toString()) + "/events", r.nextBoolean() ? VALID
                    : "{\"stream\":" + wrong + ",\"key\":\"k\",\"kind\":61441,\"payload\":{}}");
            case 7 -> postJson("tx commit", "transactions/" + java.util.UUID.randomUUID() + "/commit",
                    "{\"ack\":" + (r.nextBoolean() ? wrong : "{\"stream\":" + wrong + ",\"group\":\"g\",\"deliveryIds\":[]}") + "}");
            default -> new Req("tx abort", "DELETE", API + "transactions/" + PATH_TRICKS[r.nextInt(PATH_TRICKS.length)], List.of(), null);
        };
    }

    private static String insert(String s, int at, String what) {
        return s.substring(0, at) + what + s.substring(at);
    }

    private static String randomAscii(Random r, int len) {
        StringBuilder b = new StringBuilder(len);
        for (int k = 0; k < len; k++) {
            b.append((char) (32 + r.nextInt(95)));
        }
        return b.toString();
    }
}
