package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreException;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.MediaType;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The streamed batch reader ({@link BatchBodies}) against the tree it replaced ({@link TreeBatch}):
 * for generated valid batches, JSON and MessagePack, it yields the same append requests and
 * condition; for generated broken ones (truncated, bytes changed or inserted, invalid UTF-8, wrong
 * types, duplicated fields, over the size limit, too many events) the same answer, status, code and
 * detail alike. Bodies arrive in random small chunks, so parser buffers split values anywhere.
 */
class BatchBodiesProperties {
    // Built by constructor: unit tests have no JAX-RS runtime (RuntimeDelegate) to parse or print a media type.
    private static final MediaType MSGPACK = new MediaType("application", "msgpack");
    private static final long LIMIT = 16L << 20;

    @Property(tries = 300)
    void validJsonBatchesYieldTheTreesRequests(@ForAll("batches") JsonObject batch, @ForAll long seed) {
        byte[] body = batch.toString().getBytes(StandardCharsets.UTF_8);
        String streamed = streamed(body, MediaType.APPLICATION_JSON_TYPE, LIMIT, seed);
        assertTrue(streamed.startsWith("ok"), streamed);
        assertEquals(tree(body, MediaType.APPLICATION_JSON_TYPE, LIMIT), streamed);
    }

    @Property(tries = 300)
    void validMsgpackBatchesYieldTheTreesRequests(@ForAll("batches") JsonObject batch, @ForAll long seed) {
        byte[] body = MsgpackJson.encode(batch);
        String streamed = streamed(body, MSGPACK, LIMIT, seed);
        assertTrue(streamed.startsWith("ok"), streamed);
        assertEquals(tree(body, MSGPACK, LIMIT), streamed);
    }

    @Property(tries = 1000)
    void brokenJsonIsRefusedAsTheTreeRefusedIt(@ForAll("batches") JsonObject batch, @ForAll("mutations") Mutation m,
                                               @ForAll long seed) {
        byte[] body = m.apply(batch.toString().getBytes(StandardCharsets.UTF_8));
        assertSame(body, MediaType.APPLICATION_JSON_TYPE, LIMIT, seed);
    }

    @Property(tries = 1000)
    void brokenMsgpackIsRefusedAsTheTreeRefusedIt(@ForAll("batches") JsonObject batch, @ForAll("mutations") Mutation m,
                                                  @ForAll long seed) {
        assertSame(m.apply(MsgpackJson.encode(batch)), MSGPACK, LIMIT, seed);
    }

    @Property(tries = 500)
    void wrongTypesAreRefusedAsTheTreeRefusedThem(@ForAll("batches") JsonObject batch, @ForAll("wrongFields") String field,
                                                  @ForAll("values") JsonValue wrong, @ForAll int which, @ForAll boolean msgpack,
                                                  @ForAll long seed) {
        JsonObject broken;
        if (field.equals("events") || field.equals("condition")) {
            broken = JSON.createObjectBuilder(batch).add(field, wrong).build();
        } else {
            List<JsonValue> events = new ArrayList<>(batch.getJsonArray("events"));
            int i = Math.floorMod(which, events.size());
            events.set(i, field.equals("*") ? wrong
                    : JSON.createObjectBuilder(events.get(i).asJsonObject()).add(field, wrong).build());
            broken = JSON.createObjectBuilder(batch).add("events", JSON.createArrayBuilder(events)).build();
        }
        byte[] body = msgpack ? MsgpackJson.encode(broken) : broken.toString().getBytes(StandardCharsets.UTF_8);
        assertSame(body, msgpack ? MSGPACK : MediaType.APPLICATION_JSON_TYPE, LIMIT, seed);
    }

    @Property(tries = 300)
    void bodiesOverTheLimitAre413(@ForAll("batches") JsonObject batch, @ForAll("mutations") Mutation m,
                                  @ForAll @IntRange(min = 1, max = 1000) int under, @ForAll boolean msgpack,
                                  @ForAll long seed) {
        byte[] body = m.apply(msgpack ? MsgpackJson.encode(batch) : batch.toString().getBytes(StandardCharsets.UTF_8));
        long limit = Math.max(0, body.length - under); // under the length: over the limit unless empty
        String streamed = assertSame(body, msgpack ? MSGPACK : MediaType.APPLICATION_JSON_TYPE, limit, seed);
        if (body.length > 0) {
            assertTrue(streamed.contains("\"status\":413"), streamed);
        }
    }

