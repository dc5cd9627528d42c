package io.batpak.ee;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Turns the contract's append body ({@code entity, scope, kind, payload, payloadVersion,
 * expectedSequence, correlationId, causationId}) into an {@link AppendRequest}; an absent
 * {@code payloadVersion} is version 1. The payload is kept as its compact
 * JSON text, so the same JSON always becomes the same bytes (idempotent replays compare requests
 * after parsing). Every malformed field is a {@link StoreException} with {@code INVALID_REQUEST}
 * naming the field. Stateless, thread-safe.
 */
public final class AppendJson {
    private AppendJson() {
    }

    public static AppendRequest parse(JsonObject body, String idempotencyKey) {
        String entity = requiredString(body, "entity");
        String scope = requiredString(body, "scope");
        int kind = kind(body);
        JsonValue payload = body.containsKey("payload") ? body.get("payload") : JsonValue.NULL;
        AppendOptions options = AppendOptions.NONE;
        if (has(body, "expectedSequence")) {
            long expected = integer(body, "expectedSequence", AppendOptions.NO_EVENTS, Long.MAX_VALUE);
            options = options.withExpectedSequence(expected);
        }
        UUID correlation = uuid(body, "correlationId");
        UUID causation = uuid(body, "causationId");
        if (correlation != null || causation != null) {
            options = options.withCorrelation(correlation, causation);
        }
        if (idempotencyKey != null) {
            options = options.withIdempotencyKey(idempotencyKey);
        }
        int payloadVersion = has(body, "payloadVersion")
                ? (int) integer(body, "payloadVersion", AppendRequest.FIRST_PAYLOAD_VERSION, AppendRequest.MAX_PAYLOAD_VERSION)
                : AppendRequest.FIRST_PAYLOAD_VERSION;
        return new AppendRequest(new Coordinate(entity, scope), new EventKind(kind), payloadBytes(payload), options,
                payloadVersion);
    }

    /** The compact JSON text of a payload value, as stored. */
    public static byte[] payloadBytes(JsonValue payload) {
        // A generator from the shared factory (JsonValue.toString() would build a writer factory per
        // event of a batch), writing chars: one over an OutputStream encodes through an 8 KiB buffer
        // of its own per generator, which was most of what a 1,000-event batch allocated
        // (BatchParseBenchmark) and 9 % of its CPU. String.getBytes encodes as that writer did, lone
        // surrogates as '?'.
        java.io.StringWriter out = new java.io.StringWriter(256);
        try (jakarta.json.stream.JsonGenerator g = GENERATORS.createGenerator(out)) {
            g.write(payload);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static final jakarta.json.stream.JsonGeneratorFactory GENERATORS =
            Jsons.JSON.createGeneratorFactory(java.util.Map.of());

    static int kind(JsonObject body) {
        if (!has(body, "kind")) {
            throw invalid("field 'kind' is required (an integer 0..65535)");
        }
        return (int) integer(body, "kind", 0, 0xFFFF);
    }

    static boolean has(JsonObject body, String field) {
        return body.containsKey(field) && body.get(field).getValueType() != JsonValue.ValueType.NULL;
    }

    private static String requiredString(JsonObject body, String field) {
        JsonValue v = body.get(field);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            throw invalid("field '" + field + "' is required");
        }
        if (!(v instanceof JsonString s)) {
            throw invalid("field '" + field + "' must be a string");
        }
        return s.getString();
    }

    static long integer(JsonObject body, String field, long min, long max) {
        JsonValue v = body.get(field);
        if (!(v instanceof JsonNumber n) || !n.isIntegral()) {
            throw invalid("field '" + field + "' must be an integer");
        }
        long value;
        try {
            value = n.bigIntegerValueExact().longValueExact();
        } catch (ArithmeticException e) {
            throw invalid("field '" + field + "' is out of range " + min + ".." + max);
        }
        if (value < min || value > max) {
            throw invalid("field '" + field + "' is out of range " + min + ".." + max + ": " + value);
        }
        return value;
    }

    private static UUID uuid(JsonObject body, String field) {
        if (!has(body, field)) {
            return null;
        }
        if (!(body.get(field) instanceof JsonString s)) {
            throw invalid("field '" + field + "' must be a UUID string");
        }
        return parseUuid(s.getString(), field);
    }

    /** Parses a canonical UUID string or fails with INVALID_REQUEST naming {@code what}. */
    public static UUID parseUuid(String text, String what) {
        if (text.length() != 36) {
            throw invalid(what + " is not a UUID: " + abbreviate(text));
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw invalid(what + " is not a UUID: " + abbreviate(text));
        }
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }

    static StoreException invalid(String message) {
        return new StoreException(ErrorCode.INVALID_REQUEST, message);
    }
}
