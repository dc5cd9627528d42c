package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.ee.EventJson;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.HlcTimestamp;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.util.Hex;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The streamed page ({@link EventPages}) against the tree it replaced: for generated events (JSON,
 * non-compact JSON, binary and empty payloads, with and without ids and attributes) and each
 * page's trailing fields, the JSON is byte for byte the page object's {@code toString()} (so it
 * parses to the same JSON), and the MessagePack is byte for byte {@link MsgpackJson#encode} of it;
 * {@link EventJson#event} is still the object the code before the shared field list built.
 */
class EventPagesProperties {

    @Property(tries = 300)
    void streamedPagesAreTheTreesBytes(@ForAll("events") List<StoredEvent> events, @ForAll("tails") List<EventPages.Tail> tail)
            throws IOException {
        EventPages.Tail[] t = tail.toArray(EventPages.Tail[]::new);
        JsonObject tree = treePage(events, tail);
        String json = new String(run(EventPages.json(events, t)), StandardCharsets.UTF_8);
        assertEquals(tree.toString(), json);
        assertEquals(tree, JSON.createReader(new StringReader(json)).readObject());
        assertArrayEquals(MsgpackJson.encode(tree), run(EventPages.msgpack(events, t)));
    }

    @Property(tries = 300)
    void theEventObjectIsTheOneBuiltBefore(@ForAll("event") StoredEvent e) {
        assertEquals(oldEvent(e).toString(), EventJson.event(e).toString());
    }

    private static byte[] run(StreamingOutput out) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        out.write(bytes);
        return bytes.toByteArray();
    }

    /** The page as the resources built it before it was streamed. */
    private static JsonObject treePage(List<StoredEvent> events, List<EventPages.Tail> tail) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        for (StoredEvent e : events) {
            a.add(oldEvent(e));
        }
        JsonObjectBuilder out = JSON.createObjectBuilder().add("events", a);
        for (EventPages.Tail t : tail) {
            if (t.value() == null) {
                out.addNull(t.name());
            } else {
                out.add(t.name(), t.value());
            }
        }
        return out.build();
    }

    /** EventJson.event as it was before EventJson.fields (verbatim). */
    private static JsonObject oldEvent(StoredEvent e) {
        JsonObjectBuilder b = JSON.createObjectBuilder()
                .add("eventId", e.eventId().toString())
                .add("entity", e.entity())
                .add("scope", e.scope())
                .add("kind", e.kind().value())
                .add("sequence", e.sequence())
                .add("globalSequence", e.globalSequence())
                .add("timestampUs", e.timestampUs());
        nullable(b, "correlationId", e.correlationId() == null ? null : e.correlationId().toString());
        nullable(b, "causationId", e.causationId() == null ? null : e.causationId().toString());
        b.add("prevHash", Hex.encode(e.prevHash())).add("hash", Hex.encode(e.hash()));
        if (!e.attributes().isEmpty()) {
            JsonObjectBuilder attrs = JSON.createObjectBuilder();
            e.attributes().forEach(attrs::add);
            b.add("attributes", attrs);
        }
        b.add("payloadVersion", e.payloadVersion());
        byte[] payload = e.payload();
        JsonValue json = EventJson.payloadJson(payload);
        if (json != null) {
            b.add("payload", json);
        } else {
            b.addNull("payload").add("payloadBase64", Base64.getEncoder().encodeToString(payload));
        }
        return b.build();
    }

    private static void nullable(JsonObjectBuilder b, String name, String value) {
        if (value == null) {
            b.addNull(name);
        } else {
            b.add(name, value);
        }
    }

    @Provide
    Arbitrary<List<EventPages.Tail>> tails() {
        Arbitrary<Long> positions = Arbitraries.longs().between(0, Long.MAX_VALUE);
        return Arbitraries.oneOf(
                Arbitraries.just(List.of()),
                positions.injectNull(0.5).map(n -> List.of(new EventPages.Tail("next", n))),
                Combinators.combine(positions.injectNull(0.5), positions)
                        .as((n, h) -> List.of(new EventPages.Tail("next", n), new EventPages.Tail("head", h))));
    }

    @Provide
    Arbitrary<List<StoredEvent>> events() {
        return event().list().ofMaxSize(30);
    }

    @Provide
    Arbitrary<StoredEvent> event() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '\u07ff').withChars("\"\\\n\u2028\u20ac")
                .ofMinLength(1).ofMaxLength(16);
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withChars("\u00e4\u20ac\u4e2d\"\\/ ")
                .ofMinLength(1).ofMaxLength(16); // coordinates refuse control characters
        Arbitrary<UUID> ids = Arbitraries.longs().map(l -> new UUID(l, l * 31));
        Arbitrary<byte[]> hashes = Arbitraries.bytes().array(byte[].class).ofSize(32);
        Arbitrary<Map<String, String>> attributes = Combinators.combine(text, text).as(Map::entry).list().ofMaxSize(3)
                .map(l -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    l.forEach(en -> m.put(en.getKey(), en.getValue()));
                    return m;
                });
        Arbitrary<List<Long>> numbers = Arbitraries.longs().between(0, Long.MAX_VALUE).list().ofSize(3);
        return Combinators.combine(ids, Combinators.combine(names, names).as(Coordinate::new),
                Arbitraries.integers().between(0, 0xFFFF), numbers,
                Combinators.combine(ids.injectNull(0.5), ids.injectNull(0.5)).as((a, b) -> java.util.Arrays.asList(a, b)),
                Combinators.combine(hashes, hashes).as(List::of), Combinators.combine(payloads(), attributes,
                        Arbitraries.integers().between(1, 100)).as((p, a, v) -> List.of(p, a, v)))
                .as((id, c, kind, n, cause, h, rest) -> {
                    @SuppressWarnings("unchecked")
                    Map<String, String> attrs = (Map<String, String>) rest.get(1);
                    return new StoredEvent(id, c, new EventKind(kind), n.get(0), n.get(1), n.get(2),
                            new HlcTimestamp(n.get(2) / 1000, 0), cause.get(0), cause.get(1), 0, h.get(0), h.get(1),
                            (byte[]) rest.get(0), null, attrs, (Integer) rest.get(2));
                });
    }

    /** Compact JSON (as appends store it), JSON with spaces, bytes that are not JSON, and none. */
    private Arbitrary<byte[]> payloads() {
        Arbitrary<String> json = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '\u07ff').ofMaxLength(10).map(s -> JSON.createValue(s).toString()),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().between(-1e9, 1e9).map(String::valueOf),
                Arbitraries.of("{\"a\":[1,2,{\"b\":null}],\"c\":true}", " { \"a\" : 1e5 , \"b\" : [ ] } ", "null", "[]",
                        "\"\\u00e9\\n\"", "-0", "1.50", "{\"a\":1} trailing"));
        return Arbitraries.oneOf(json.map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40));
    }

}