    @Property(tries = 200)
    void duplicatedFieldsCountByTheirLastOccurrence(@ForAll("batches") JsonObject a, @ForAll("batches") JsonObject b,
                                                    @ForAll("values") JsonValue other, @ForAll long seed) {
        String events = "\"events\":" + a.getJsonArray("events") + ",";
        String text = "{" + events + "\"condition\":" + other + ",\"events\":" + b.getJsonArray("events")
                + (b.containsKey("condition") ? ",\"condition\":" + b.get("condition") : "") + "}";
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        assertSame(body, MediaType.APPLICATION_JSON_TYPE, LIMIT, seed);
        assertSame(("{" + events + "\"events\":" + other + "}").getBytes(StandardCharsets.UTF_8),
                MediaType.APPLICATION_JSON_TYPE, LIMIT, seed);
    }

    @Property(tries = 200)
    void otherMediaTypesAndEmptyBodies(@ForAll("batches") JsonObject batch, @ForAll boolean empty,
                                       @ForAll("types") String type, @ForAll long seed) {
        byte[] body = empty ? new byte[0] : batch.toString().getBytes(StandardCharsets.UTF_8);
        int slash = type.indexOf('/');
        MediaType t = type.isEmpty() ? null : type.contains(";")
                ? new MediaType("application", "json", java.util.Map.of("charset", "utf-8"))
                : new MediaType(type.substring(0, slash), type.substring(slash + 1));
        assertSame(body, t, LIMIT, seed);
    }

    @Example
    void tooManyEventsIs413AsBeforeEvenWithABadEventInside() {
        for (boolean msgpack : new boolean[] {false, true}) {
            JsonArrayBuilder many = JSON.createArrayBuilder();
            JsonObject event = JSON.createObjectBuilder().add("entity", "e").add("scope", "s").add("kind", 1).build();
            for (int i = 0; i < io.batpak.engine.EventStore.MAX_BATCH_EVENTS + 1; i++) {
                many.add(i == 7 ? JsonValue.NULL : event);
            }
            JsonObject batch = JSON.createObjectBuilder().add("events", many).build();
            byte[] body = msgpack ? MsgpackJson.encode(batch) : batch.toString().getBytes(StandardCharsets.UTF_8);
            String streamed = assertSame(body, msgpack ? MSGPACK : MediaType.APPLICATION_JSON_TYPE, LIMIT, 1);
            assertTrue(streamed.contains("got 100001"), streamed);
        }
    }

    @Example
    void deepNestingAndHugeBinaryHeadersAsBefore() {
        String deep = "[".repeat(5000) + "1" + "]".repeat(5000);
        assertSame(("{\"events\":[" + deep + "]}").getBytes(StandardCharsets.UTF_8), MediaType.APPLICATION_JSON_TYPE, LIMIT, 2);
        assertSame(("{\"x\":" + deep + ",\"events\":[]}").getBytes(StandardCharsets.UTF_8), MediaType.APPLICATION_JSON_TYPE,
                LIMIT, 2);
        byte[] nested = new byte[3000];
        Arrays.fill(nested, (byte) 0x91); // fixarray of 1, 3000 deep
        assertSame(nested, MSGPACK, LIMIT, 3);
        // {"events":[{"payload": bin32 of 4 GiB - 1 with 3 bytes behind it}]}
        byte[] bin = {(byte) 0x81, (byte) 0xA6, 'e', 'v', 'e', 'n', 't', 's', (byte) 0x91, (byte) 0x81, (byte) 0xA7, 'p', 'a',
            'y', 'l', 'o', 'a', 'd', (byte) 0xC6, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3};
        assertSame(bin, MSGPACK, LIMIT, 4);
        // a binary the limit allows but the body does not hold
        byte[] shortBin = Arrays.copyOf(bin, bin.length);
        shortBin[19] = 0;
        shortBin[20] = 1;
        assertSame(shortBin, MSGPACK, LIMIT, 5);
    }

    // ---- the comparison

    private static String assertSame(byte[] body, MediaType type, long limit, long seed) {
        String streamed = streamed(body, type, limit, seed);
        assertEquals(tree(body, type, limit), streamed, () -> "body " + abbreviate(body));
        // Reported per property: how many cases ended in which answer (the broken ones must reach many).
        net.jqwik.api.statistics.Statistics.collect(streamed.startsWith("problem") ? streamed.replaceAll(
                ".*\"status\":(\\d+).*\"detail\":\"([^:\"]{0,24}).*", "$1 $2") : streamed.split(" ")[0]);
        return streamed;
    }

