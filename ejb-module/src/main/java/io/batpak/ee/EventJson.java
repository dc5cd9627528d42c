package io.batpak.ee;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.util.Hex;
import io.batpak.engine.StoredEvent;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
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

    public static JsonObject event(StoredEvent e) {
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
        JsonValue json = payloadJson(payload);
        if (json != null) {
            b.add("payload", json);
        } else {
            b.addNull("payload").add("payloadBase64", Base64.getEncoder().encodeToString(payload));
        }
        return b.build();
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

    private static void nullable(JsonObjectBuilder b, String name, String value) {
        if (value == null) {
            b.addNull(name);
        } else {
            b.add(name, value);
        }
    }
}
