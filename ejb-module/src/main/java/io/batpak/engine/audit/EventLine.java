package io.batpak.engine.audit;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.HlcTimestamp;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.util.Hex;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One event line of an export, both ways. The line is a JSON object with, in this order:
 * {@code gseq, scope, entity, seq, kind, id, corr, [cause], ts_us, hlc_ms, hlc_c, flags, [bypass],
 * [attrs], [pver], payload, prev, hash} — every field the chain hash covers and nothing else, the bracketed
 * ones only when the event has them (as in a frame); ids as lower-case UUID text, the payload in
 * standard base64 with padding, hashes as lower-case hex, attributes as an object in key order,
 * no spaces. {@link #decode} accepts only that exact form: it re-encodes what it parsed and
 * compares bytes, so no byte of a line escapes the hash. Stateless; thread-safe.
 */
final class EventLine {
    private EventLine() {
    }

    /** A line that does not hold an event in the export's canonical form. */
    static final class BadLine extends Exception {
        BadLine(String reason) {
            super(reason);
        }
    }

    /** The line of {@code e}, without the newline, as UTF-8. */
    static byte[] encode(StoredEvent e) {
        StringBuilder b = new StringBuilder(256 + e.payload().length * 4 / 3);
        b.append("{\"gseq\":").append(e.globalSequence()).append(",\"scope\":");
        Json.string(b, e.scope()).append(",\"entity\":");
        Json.string(b, e.entity()).append(",\"seq\":").append(e.sequence())
                .append(",\"kind\":").append(e.kind().value())
                .append(",\"id\":\"").append(e.eventId()).append("\",\"corr\":\"").append(e.correlationId()).append('"');
        if (e.causationId() != null) {
            b.append(",\"cause\":\"").append(e.causationId()).append('"');
        }
        b.append(",\"ts_us\":").append(e.timestampUs()).append(",\"hlc_ms\":").append(e.hlc().wallMs())
                .append(",\"hlc_c\":").append(e.hlc().counter()).append(",\"flags\":").append(e.flags());
        if (e.bypassReason() != null) {
            Json.string(b.append(",\"bypass\":"), e.bypassReason());
        }
        if (!e.attributes().isEmpty()) {
            b.append(",\"attrs\":{");
            boolean first = true;
            for (Map.Entry<String, String> a : new TreeMap<>(e.attributes()).entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                Json.string(b, a.getKey()).append(':');
                Json.string(b, a.getValue());
            }
            b.append('}');
        }
        if (e.payloadVersion() != io.batpak.engine.AppendRequest.FIRST_PAYLOAD_VERSION) {
            b.append(",\"pver\":").append(e.payloadVersion());
        }
        b.append(",\"payload\":\"").append(Base64.getEncoder().encodeToString(e.payload()))
                .append("\",\"prev\":\"").append(Hex.encode(e.prevHash()))
                .append("\",\"hash\":\"").append(Hex.encode(e.hash())).append("\"}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The event a line holds; fails unless the line is exactly {@link #encode} of it. */
    static StoredEvent decode(byte[] line) throws BadLine {
        Map<String, Object> o;
        try {
            if (!(Json.parse(new String(line, StandardCharsets.UTF_8)) instanceof Map<?, ?> m)) {
                throw new BadLine("not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> typed = (Map<String, Object>) m;
            o = typed;
        } catch (Json.ParseException ex) {
            throw new BadLine("not JSON: " + ex.getMessage());
        }
        StoredEvent e;
        try {
            Map<String, String> attrs = new TreeMap<>();
            Object rawAttrs = o.get("attrs");
            if (rawAttrs != null) {
                if (!(rawAttrs instanceof Map<?, ?> am)) {
                    throw new BadLine("attrs is not an object");
                }
                for (Map.Entry<?, ?> a : am.entrySet()) {
                    if (!(a.getValue() instanceof String v)) {
                        throw new BadLine("attribute " + a.getKey() + " is not a string");
                    }
                    attrs.put((String) a.getKey(), v);
                }
            }
            String cause = optionalString(o, "cause");
            e = new StoredEvent(uuid(o, "id"), new Coordinate(string(o, "entity"), string(o, "scope")),
                    new EventKind(intRange(o, "kind", 0, 0xFFFF)), number(o, "seq"), number(o, "gseq"),
                    number(o, "ts_us"), new HlcTimestamp(number(o, "hlc_ms"), intRange(o, "hlc_c", Integer.MIN_VALUE,
                    Integer.MAX_VALUE)), uuid(o, "corr"), cause == null ? null : parseUuid("cause", cause),
                    intRange(o, "flags", Integer.MIN_VALUE, Integer.MAX_VALUE), hex32(o, "prev"), hex32(o, "hash"),
                    base64(o, "payload"), optionalString(o, "bypass"), attrs,
                    o.get("pver") == null ? io.batpak.engine.AppendRequest.FIRST_PAYLOAD_VERSION
                            : intRange(o, "pver", 2, io.batpak.engine.AppendRequest.MAX_PAYLOAD_VERSION));
        } catch (RuntimeException ex) { // a value the engine's constructors refuse
            throw new BadLine("invalid field: " + ex.getMessage());
        }
        if (!java.util.Arrays.equals(encode(e), line)) {
            throw new BadLine("not in the canonical form (an unknown or missing field, or a field's bytes changed "
                    + "without changing its value)");
        }
        return e;
    }

    static String string(Map<String, Object> o, String key) throws BadLine {
        if (!(o.get(key) instanceof String s)) {
            throw new BadLine("\"" + key + "\" is missing or not a string");
        }
        return s;
    }

    private static String optionalString(Map<String, Object> o, String key) throws BadLine {
        return o.get(key) == null ? null : string(o, key);
    }

    static long number(Map<String, Object> o, String key) throws BadLine {
        if (!(o.get(key) instanceof Long n)) {
            throw new BadLine("\"" + key + "\" is missing or not an integer");
        }
        return n;
    }

    private static int intRange(Map<String, Object> o, String key, int min, int max) throws BadLine {
        long n = number(o, key);
        if (n < min || n > max) {
            throw new BadLine("\"" + key + "\" is out of range: " + n);
        }
        return (int) n;
    }

    private static UUID uuid(Map<String, Object> o, String key) throws BadLine {
        return parseUuid(key, string(o, key));
    }

    private static UUID parseUuid(String key, String s) throws BadLine {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException ex) {
            throw new BadLine("\"" + key + "\" is not a UUID");
        }
    }

    static byte[] hex32(Map<String, Object> o, String key) throws BadLine {
        String s = string(o, key);
        try {
            byte[] b = Hex.decode(s);
            if (b.length == 32) {
                return b;
            }
        } catch (IllegalArgumentException ex) {
            // reported below
        }
        throw new BadLine("\"" + key + "\" is not 32 bytes of hex");
    }

    private static byte[] base64(Map<String, Object> o, String key) throws BadLine {
        try {
            return Base64.getDecoder().decode(string(o, key));
        } catch (IllegalArgumentException ex) {
            throw new BadLine("\"" + key + "\" is not base64");
        }
    }
}