    private static String streamed(byte[] body, MediaType type, long limit, long seed) {
        return outcome(() -> {
            BatchBodies.Batch b = BatchBodies.read(LimitedBody.open(new Trickle(body, seed), null, limit), type);
            return describe(b.requests()) + " condition " + b.condition(ScopeGrants.ALL);
        });
    }

    private static String tree(byte[] body, MediaType type, long limit) {
        return outcome(() -> {
            TreeBatch.Parsed p = TreeBatch.parse(body, type, limit, ScopeGrants.ALL);
            return describe(p.requests()) + " condition " + p.condition();
        });
    }

    private static String outcome(Supplier<String> parse) {
        try {
            return "ok " + parse.get();
        } catch (ProblemException e) {
            return "problem " + e.problem().json();
        } catch (StoreException e) {
            return "store " + e.code() + " " + e.getMessage();
        } catch (RuntimeException e) {
            return "exception " + e.getClass().getName() + " " + e.getMessage();
        }
    }

    private static String describe(List<AppendRequest> requests) {
        StringBuilder b = new StringBuilder();
        for (AppendRequest r : requests) {
            b.append('[').append(r.coordinate().entity()).append('|').append(r.coordinate().scope()).append('|')
                    .append(r.kind().value()).append('|').append(Base64.getEncoder().encodeToString(r.payload())).append('|')
                    .append(r.options()).append('|').append(r.payloadVersion()).append(']');
        }
        return b.toString();
    }

