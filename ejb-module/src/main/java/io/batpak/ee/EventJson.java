package io.batpak.ee;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.util.Hex;
import io.batpak.engine.StoredEvent;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonParser;
import java.io.ByteArrayInputStream;
import java.util.Base64;

/**
 * The contract's JSON shapes of a stored event and of an append receipt. A payload that is not
 * JSON (appended through the Java API as raw bytes) is answered as {@code "payload": null} plus
 * {@code "payloadBase64"}, so every answer stays valid JSON. {@code "payloadVersion"} is the version
 * the payload is in: the kind's current version once upcasters ran (the hashes stay the stored
 * ones). Stateless, thread-safe.
 */
public final class EventJson {
    private EventJson() {
    }

    /**
     * Receives a stored event's fields in the contract's order ({@link #fields}); one implementation
     * per output form (a JSON object, a JSON generator, MessagePack), so every form has the same
     * fields, names and values. Used by one thread at a time.
     */
    public interface Fields {
        /** The event starts; it has {@code count} fields (MessagePack writes the count first). */
        void start(int count);

        /** A string field; {@code value} null is JSON null. */
        void string(String name, String value);

        void number(String name, long value);

        /** The attributes object (string values), in the map's order. */
        void attributes(String name, java.util.Map<String, String> attributes);

        /** A JSON value (the payload). */
        void value(String name, JsonValue value);

        /** The event ends. */
        void end();
    }

    /** The event's fields, in the contract's order, to {@code out}. */
    public static void fields(StoredEvent e, Fields out) {
        byte[] payload = e.payload();
        JsonValue json = payloadJson(payload);
        boolean attributes = !e.attributes().isEmpty();
        out.start(13 + (attributes ? 1 : 0) + (json == null ? 1 : 0));
        out.string("eventId", e.eventId().toString());
        out.string("entity", e.entity());
        out.string("scope", e.scope());
        out.number("kind", e.kind().value());
        out.number("sequence", e.sequence());
        out.number("globalSequence", e.globalSequence());
        out.number("timestampUs", e.timestampUs());
        out.string("correlationId", e.correlationId() == null ? null : e.correlationId().toString());
        out.string("causationId", e.causationId() == null ? null : e.causationId().toString());
        out.string("prevHash", Hex.encode(e.prevHash()));
        out.string("hash", Hex.encode(e.hash()));
        if (attributes) {
            out.attributes("attributes", e.attributes());
        }
        out.number("payloadVersion", e.payloadVersion());
        if (json != null) {
            out.value("payload", json);
        } else {
            out.value("payload", JsonValue.NULL);
            out.string("payloadBase64", Base64.getEncoder().encodeToString(payload));
        }
        out.end();
    }

    /** The event as a JSON object. */
    public static JsonObject event(StoredEvent e) {
        JsonObjectBuilder b = JSON.createObjectBuilder();
        fields(e, new Fields() {
            @Override
            public void start(int count) {
            }

            @Override
            public void string(String name, String value) {
                if (value == null) {
                    b.addNull(name);
                } else {
                    b.add(name, value);
                }
            }

            @Override
            public void number(String name, long value) {
                b.add(name, value);
            }

            @Override
            public void attributes(String name, java.util.Map<String, String> attributes) {
                JsonObjectBuilder attrs = JSON.createObjectBuilder();
                attributes.forEach(attrs::add);
                b.add(name, attrs);
            }

            @Override
            public void value(String name, JsonValue value) {
                b.add(name, value);
            }

            @Override
            public void end() {
            }
        });
        return b.build();
    }

    /**
     * Writes the event as a JSON object to {@code g} (as an array element, or after {@code g}
     * wrote a field name): the text is the {@link #event} object's, built field by field.
     */
    public static void write(JsonGenerator g, StoredEvent e) {
        fields(e, new Fields() {
            @Override
            public void start(int count) {
                g.writeStartObject();
            }

            @Override
            public void string(String name, String value) {
                if (value == null) {
                    g.writeNull(name);
                } else {
                    g.write(name, value);
                }
            }

            @Override
            public void number(String name, long value) {
                g.write(name, value);
            }

            @Override
            public void attributes(String name, java.util.Map<String, String> attributes) {
                g.writeStartObject(name);
                attributes.forEach(g::write);
                g.writeEnd();
            }

            @Override
            public void value(String name, JsonValue value) {
                g.write(name, value);
            }

            @Override
            public void end() {
                g.writeEnd();
            }
        });
    }

    /** The payload as a JSON value, or null if its bytes are not exactly one JSON document. */
    public static JsonValue payloadJson(byte[] payload) {
        if (payload.length == 0) {
            return null;
        }
        // A parser rather than JsonReader.readValue: the reader stops after the first value, so
        // bytes such as {"a":1} plus trailing text would be answered as {"a":1}, hiding the rest.
        try (JsonParser p = JSON.createParser(new ByteArrayInputStream(payload))) {
            p.next();
            JsonValue value = p.getValue();
            return p.hasNext() ? null : value;
        } catch (JsonException | java.util.NoSuchElementException | IllegalStateException e) {
            return null;
        }
    }

    /** {@code {"receipts":[…]}} as UTF-8 JSON bytes, written without building a JSON object per receipt. */
    public static byte[] receiptsJson(java.util.List<AppendReceipt> receipts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(160 * receipts.size() + 16);
        try (jakarta.json.stream.JsonGenerator g = GENERATORS.createGenerator(out,
                java.nio.charset.StandardCharsets.UTF_8)) {
            g.writeStartObject().writeStartArray("receipts");
            for (AppendReceipt r : receipts) {
                g.writeStartObject()
                        .write("eventId", r.eventId().toString())
                        .write("entity", r.coordinate().entity())
                        .write("scope", r.coordinate().scope())
                        .write("sequence", r.sequence())
                        .write("globalSequence", r.globalSequence())
                        .write("hash", r.hashHex())
                        .writeEnd();
            }
            g.writeEnd().writeEnd();
        }
        return out.toByteArray();
    }

    private static final jakarta.json.stream.JsonGeneratorFactory GENERATORS = JSON.createGeneratorFactory(
            java.util.Map.of());

    public static JsonObject receipt(AppendReceipt r) {
        return JSON.createObjectBuilder()
                .add("eventId", r.eventId().toString())
                .add("entity", r.coordinate().entity())
                .add("scope", r.coordinate().scope())
                .add("sequence", r.sequence())
                .add("globalSequence", r.globalSequence())
                .add("hash", r.hashHex())
                .build();
    }
}
