package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;

/**
 * Converts between MessagePack bodies and the JSON model, so {@code application/msgpack} requests
 * and answers carry exactly the JSON contract's fields. Map keys must be strings; binary values
 * become base64 strings; extension types and nesting deeper than {@value #MAX_DEPTH} are refused.
 * Stateless, thread-safe.
 */
public final class MsgpackJson {
    public static final String MEDIA_TYPE = "application/msgpack";
    static final int MAX_DEPTH = 128;

    private MsgpackJson() {
    }

    /** Decodes one MessagePack document; trailing bytes or malformed input are a 400. */
    public static JsonValue decode(byte[] bytes) {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            JsonValue v = read(u, 0, bytes.length, true);
            if (u.hasNext()) {
                throw new ProblemException(Problem.invalid("trailing bytes after the MessagePack document"));
            }
            return v;
        } catch (IOException | MessagePackException | IllegalArgumentException e) {
            throw malformed(e);
        }
    }

    /** The 400 for MessagePack the unpacker could not read (what {@link #decode} answers). */
    static ProblemException malformed(Exception e) {
        return new ProblemException(Problem.invalid("malformed MessagePack: " + e.getMessage()));
    }

    /**
     * Reads the next value at nesting {@code depth} of a document of at most {@code size} bytes,
     * with every check {@link #decode} makes; {@code keep} false checks it without building it (and
     * answers null), for parts of a streamed body that are not needed.
     */
    static JsonValue read(MessageUnpacker u, int depth, long size, boolean keep) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new ProblemException(Problem.invalid("MessagePack nested deeper than " + MAX_DEPTH));
        }
        MessageFormat f = u.getNextFormat();
        switch (typeOf(u)) {
            case NIL:
                u.unpackNil();
                return JsonValue.NULL;
            case BOOLEAN:
                return u.unpackBoolean() ? JsonValue.TRUE : JsonValue.FALSE;
            case INTEGER:
                if (f == MessageFormat.UINT64) {
                    java.math.BigInteger big = u.unpackBigInteger();
                    return keep ? JSON.createValue(big) : null;
                }
                long l = u.unpackLong();
                return keep ? JSON.createValue(l) : null;
            case FLOAT:
                double d = u.unpackDouble();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new ProblemException(Problem.invalid("MessagePack float is not a JSON number: " + d));
                }
                return keep ? JSON.createValue(d) : null;
            case STRING:
                String text = u.unpackString();
                return keep ? JSON.createValue(text) : null;
            case BINARY:
                byte[] bin = binary(u, size);
                return keep ? JSON.createValue(Base64.getEncoder().encodeToString(bin)) : null;
            case ARRAY: {
                int n = u.unpackArrayHeader();
                JsonArrayBuilder a = keep ? JSON.createArrayBuilder() : null;
                for (int i = 0; i < n; i++) {
                    JsonValue e = read(u, depth + 1, size, keep);
                    if (keep) {
                        a.add(e);
                    }
                }
                return keep ? a.build() : null;
            }
            case MAP: {
                int n = u.unpackMapHeader();
                JsonObjectBuilder o = keep ? JSON.createObjectBuilder() : null;
                for (int i = 0; i < n; i++) {
                    String key = key(u);
                    JsonValue e = read(u, depth + 1, size, keep);
                    if (keep) {
                        o.add(key, e);
                    }
                }
                return keep ? o.build() : null;
            }
            default:
                throw new ProblemException(Problem.invalid("MessagePack type " + f + " has no JSON form"));
        }
    }

    /**
     * The type of the next value. The byte 0xC1 is never used by MessagePack and has no type
     * (msgpack-core answers null for it), so it is malformed input, not a server error.
     */
    static org.msgpack.value.ValueType typeOf(MessageUnpacker u) throws IOException {
        MessageFormat f = u.getNextFormat();
        if (f == MessageFormat.NEVER_USED || f.getValueType() == null) {
            throw new ProblemException(Problem.invalid("malformed MessagePack: the byte 0xC1 is never used"));
        }
        return f.getValueType();
    }

    /** A map key, which must be a string. */
    static String key(MessageUnpacker u) throws IOException {
        if (typeOf(u) != org.msgpack.value.ValueType.STRING) {
            throw new ProblemException(Problem.invalid("MessagePack map keys must be strings"));
        }
        return u.unpackString();
    }

    private static byte[] binary(MessageUnpacker u, long size) throws IOException {
        int length = u.unpackBinaryHeader();
        // A header may claim up to 4 GiB: never allocate more than the body still holds (or, read as a
        // stream, may still hold), and in chunks, so a short body never costs what its header claims.
        if (length < 0 || length > size - u.getTotalReadBytes()) {
            throw pastEnd(length);
        }
        if (length <= BINARY_CHUNK) {
            return readPayload(u, length, length);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(BINARY_CHUNK);
        for (int left = length; left > 0; left -= BINARY_CHUNK) {
            out.write(readPayload(u, Math.min(left, BINARY_CHUNK), length));
        }
        return out.toByteArray();
    }

    private static final int BINARY_CHUNK = 64 * 1024;

    private static byte[] readPayload(MessageUnpacker u, int n, int length) throws IOException {
        try {
            return u.readPayload(n);
        } catch (org.msgpack.core.MessageInsufficientBufferException e) {
            throw pastEnd(length); // a streamed body ended before the binary did
        }
    }

    private static ProblemException pastEnd(int length) {
        return new ProblemException(Problem.invalid("MessagePack binary of " + Integer.toUnsignedString(length)
                + " bytes runs past the end of the body"));
    }

    /** Encodes a JSON value as MessagePack. */
    public static byte[] encode(JsonValue value) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            write(p, value);
            return p.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory MessagePack encoding failed", e);
        }
    }

    /** Writes a JSON value as MessagePack (as {@link #encode} does), to a packer that may stream. */
    static void write(MessagePacker p, JsonValue v) throws IOException {
        switch (v.getValueType()) {
            case NULL -> p.packNil();
            case TRUE -> p.packBoolean(true);
            case FALSE -> p.packBoolean(false);
            case STRING -> p.packString(((JsonString) v).getString());
            case NUMBER -> {
                JsonNumber n = (JsonNumber) v;
                if (n.isIntegral()) {
                    p.packBigInteger(n.bigIntegerValue());
                } else {
                    p.packDouble(n.doubleValue());
                }
            }
            case ARRAY -> {
                JsonArray a = (JsonArray) v;
                p.packArrayHeader(a.size());
                for (JsonValue e : a) {
                    write(p, e);
                }
            }
            case OBJECT -> {
                JsonObject o = (JsonObject) v;
                p.packMapHeader(o.size());
                for (Map.Entry<String, JsonValue> e : o.entrySet()) {
                    p.packString(e.getKey());
                    write(p, e.getValue());
                }
            }
        }
    }
}
