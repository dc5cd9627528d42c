package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.AppendJson;
import io.batpak.ee.BatpakStore;
import io.batpak.ee.EventJson;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.EventKind;
import io.batpak.streams.Delivery;
import io.batpak.streams.GroupConfig;
import io.batpak.streams.ParkedEvent;
import io.batpak.streams.ParkedPage;
import io.batpak.streams.PartitionState;
import io.batpak.streams.Published;
import io.batpak.streams.StartPosition;
import io.batpak.streams.StreamEvent;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON shapes of the streams section of the contract: request fields read with a 400
 * {@code invalid-request} naming the field, answers written with the contract's names. Stateless.
 */
final class StreamBodies {
    private StreamBodies() {
    }

    /** A request's JSON or MessagePack object body within the store's body limit; empty is {@code {}} if optional. */
    static JsonObject read(InputStream in, String contentLength, boolean optional, BatpakStore store, HttpHeaders headers) {
        byte[] bytes = Bodies.read(in, contentLength, Bodies.limit(store.settings()));
        // Generated clients send a JSON null for an optional body they leave out: the same as none.
        if (optional && (bytes.length == 0 || new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip()
                .equals("null"))) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        return Bodies.object(bytes, headers.getMediaType());
    }

    /** A JSON answer with this status. */
    static Response response(int status, JsonObject body) {
        return Response.status(status).type("application/json").entity(body.toString()).build();
    }

    static StreamEvent event(JsonObject o) {
        String key = optionalString(o, "key");
        int kind = (int) integer(o, "kind", -1, 0, 0xFFFF);
        if (kind < 0) {
            throw new ProblemException(Problem.invalid("field 'kind' is required (an integer 0..65535)"));
        }
        JsonValue payload = o.containsKey("payload") ? o.get("payload") : JsonValue.NULL;
        return new StreamEvent(key, new EventKind(kind), AppendJson.payloadBytes(payload));
    }

    static GroupConfig groupConfig(JsonObject o, GroupConfig defaults) {
        String start = optionalString(o, "start");
        return new GroupConfig(integer(o, "ackTimeoutMs", defaults.ackTimeoutMs(), 1, GroupConfig.MAX_ACK_TIMEOUT_MS),
                (int) integer(o, "maxInFlight", defaults.maxInFlight(), 1, Integer.MAX_VALUE),
                (int) integer(o, "maxDeliveries", defaults.maxDeliveries(), 0, GroupConfig.MAX_DELIVERIES),
                start == null ? defaults.start() : StartPosition.parse(start));
    }

    static List<String> ids(JsonObject o) {
        JsonValue v = o.get("deliveryIds");
        if (!(v instanceof JsonArray a)) {
            throw new ProblemException(Problem.invalid("field 'deliveryIds' must be an array of strings"));
        }
        List<String> out = new ArrayList<>(a.size());
        for (JsonValue x : a) {
            if (!(x instanceof JsonString s)) {
                throw new ProblemException(Problem.invalid("field 'deliveryIds' must be an array of strings"));
            }
            out.add(s.getString());
        }
        return out;
    }

    static String optionalString(JsonObject o, String field) {
        JsonValue v = o.get(field);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (!(v instanceof JsonString s)) {
            throw new ProblemException(Problem.invalid("field '" + field + "' must be a string"));
        }
        return s.getString();
    }

    static String requiredString(JsonObject o, String field) {
        String s = optionalString(o, field);
        if (s == null) {
            throw new ProblemException(Problem.invalid("field '" + field + "' is required"));
        }
        return s;
    }

    static long integer(JsonObject o, String field, long dflt, long min, long max) {
        JsonValue v = o.get(field);
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return dflt;
        }
        if (!(v instanceof JsonNumber n) || !n.isIntegral()) {
            throw new ProblemException(Problem.invalid("field '" + field + "' must be an integer"));
        }
        long x;
        try {
            x = n.longValueExact();
        } catch (ArithmeticException e) {
            throw new ProblemException(Problem.invalid("field '" + field + "' is out of range " + min + ".." + max));
        }
        if (x < min || x > max) {
            throw new ProblemException(Problem.invalid("field '" + field + "' must be within " + min + ".." + max
                    + ", was " + x));
        }
        return x;
    }

    static JsonObjectBuilder published(Published p) {
        AppendReceipt r = p.receipt();
        return JSON.createObjectBuilder().add("stream", p.stream()).add("partition", p.partition())
                .add("offset", p.offset()).add("eventId", r.eventId().toString())
                .add("globalSequence", r.globalSequence());
    }

    static JsonObject deliveries(List<Delivery> ds) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        for (Delivery d : ds) {
            a.add(JSON.createObjectBuilder().add("deliveryId", d.deliveryId()).add("partition", d.partition())
                    .add("offset", d.offset()).add("event", EventJson.event(d.event())));
        }
        return JSON.createObjectBuilder().add("deliveries", a).build();
    }

    static JsonObjectBuilder config(GroupConfig c) {
        return JSON.createObjectBuilder().add("ackTimeoutMs", c.ackTimeoutMs()).add("maxInFlight", c.maxInFlight())
                .add("maxDeliveries", c.maxDeliveries()).add("start", c.start().wireName());
    }

    static JsonArrayBuilder partitions(List<PartitionState> states) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        for (PartitionState s : states) {
            a.add(JSON.createObjectBuilder().add("partition", s.partition()).add("committedOffset", s.committedOffset())
                    .add("inFlight", s.inFlight()).add("lag", s.lag()).add("parked", s.parked()));
        }
        return a;
    }

    static JsonObject parked(ParkedPage page) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        for (ParkedEvent p : page.parked()) {
            JsonObjectBuilder b = JSON.createObjectBuilder().add("partition", p.partition()).add("offset", p.offset())
                    .add("deliveries", p.deliveries());
            if (p.lastReason() == null) {
                b.addNull("lastReason");
            } else {
                b.add("lastReason", p.lastReason());
            }
            a.add(b.add("event", EventJson.event(p.event())));
        }
        JsonObjectBuilder out = JSON.createObjectBuilder().add("parked", a);
        if (page.next() == null) {
            out.addNull("next");
        } else {
            out.add("next", page.next());
        }
        return out.build();
    }

    /** The {@code offsets} of a replay body as {@code [partition, offset]} pairs; null (absent) = all parked. */
    static List<long[]> replayOffsets(JsonObject o) {
        JsonValue v = o.get("offsets");
        if (v == null || v.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (!(v instanceof JsonArray a)) {
            throw new ProblemException(Problem.invalid("field 'offsets' must be an array of {\"partition\",\"offset\"}"));
        }
        List<long[]> out = new ArrayList<>(a.size());
        for (JsonValue x : a) {
            if (!(x instanceof JsonObject p)) {
                throw new ProblemException(Problem.invalid("field 'offsets' must be an array of {\"partition\",\"offset\"}"));
            }
            long partition = integer(p, "partition", -1, 0, Integer.MAX_VALUE);
            long offset = integer(p, "offset", -1, 0, Long.MAX_VALUE);
            if (partition < 0 || offset < 0) {
                throw new ProblemException(Problem.invalid("every entry of 'offsets' needs 'partition' and 'offset'"));
            }
            out.add(new long[] {partition, offset});
        }
        return out;
    }
}
