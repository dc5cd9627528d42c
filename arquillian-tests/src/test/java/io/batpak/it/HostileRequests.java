package io.batpak.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * The generator of {@link HostileInputIT}: malformed and deeply nested JSON, huge strings, invalid
 * UTF-8, wrong types, unknown fields, bad batches, path tricks, bad query parameters, bad
 * CloudEvents and MessagePack, odd headers, and hostile streams and transactions requests. Each
 * request carries the statuses its generator allows.
 */
final class HostileRequests {
    static final String API = "/api/v1/";
    static final String VALID = "{\"entity\":\"hostile:gen\",\"scope\":\"h\",\"kind\":61441,\"payload\":{\"x\":1}}";

    /**
     * One generated request and the statuses its generator allows: mostly one 4xx; a 2xx only
     * where the mutation can leave the request valid (say so in the label).
     */
    record Req(String label, String method, String target, List<String> headers, byte[] body, Set<Integer> expect) {
        Req expecting(Integer... statuses) {
            return expecting(new java.util.HashSet<>(List.of(statuses)));
        }

        /**
         * True if Payara's HTTP layer may refuse the request before the application sees it: a path
         * with a percent-escape or dot-segment trick, or a request marked by {@link #container()}
         * (a malformed header value, control characters in a header, TRACE, a body on HEAD or DELETE).
         */
        boolean containerMayAnswer() {
            String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
            return path.contains("%") || path.contains("/.") || label.startsWith(CONTAINER);
        }

        /** This request may be answered by the container itself (see {@link #containerMayAnswer()}). */
        Req container() {
            return new Req(CONTAINER + label, method, target, headers, body, expect);
        }

        Req expecting(Set<Integer> statuses) {
            return new Req(label, method, target, headers, body, statuses);
        }
    }

    private static final String CONTAINER = "[container may answer] ";

    private HostileRequests() {
    }

    // ---- the generator ----
    // Each generator says which answers it allows. Most allow one 4xx; where a mutation may leave
    // a request valid (a character inserted inside a string, a value that happens to be legal, a
    // path that normalises onto a real route) its label says so and the 2xx is allowed too.

    private static final String[] PATH_TRICKS = {"..", "%2e%2e", "%2F", "a%2Fb", "%00", "a%00b", "%ZZ", "%", "..%2F..%2Fetc%2Fpasswd",
        "%C0%AF", "%FF%FE", "%E2%80%AE", "%20", ";x=1", "a;b", "%3B", "%23", "%3F", ".", "%2e", "~", "a%5Cb", "%0d%0aX-Evil:%201",
        "%F0%9F%98%80", "%ED%A0%80", "", "a/../../b", "CON", "x%25y"};
    /** Numbers that are no valid value of any numeric parameter: always a 400. */
    private static final String[] BAD_NUMBERS = {"abc", "1e3", "1.5", "99999999999999999999", "%00", "0x10", "NaN", "Infinity",
        "-9223372036854775809", "1-", "--1", "%2B%2B1"};
    /** Edge values some parameters take and others refuse (e.g. {@code after=0} but {@code limit=0}). */
    private static final String[] EDGE_NUMBERS = {"-1", "0", "-9223372036854775808", "9223372036854775807", "", "2147483648", "%205"};
    private static final String[] WRONG_VALUES = {"null", "true", "\"str\"", "[]", "{}", "-1", "1.5", "1e400", "65536", "\"\"",
        "[1,2]", "{\"a\":1}", "9223372036854775808", "\"\\u0000\"", "\"\\ud800\""};

    /** The {@code i}-th request of the event API run. */
    static Req generate(Random r, int i) {
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
        return new Req(label, "POST", API + path, h, body, Set.of());
    }

