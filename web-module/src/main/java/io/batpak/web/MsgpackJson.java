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
            JsonValue v = read(u, 0, bytes.length);
            if (u.hasNext()) {
                throw new ProblemException(Problem.invalid("trailing bytes after the MessagePack document"));
            }
            return v;
        } catch (IOException | MessagePackException | IllegalArgumentException e) {
            throw new ProblemException(Problem.invalid("malformed MessagePack: " + e.getMessage()));
        }
    }

    private static JsonValue read(MessageUnpacker u, int depth, long size) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new ProblemException(Problem.invalid("MessagePack nested deeper than " + MAX_DEPTH));
        }
        MessageFormat f = u.getNextFormat();
        switch (f.getValueType()) {
            case NIL:
                u.unpackNil();
                return JsonValue.NULL;
            case BOOLEAN:
                return u.unpackBoolean() ? JsonValue.TRUE : JsonValue.FALSE;
            case INTEGER:
                if (f == MessageFormat.UINT64) {
                    return JSON.createValue(u.unpackBigInteger());
                }
                return JSON.createValue(u.unpackLong());
            case FLOAT:
                double d = u.unpackDouble();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new ProblemException(Problem.invalid("MessagePack float is not a JSON number: " + d));
                }
                return JSON.createValue(d);
            case STRING:
                return JSON.createValue(u.unpackString());
            case BINARY:
                int length = u.unpackBinaryHeader();
                // A header may claim up to 4 GiB: never allocate more than the body still holds.
                if (length < 0 || length > size - u.getTotalReadBytes()) {
                    throw new ProblemException(Problem.invalid("MessagePack binary of " + Integer.toUnsignedString(length)
                            + " bytes runs past the end of the body"));
                }
                byte[] bin = new byte[length];
                u.readPayload(bin);
                return JSON.createValue(Base64.getEncoder().encodeToString(bin));
            case ARRAY: {
                int n = u.unpackArrayHeader();
                JsonArrayBuilder a = JSON.createArrayBuilder();
                for (int i = 0; i < n; i++) {
                    a.add(read(u, depth + 1, size));
                }
                return a.build();
            }
            case MAP: {
                int n = u.unpackMapHeader();
                JsonObjectBuilder o = JSON.createObjectBuilder();
                for (int i = 0; i < n; i++) {
                    if (u.getNextFormat().getValueType() != org.msgpack.value.ValueType.STRING) {
                        throw new ProblemException(Problem.invalid("MessagePack map keys must be strings"));
                    }
                    String key = u.unpackString();
                    o.add(key, read(u, depth + 1, size));
                }
                return o.build();
            }
            default:
                throw new ProblemException(Problem.invalid("MessagePack type " + f + " has no JSON form"));
        }
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

    private static void write(MessageBufferPacker p, JsonValue v) throws IOException {
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
