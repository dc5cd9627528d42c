package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.BatpakSettings;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads request bodies within the configured size limit and answers in the representation the
 * client asked for (JSON by default, MessagePack on {@code Accept: application/msgpack}). A body
 * over {@code batpak.max-request-body-bytes} is a 413 before it is fully read; a body that is not
 * one JSON object (or MessagePack map) is a 400. Stateless, thread-safe.
 */
public final class Bodies {
    private Bodies() {
    }

    /**
     * Bytes of an oversized body read and dropped before the 413 is answered, so clients that send
     * the whole body before reading the answer see the problem instead of a reset connection.
     */
    static final long DRAIN_BYTES = 64L << 20;

    /** The raw body, refused with 413 past {@code limit} bytes (by Content-Length or while reading). */
    public static byte[] read(InputStream in, String contentLength, long limit) {
        LimitedBody body = LimitedBody.open(in, contentLength, limit);
        byte[] bytes;
        try {
            bytes = body.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        body.finish();
        return bytes;
    }

    static void drain(InputStream in) {
        byte[] buf = new byte[64 * 1024];
        long dropped = 0;
        try {
            for (int n; dropped < DRAIN_BYTES && (n = in.read(buf)) >= 0; ) {
                dropped += n;
            }
        } catch (IOException e) {
            // the client went away: nothing left to drain
        }
    }

    static ProblemException tooLarge(long limit) {
        return new ProblemException(Problem.of(413, "payload-too-large", "Payload too large",
                "request body exceeds the limit of " + limit + " bytes (batpak.max-request-body-bytes)"));
    }

    public static long limit(BatpakSettings settings) {
        return settings.maxRequestBodyBytes();
    }

    /** The body as a JSON object, decoded from JSON or MessagePack according to its media type. */
    public static JsonObject object(byte[] body, MediaType type) {
        JsonValue v = value(body, type);
        if (!(v instanceof JsonObject o)) {
            throw notObject();
        }
        return o;
    }

    static JsonValue value(byte[] body, MediaType type) {
        if (body.length == 0) {
            throw empty();
        }
        if (isMsgpack(type)) {
            return MsgpackJson.decode(body);
        }
        if (type != null && !isJson(type)) {
            throw unsupported(type);
        }
        // Decoded strictly here: the parser's own reader would turn invalid UTF-8 into U+FFFD and store
        // an altered entity name or payload (HostileInputIT, issue 21).
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw notUtf8();
        }
        // A parser rather than JsonReader.readValue(), which ignores anything after the first value ("{...}}garbage").
        try (JsonParser p = JSON.createParser(new StringReader(text))) {
            if (!p.hasNext()) {
                throw noValue();
            }
            p.next();
            JsonValue v = p.getValue();
            endOfJson(p);
            return v;
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            throw malformedJson(e);
        }
    }

    static ProblemException empty() {
        return new ProblemException(Problem.invalid("the body is empty"));
    }

    static ProblemException unsupported(MediaType type) {
        return new ProblemException(Problem.of(415, "unsupported-media-type", "Unsupported media type",
                "use application/json, application/msgpack or CloudEvents; got " + type));
    }

    static ProblemException notUtf8() {
        return new ProblemException(Problem.invalid("the body is not valid UTF-8"));
    }

    static ProblemException noValue() {
        return new ProblemException(Problem.invalid("malformed JSON: no value"));
    }

    static ProblemException notObject() {
        return new ProblemException(Problem.invalid("the body must be a JSON object"));
    }

    /** After the body's one JSON value: anything but the end of input is refused. */
    static void endOfJson(JsonParser p) {
        if (p.hasNext()) {
            throw new ProblemException(Problem.invalid("malformed JSON: content after the JSON value"));
        }
    }

    /** The 400 for what the JSON parser refused. */
    static ProblemException malformedJson(RuntimeException e) {
        if (e instanceof JsonException) {
            return new ProblemException(Problem.invalid("malformed JSON: " + e.getMessage()));
        }
        // Parsson reports nesting beyond its depth limit as a plain RuntimeException: still the client's input.
        return new ProblemException(Problem.invalid("JSON not accepted: " + e.getMessage()));
    }

    static boolean isMsgpack(MediaType type) {
        return type != null && "application".equals(type.getType())
                && ("msgpack".equals(type.getSubtype()) || "x-msgpack".equals(type.getSubtype()));
    }

    static boolean isJson(MediaType type) {
        return "application".equals(type.getType()) && ("json".equals(type.getSubtype())
                || type.getSubtype().endsWith("+json"));
    }

    /** True if the client prefers MessagePack (it names it and does not rank JSON higher). */
    public static boolean wantsMsgpack(List<MediaType> accept) {
        for (MediaType m : accept) {
            if (isMsgpack(m)) {
                return true;
            }
            if (m.isCompatible(MediaType.APPLICATION_JSON_TYPE) && !m.isWildcardType()) {
                return false;
            }
        }
        return false;
    }

    /** A 200/201 answer carrying {@code value} as JSON or MessagePack. */
    public static Response.ResponseBuilder answer(Response.ResponseBuilder r, JsonValue value, List<MediaType> accept) {
        if (wantsMsgpack(accept)) {
            return r.type(MsgpackJson.MEDIA_TYPE).entity(MsgpackJson.encode(value));
        }
        // As bytes: a String entity is written through a new charset encoder per answer.
        return r.type(MediaType.APPLICATION_JSON_TYPE).entity(value.toString().getBytes(StandardCharsets.UTF_8));
    }
}