    private static Req postJson(String label, String path, String json) {
        return post(label, path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static Req get(String label, String target, String... headers) {
        return new Req(label, "GET", API + target, List.of(headers), null, Set.of());
    }

    private static final String JSON_NOISE = "{}[]\",:\\'x0-";

    private static Req malformedJson(Random r) {
        String body = r.nextBoolean() ? VALID : "{\"events\":[" + VALID + "," + VALID + "]}";
        String path = body.startsWith("{\"events\"") ? "batches" : "events";
        return switch (r.nextInt(5)) {
            case 0 -> postJson("truncated json", path, body.substring(0, r.nextInt(body.length()))).expecting(400);
            // A letter, digit or punctuation inside a string or number can leave the JSON valid.
            case 1 -> postJson("noise character inserted (may stay valid)", path, insert(body, r.nextInt(body.length()),
                    String.valueOf(JSON_NOISE.charAt(r.nextInt(JSON_NOISE.length()))))).expecting(201, 400);
            case 2 -> postJson("colons replaced", path, body.replace(":", r.nextBoolean() ? "=" : "")).expecting(400);
            case 3 -> postJson("trailing garbage", path, body + "}".repeat(1 + r.nextInt(3)) + (r.nextBoolean() ? "garbage" : ""))
                    .expecting(400);
            default -> postJson("random ascii", path, randomAscii(r, r.nextInt(200))).expecting(400);
        };
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
        return (r.nextInt(4) == 0 ? post("invalid utf-8 (msgpack type)", "events", "application/msgpack", out)
                : post("invalid utf-8", "events", "application/json", out)).expecting(400);
    }

    private static Req deepNesting(Random r, int i) {
        int depth = new int[] {100, 1000, 10_000, 100_000}[i / 14 % 4];
        String open = r.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        boolean closed = r.nextBoolean();
        String nested = open.repeat(depth) + (closed ? "1" + close.repeat(depth) : "");
        return switch (r.nextInt(3)) {
            // 100 levels of payload are legal JSON within the parser's depth limit: stored.
            case 0 -> postJson("deep nesting " + depth + (closed ? "" : " unclosed") + " in the payload", "events",
                    VALID.replace("{\"x\":1}", nested)).expecting(closed && depth == 100 ? 201 : 400);
            case 1 -> postJson("deep nesting " + depth + " as the body", r.nextBoolean() ? "events" : "batches", nested).expecting(400);
            default -> postJson("deep nesting " + depth + " in a batch", "batches", "{\"events\":[" + nested + "]}").expecting(400);
        };
    }

    private static Req hugeStrings(Random r, int i) {
        boolean giant = i / 14 % 40 == 3; // a few bodies over the 16 MiB limit
        int len = giant ? 17 << 20 : new int[] {1025, 4096, 70_000, 1_100_000}[r.nextInt(4)];
        String s = "z".repeat(len);
        if (r.nextInt(5) == 0) {
            // Header lines stay within what the HTTP listener takes, so the 255-character limit is what answers.
            return new Req("long Idempotency-Key (" + Math.min(len, 4000) + " chars)", "POST", API + "events",
                    List.of("Content-Type: application/json", "Idempotency-Key: " + "k".repeat(Math.min(len, 4000))),
                    VALID.getBytes(StandardCharsets.UTF_8), Set.of(400));
        }
        int kind = r.nextInt(4);
        String json = switch (kind) {
            case 0 -> VALID.replace("hostile:gen", s);
            case 1 -> VALID.replace("\"h\"", "\"" + s + "\"");
            case 2 -> VALID.replace("{\"x\":1}", "\"" + s + "\"");
            default -> VALID.replace("{\"x\":1}", "{\"" + s + "\":1}");
        };
        // An entity or scope over 1024 UTF-8 bytes is 400; a payload over 1 MiB or a body over 16 MiB is 413.
        Set<Integer> expect = giant ? Set.of(413) : kind < 2 ? Set.of(400) : len > 1 << 20 ? Set.of(413) : Set.of(201);
        return new Req("huge string (" + new String[] {"entity", "scope", "payload", "payload key"}[kind] + ", " + len + " chars)",
                "POST", API + "events", List.of("Content-Type: application/json"), json.getBytes(StandardCharsets.UTF_8), expect);
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
        boolean removed = r.nextInt(4) == 0;
        if (removed) {
            m.remove(field);
        } else {
            m.put(field, value);
        }
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        String body = b.append('}').toString();
        Set<Integer> expect;
        if (removed) {
            // Entity, scope and kind are required; the rest are optional.
            expect = Set.of("entity", "scope", "kind").contains(field) ? Set.of(400) : field.equals("payload") ? Set.of(201, 400)
                    : Set.of(201);
        } else if (field.equals("kind")) {
            expect = Set.of(400); // none of the wrong values is a kind 0..65535 outside the reserved categories
        } else if (field.equals("expectedSequence")) {
            // -1, 65536 and null are numbers (or absent): a 409 when the entity is elsewhere; the rest are not numbers.
            expect = Set.of("-1", "65536", "null").contains(value) ? Set.of(201, 409, 400) : Set.of(400);
        } else if (field.equals("correlationId") || field.equals("causationId")) {
            expect = value.equals("null") ? Set.of(201, 400) : Set.of(400);
        } else {
            // Any JSON value is a payload; "str" is a legal entity or scope name.
            expect = Set.of(201, 400);
        }
        boolean batch = r.nextInt(3) == 0;
        return (batch ? postJson("wrong type of " + field + " in a batch", "batches", "{\"events\":[" + body + "]}")
                : postJson("wrong type of " + field + (removed ? " (missing)" : ""), "events", body)).expecting(expect);
    }

    private static Req unknownFields(Random r) {
        String extra = "\"unknown" + r.nextInt(5) + "\":" + WRONG_VALUES[r.nextInt(WRONG_VALUES.length)] + ",";
        // Unknown fields are ignored (the contract only ever adds fields), so a well-formed request is stored.
        return r.nextBoolean() ? postJson("unknown field", "events", "{" + extra + VALID.substring(1)).expecting(201)
                : postJson("unknown field in a batch", "batches", "{" + extra + "\"events\":[{" + extra + VALID.substring(1) + "]}")
                .expecting(201);
    }

    private static Req badBatches(Random r, int i) {
        if (i / 14 % 60 == 5) {
            StringBuilder many = new StringBuilder("{\"events\":[");
            for (int k = 0; k < 100_001; k++) {
                many.append(k == 0 ? "" : ",").append("{\"entity\":\"hostile:many\",\"scope\":\"h\",\"kind\":61441,\"payload\":0}");
            }
            return postJson("batch of 100001 events", "batches", many.append("]}").toString()).expecting(400, 413);
        }
        String[] bodies = {"{\"events\":{}}", "{\"events\":null}", "{\"events\":[]}", "{\"events\":[null]}", "{\"events\":[1,2]}",
            "{\"events\":[" + VALID + ",{}]}", "{\"events\":\"x\"}", "[]", "{}", "{\"events\":[" + VALID + ",{\"entity\":\"\"}]}",
            "{\"events\":[" + VALID.replace("61441", "0") + "]}", "{\"events\":[" + VALID.replace("61441", "53248") + "]}"};
        int k = r.nextInt(bodies.length);
        return postJson("bad batch " + k, "batches", bodies[k]).expecting(400);
    }

    private static Req pathTricks(Random r) {
        boolean longName = r.nextInt(8) == 0;
        // Long names stay below the listener's request-line limit, so the application answers them.
        String name = longName ? "e".repeat(1 + r.nextInt(4000)) : PATH_TRICKS[r.nextInt(PATH_TRICKS.length)];
        // "..", "." and friends normalise onto other routes (a list of events, say): a 200 is legal there.
        return switch (r.nextInt(5)) {
            case 0 -> get("path trick in entity events", "entities/" + name + "/events").expecting(200, 400, 404);
            case 1 -> get("path trick in verify", "entities/" + name + "/verify").expecting(200, 400, 404);
            case 2 -> get("path trick in event id", "events/" + name).expecting(longName ? Set.of(400) : Set.of(200, 400, 404));
            case 3 -> get("path trick in ancestors", "events/" + name + "/ancestors?limit=5").expecting(200, 400, 404);
            default -> new Req("path trick in POST", "POST", API + "entities/" + name + "/events",
                    List.of("Content-Type: application/json"), VALID.getBytes(StandardCharsets.UTF_8), Set.of(201, 400, 404, 405));
        };
    }

    private static Req badReadParams(Random r) {
        String n = BAD_NUMBERS[r.nextInt(BAD_NUMBERS.length)];
        String edge = EDGE_NUMBERS[r.nextInt(EDGE_NUMBERS.length)];
        return switch (r.nextInt(11)) {
            case 0 -> get("bad limit", "events?limit=" + n).expecting(400);
            case 1 -> get("bad after", "events?after=" + n).expecting(400);
            case 2 -> get("bad kind", "events?kind=" + n).expecting(400);
            case 3 -> get("bad category", "events?category=" + n).expecting(400);
            case 4 -> get("bad from", "entities/hostile:seed-0/events?from=" + n + "&limit=" + edge).expecting(400);
            case 5 -> get("edge limit/after (may be legal)", "events?limit=" + edge + "&after=" + EDGE_NUMBERS[r.nextInt(EDGE_NUMBERS.length)])
                    .expecting(200, 400);
            case 6 -> get("long prefix", "events?entityPrefix=" + "p".repeat(r.nextInt(4000)) + "&scope=%00").expecting(200, 400);
            case 7 -> get("bad ancestors limit", "events/00000000-0000-7000-8000-000000000000/ancestors?limit=" + n).expecting(400, 404);
            case 10 -> get("malformed accept", "events?limit=1", "Accept: " + (r.nextBoolean() ? "*/*;q=x" : ";;;"))
                    .expecting(400, 406).container(); // refused by the container (HTML 400) or the application
            default -> {
                // HTTP-API.md: an unacceptable Accept is 406 not-acceptable (issue 21 found 200 JSON here).
                String[][] accepts = {{"application/xml", "406"}, {"text/event-stream", "406"}, {"application/msgpack", "200"},
                    {"application/cloudevents+json", "200"}};
                String[] a = accepts[r.nextInt(accepts.length)];
                Req q = get("accept " + a[0], "events?limit=1", "Accept: " + a[0]);
                yield a[1].equals("406") ? q.expecting(406) : q.expecting(200);
            }
        };
    }

    private static Req badSubscribe(Random r) {
        String n = BAD_NUMBERS[r.nextInt(BAD_NUMBERS.length)];
        String accept = "Accept: text/event-stream";
        return switch (r.nextInt(5)) {
            case 0 -> get("subscribe bad after", "subscribe?after=" + n, accept).expecting(400);
            case 1 -> get("subscribe bad Last-Event-ID", "subscribe", accept, "Last-Event-ID: " + n).expecting(400);
            case 2 -> get("subscribe bad kind/category", "subscribe?kind=" + n + "&category=" + BAD_NUMBERS[r.nextInt(BAD_NUMBERS.length)],
                    accept).expecting(400);
            case 3 -> get("subscribe with Accept: application/json", "subscribe?after=0", "Accept: application/json").expecting(406);
            default -> get("subscribe long prefix, bad after", "subscribe?entityPrefix=" + "q".repeat(r.nextInt(4000)) + "&after=" + n,
                    accept).expecting(400);
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
            {"ce-kind: 61441", "ce-kind: abc", "ce-kind: -1", "ce-kind: 99999", "ce-kind: 53248", null},
            {"ce-time: not-a-time", "ce-time: 2026-01-01T00:00:00Z", null},
            {"Content-Type: application/json", "Content-Type: text/plain", "Content-Type: application/octet-stream",
                "Content-Type: application/json; charset=nope", null}};
        boolean valid = true;
        for (int k = 0; k < options.length; k++) {
            String[] o = options[k];
            int pick = r.nextInt(o.length);
            // Valid: each required attribute's first option, any time or content type (a bad ce-time is refused),
            // and the 5,000-character id too: the CloudEvents spec sets no length, and the store keys idempotency on
            // a SHA-256 of source and id (CloudEventAppends.idempotencyKey), so any non-empty id is accepted.
            valid &= k == 7 || (k == 6 ? pick != 0 : k == 1 ? pick == 0 || pick == 2 : pick == 0);
            if (o[pick] != null) {
                h.add(o[pick]);
            }
        }
        byte[] body = r.nextBoolean() ? "{\"x\":1}".getBytes(StandardCharsets.UTF_8) : randomAscii(r, r.nextInt(100)).getBytes(StandardCharsets.UTF_8);
        // A valid binary event is stored (or replayed, or 422 for an id reused with other data); the rest is a 400 or 415.
        return new Req("cloudevents binary" + (valid ? " (valid attributes)" : ""), "POST", API + "events", h, body,
                valid ? Set.of(200, 201, 400, 415, 422) : Set.of(400, 415)).container();
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
        int k = r.nextInt(bodies.length);
        boolean batchPath = r.nextInt(6) == 0;
        boolean batchType = r.nextInt(5) == 0;
        // Only the first and the last body are valid events (the last one's data is the JSON string "{not json",
        // its kind a numeric string), and only sent singly to /events as cloudevents+json.
        Set<Integer> expect = (k == 0 || k == 9) && !batchPath && !batchType ? Set.of(200, 201, 422) : Set.of(400, 415);
        return post("cloudevents structured " + k + (batchPath ? " to /batches" : "") + (batchType ? " as batch type" : ""),
                batchPath ? "batches" : "events", batchType ? "application/cloudevents-batch+json" : "application/cloudevents+json",
                bodies[k].getBytes(StandardCharsets.UTF_8)).expecting(expect);
    }

    private static Req badMsgpack(Random r) {
        byte[] body;
        int kind = r.nextInt(7);
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            switch (kind) {
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
        // Declared lengths beyond the body are refused before anything is allocated: a 400 (or 413 for a claimed huge payload).
        return post("bad msgpack " + kind, r.nextInt(3) == 0 ? "batches" : "events", "application/msgpack", body,
                r.nextBoolean() ? "Accept: application/msgpack" : "Accept: application/json")
                .expecting(kind >= 5 ? new Integer[] {400, 413} : new Integer[] {400});
    }

    private static Req oddHeaders(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> {
                String method = new String[] {"PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD"}[r.nextInt(6)];
                // OPTIONS and HEAD are answered by JAX-RS itself for the GET /events route; the rest are 405.
                Set<Integer> expect = method.equals("OPTIONS") ? Set.of(200, 204) : method.equals("HEAD") ? Set.of(200) : Set.of(405);
                Req q = new Req("method " + method + " on /events", method, API + "events", List.of("Content-Type: application/json"),
                        VALID.getBytes(StandardCharsets.UTF_8), expect);
                // Payara refuses TRACE itself, and a body on HEAD or DELETE (an empty 400).
                yield Set.of("TRACE", "HEAD", "DELETE").contains(method) ? q.container() : q;
            }
            case 1 -> {
                String[][] types = {{"text/plain", "415"}, {"application/json; charset=latin1", "201"}, {"application/json;;;", "201"},
                    {"application/x-www-form-urlencoded", "415"}, {"multipart/form-data; boundary=x", "415"},
                    {"application/json; charset=utf-16", "201"}};
                String[] t = types[r.nextInt(types.length)];
                // Empty parameters (";;;") and a wrong charset on a UTF-8 body may be read as plain JSON (201) or refused.
                yield post("content type " + t[0], "events", t[0], VALID.getBytes(StandardCharsets.UTF_8))
                        .expecting(t[1].equals("201") ? new Integer[] {201, 400, 415} : new Integer[] {400, 415});
            }
            case 2 -> post("control chars in Idempotency-Key", "events", "application/json", VALID.getBytes(StandardCharsets.UTF_8),
                    "Idempotency-Key: a\u0001b\u007f" + r.nextInt(100)).expecting(400).container();
            case 3 -> post("empty body", r.nextBoolean() ? "events" : "batches", "application/json", new byte[0]).expecting(400);
            case 4 -> get("unknown path", "no/such/" + PATH_TRICKS[r.nextInt(PATH_TRICKS.length)]).expecting(400, 404);
            default -> post("no content type", "events", null, VALID.getBytes(StandardCharsets.UTF_8)).expecting(201, 400, 415);
        };
    }

    private static final String[] BAD_WAITS = {"-1", "\"x\"", "1.5", "null", "[]", "{}", "0", "\"5000\"", "true"};

    /** A hostile request to the streams or transactions endpoints of {@code stream} (or of a tricky name). */
    static Req hostileStreams(Random r, String stream) {
        boolean tricky = r.nextInt(3) == 0;
        String name = tricky ? PATH_TRICKS[r.nextInt(PATH_TRICKS.length)] : stream;
        String wrong = WRONG_VALUES[r.nextInt(WRONG_VALUES.length)];
        String base = "streams/" + name;
        // A tricky name may normalise onto another route or name a stream that does not exist.
        return switch (r.nextInt(9)) {
            case 0 -> {
                int k = r.nextInt(4);
                String body = switch (k) {
                    case 0 -> "{\"partitions\":" + wrong + "}";
                    case 1 -> "{\"partitions\":" + BAD_NUMBERS[r.nextInt(BAD_NUMBERS.length)] + "}";
                    case 2 -> "{\"partitions\":1}";
                    default -> randomAscii(r, r.nextInt(40));
                };
                // The seeded stream has 2 partitions: 1 is a shrink (400); the rest is no partition count.
                yield new Req("put stream " + k + (tricky ? " (tricky name)" : ""), "PUT", API + base,
                        List.of("Content-Type: application/json"), body.getBytes(StandardCharsets.UTF_8),
                        tricky ? Set.of(200, 201, 400, 404, 405) : Set.of(400));
            }
            // Some of these are valid publishes: they go to a sibling stream, so the seeded one stays as it was.
            case 1 -> {
                int k = r.nextInt(5);
                yield postJson("publish " + k, "streams/" + (name.equals(stream) ? stream + "-w" : name) + "/events", switch (k) {
                    case 0 -> "{\"key\":" + wrong + ",\"kind\":61441,\"payload\":{}}";
                    case 1 -> "{\"key\":\"k\",\"kind\":" + wrong + ",\"payload\":{}}";
                    case 2 -> "{\"events\":" + wrong + "}";
                    case 3 -> "{\"events\":[" + "[".repeat(2000) + "]}";
                    default -> "{\"key\":\"k\",\"kind\":" + (r.nextBoolean() ? "1" : "53248") + ",\"payload\":{}}";
                }).expecting(k == 0 ? new Integer[] {201, 400, 404, 405} : new Integer[] {400, 404, 405});
            }
            case 2 -> new Req("put group", "PUT", API + base + "/groups/" + (r.nextBoolean() ? "g" : PATH_TRICKS[r.nextInt(PATH_TRICKS.length)]),
                    List.of("Content-Type: application/json"), ("{\"" + (switch (r.nextInt(3)) {
                        case 0 -> "ackTimeoutMs";
                        case 1 -> "maxInFlight";
                        default -> "start";
                    }) + "\":" + wrong + "}").getBytes(StandardCharsets.UTF_8), Set.of(200, 201, 400, 404, 405));
            case 3 -> postJson("poll", base + "/groups/g/poll", "{\"consumer\":" + (r.nextBoolean() ? wrong : "\"c\"")
                    + ",\"max\":" + (r.nextBoolean() ? wrong : "1") + ",\"waitMs\":" + BAD_WAITS[r.nextInt(BAD_WAITS.length)]
                    + (r.nextBoolean() ? ",\"start\":" + wrong : "") + "}").expecting(200, 400, 404, 405);
            case 4 -> postJson(r.nextBoolean() ? "ack" : "nack", base + "/groups/g/" + (r.nextBoolean() ? "ack" : "nack"),
                    switch (r.nextInt(3)) {
                        case 0 -> "{\"deliveryIds\":" + wrong + "}";
                        case 1 -> "{\"deliveryIds\":[" + wrong + "," + wrong + "]}";
                        default -> "{\"deliveryIds\":[\"" + "x".repeat(r.nextInt(100_000)) + "\"]}";
                    }).expecting(200, 400, 404, 405);
            case 5 -> get("group state", base + "/groups/" + PATH_TRICKS[r.nextInt(PATH_TRICKS.length)]).expecting(200, 400, 404, 405);
            case 6 -> postJson("tx statement", "transactions/" + (r.nextBoolean() ? PATH_TRICKS[r.nextInt(PATH_TRICKS.length)]
                    : java.util.UUID.randomUUID().toString()) + "/events", r.nextBoolean() ? VALID
                    : "{\"stream\":" + wrong + ",\"key\":\"k\",\"kind\":61441,\"payload\":{}}").expecting(400, 404, 405);
            case 7 -> postJson("tx commit", "transactions/" + java.util.UUID.randomUUID() + "/commit",
                    "{\"ack\":" + (r.nextBoolean() ? wrong : "{\"stream\":" + wrong + ",\"group\":\"g\",\"deliveryIds\":[]}") + "}")
                    .expecting(400, 404);
            default -> new Req("tx abort", "DELETE", API + "transactions/" + PATH_TRICKS[r.nextInt(PATH_TRICKS.length)], List.of(), null,
                    Set.of(400, 404, 405));
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