    private static String abbreviate(byte[] body) {
        String s = new String(body, StandardCharsets.ISO_8859_1);
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    /** The body in random chunks of 1..600 bytes, as a network read may deliver it. */
    private static final class Trickle extends InputStream {
        private final ByteArrayInputStream in;
        private final Random random;

        Trickle(byte[] body, long seed) {
            this.in = new ByteArrayInputStream(body);
            this.random = new Random(seed);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, 1 + random.nextInt(random.nextBoolean() ? 8 : 600)));
        }
    }

    // ---- generators

    /** A change to a body's bytes: truncation, a changed, inserted or removed byte, invalid UTF-8. */
    record Mutation(int kind, int at, int b) {
        byte[] apply(byte[] body) {
            int i = body.length == 0 ? 0 : Math.floorMod(at, body.length);
            byte[] noise = {(byte) b, (byte) 0xFF, (byte) 0xC3, '{', '}', '[', ']', '"', ',', ':', '\\', 0, (byte) 0x80};
            return switch (kind) {
                case 0 -> Arrays.copyOf(body, i);
                case 1 -> {
                    byte[] out = body.clone();
                    if (out.length > 0) {
                        out[i] = noise[Math.floorMod(b, noise.length)];
                    }
                    yield out;
                }
                case 2 -> {
                    byte[] out = new byte[body.length + 1];
                    System.arraycopy(body, 0, out, 0, i);
                    out[i] = noise[Math.floorMod(b, noise.length)];
                    System.arraycopy(body, i, out, i + 1, body.length - i);
                    yield out;
                }
                case 3 -> {
                    if (body.length == 0) {
                        yield body;
                    }
                    byte[] out = new byte[body.length - 1];
                    System.arraycopy(body, 0, out, 0, i);
                    System.arraycopy(body, i + 1, out, i, body.length - i - 1);
                    yield out;
                }
                case 4 -> {
                    byte[] out = Arrays.copyOf(body, body.length + 1 + b % 7);
                    Arrays.fill(out, body.length, out.length, (byte) (b % 2 == 0 ? ' ' : '}'));
                    yield out;
                }
                default -> body;
            };
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers(),
                Arbitraries.integers().between(0, 255)).as(Mutation::new);
    }

    @Provide
    Arbitrary<String> wrongFields() {
        return Arbitraries.of("entity", "scope", "kind", "payload", "payloadVersion", "expectedSequence", "correlationId",
                "causationId", "idempotencyKey", "condition", "events", "*");
    }

    @Provide
    Arbitrary<String> types() {
        return Arbitraries.of("", "application/json", "application/json; charset=utf-8", "application/cloudevents-batch+json",
                "application/x-msgpack");
    }

    @Provide
    Arbitrary<JsonObject> batches() {
        Arbitrary<JsonObject> condition = Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(5),
                Arbitraries.integers().between(0, 3), Arbitraries.longs().between(0, 1000))
                .as((scope, kinds, after) -> {
                    JsonArrayBuilder k = JSON.createArrayBuilder();
                    for (int i = 0; i < kinds; i++) {
                        k.add(i * 7);
                    }
                    return JSON.createObjectBuilder().add("failIfEventsMatch", JSON.createObjectBuilder()
                            .add("items", JSON.createArrayBuilder().add(JSON.createObjectBuilder().add("scope", scope)
                                    .add("kinds", k)))).add("after", after).build();
                });
        return Combinators.combine(event().list().ofMinSize(1).ofMaxSize(12), condition.injectNull(0.5),
                Arbitraries.integers().between(0, 2), Arbitraries.longs()).as((events, cond, extra, seed) -> {
                    List<String> order = new ArrayList<>(List.of("events", "condition", "unknown"));
                    java.util.Collections.shuffle(order, new Random(seed));
                    JsonObjectBuilder b = JSON.createObjectBuilder();
                    for (String f : order) {
                        switch (f) {
                            case "events" -> b.add("events", JSON.createArrayBuilder(new ArrayList<Object>(events)));
                            case "condition" -> {
                                if (cond != null) {
                                    b.add("condition", cond);
                                }
                            }
                            default -> {
                                if (extra > 0) {
                                    b.add("unknown" + extra, JSON.createArrayBuilder().add(extra).add("x"));
                                }
                            }
                        }
                    }
                    return b.build();
                });
    }

    private Arbitrary<JsonObject> event() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars("\u00e4\u20ac\u4e2d\"\\/ ")
                .ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> uuids = Arbitraries.longs().map(l -> new UUID(l, ~l).toString());
        return Combinators.combine(names, names, Arbitraries.integers().between(0, 0xFFFF), values(),
                Arbitraries.integers().between(1, 20).injectNull(0.6), Arbitraries.longs().between(-1, 1_000).injectNull(0.6),
                Combinators.combine(uuids.injectNull(0.6), uuids.injectNull(0.6), names.injectNull(0.7)).as((a, b, c) -> Arrays.asList(a, b, c)),
                Arbitraries.longs()).as((entity, scope, kind, payload, version, expected, ids, seed) -> {
                    List<String> order = new ArrayList<>(List.of("entity", "scope", "kind", "payload", "payloadVersion",
                            "expectedSequence", "correlationId", "causationId", "idempotencyKey"));
                    java.util.Collections.shuffle(order, new Random(seed));
                    JsonObjectBuilder b = JSON.createObjectBuilder();
                    for (String f : order) {
                        switch (f) {
                            case "entity" -> b.add(f, entity);
                            case "scope" -> b.add(f, scope);
                            case "kind" -> b.add(f, kind);
                            case "payload" -> b.add(f, payload);
                            case "payloadVersion" -> addIf(b, f, version == null ? null : JSON.createValue(version));
                            case "expectedSequence" -> addIf(b, f, expected == null ? null : JSON.createValue(expected));
                            case "correlationId" -> addIf(b, f, ids.get(0) == null ? null : JSON.createValue(ids.get(0)));
                            case "causationId" -> addIf(b, f, ids.get(1) == null ? null : JSON.createValue(ids.get(1)));
                            default -> addIf(b, f, ids.get(2) == null ? null : JSON.createValue(ids.get(2)));
                        }
                    }
                    return b.build();
                });
    }

    private static void addIf(JsonObjectBuilder b, String name, JsonValue v) {
        if (v != null) {
            b.add(name, v);
        }
    }

    /** Any JSON value, nested up to three levels. */
    @Provide
    Arbitrary<JsonValue> values() {
        Arbitrary<JsonValue> leaf = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '\u07ff').ofMaxLength(12).map(JSON::createValue),
                Arbitraries.longs().map(JSON::createValue),
                Arbitraries.doubles().between(-1e12, 1e12).map(JSON::createValue),
                Arbitraries.bigDecimals().between(new java.math.BigDecimal("-1e30"), new java.math.BigDecimal("1e30"))
                        .map(JSON::createValue),
                Arbitraries.of(JsonValue.TRUE, JsonValue.FALSE, JsonValue.NULL));
        return Arbitraries.recursive(() -> leaf, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(l -> JSON.createArrayBuilder(new ArrayList<Object>(l)).build()),
                Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(4), inner).as((k, v) -> Arrays.asList(k, v))
                        .list().ofMaxSize(4).map(kvs -> {
                            JsonObjectBuilder o = JSON.createObjectBuilder();
                            for (List<?> kv : kvs) {
                                o.add((String) kv.get(0), (JsonValue) kv.get(1));
                            }
                            return o.build();
                        })), 0, 3);
    }
}
